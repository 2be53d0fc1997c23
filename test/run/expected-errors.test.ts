// Expected errors on real kernels (--engine local): a cell tagged raises-exception keeps its error and the run goes
// on; a tagged cell that raises nothing fails the notebook, naming the cell; allowErrors lets every cell raise and
// names each error in the result's warnings; an untagged error still fails; a re-run verifies against the first.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createProgress } from '../../src/cli/progress.ts';
import { NotebookError } from '../../src/errors.ts';
import { loadManifest, type LoadedManifest } from '../../src/manifest/load.ts';
import { manifestSchema } from '../../src/manifest/schema.ts';
import { runEntrypoints } from '../../src/run/index.ts';
import type { NotebookResult, RunOptions } from '../../src/run/types.ts';
import { verifyRunFolder } from '../../src/verify/index.ts';
import { repoRoot } from './project.ts';

const fixtures = join(repoRoot, 'test', 'fixtures', 'expected-errors');
const progress = createProgress({ quiet: true });

interface Project {
  dir: string;
  loaded: LoadedManifest;
}
let project: Project | undefined;
afterEach(async () => {
  if (project) await rm(project.dir, { recursive: true, force: true });
  project = undefined;
});

/** A project with the named fixture notebooks (test/fixtures/expected-errors/<name>.ipynb) writing to results/<name>. */
async function makeProject(entries: Array<{ name: string; allowErrors?: boolean }>): Promise<Project> {
  const dir = await mkdtemp(join(tmpdir(), 'repro-expected-errors-'));
  await mkdir(join(dir, 'notebooks'));
  await symlink(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
  for (const { name } of entries) await copyFile(join(fixtures, `${name}.ipynb`), join(dir, 'notebooks', `${name}.ipynb`));
  const entrypoints = entries.map(({ name, allowErrors }) => ({ notebook: `notebooks/${name}.ipynb`, outputs: `results/${name}`, ...(allowErrors === undefined ? {} : { allowErrors }) }));
  const manifest = manifestSchema.parse({ name: 'expected-errors', environment: { node: '20.20.2' }, entrypoints, run: { seed: 42 } });
  const yaml = JSON.stringify(manifest, (key, value) => (key === 'timeout' || key === 'cellTimeout' ? `${value}ms` : value), 1);
  await writeFile(join(dir, 'research.yaml'), yaml + '\n');
  project = { dir, loaded: await loadManifest(dir) };
  return project;
}

function run(p: Project, extra: Partial<RunOptions> = {}): Promise<NotebookResult[]> {
  return runEntrypoints({ projectDir: p.dir, loaded: p.loaded, engine: 'local', progress, ...extra });
}

interface CellJson {
  cell_type: string;
  execution_count?: number | null;
  outputs?: Array<{ output_type: string; name?: string; text?: string[]; ename?: string; evalue?: string }>;
}

async function cellsOf(file: string): Promise<CellJson[]> {
  return JSON.parse(await readFile(file, 'utf8')).cells;
}

function kernelInstalled(name: string): boolean {
  if (name === 'tslab' || name === 'jslab') return true;
  const found = ['/usr/share/jupyter', '/usr/local/share/jupyter'].some((dir) => existsSync(join(dir, 'kernels', name, 'kernel.json')));
  if (!found && process.env.CI) throw new Error(`CI is set but the ${name} kernel is not installed (see .ci/run)`);
  return found;
}

// Per kernel: the fixture prefix, the tagged cell's error, and the two errors of the allowErrors notebook.
const kernels = [
  { kernel: 'python3', prefix: 'python', tagged: { ename: 'ValueError', evalue: 'x is 1' }, allowed: ['ZeroDivisionError', 'ValueError'], file: 'after.json' },
  { kernel: 'tslab', prefix: 'ts', tagged: { ename: 'RangeError', evalue: 'x is 1' }, allowed: ['SyntaxError', 'TypeError'], file: 'after.json' },
  { kernel: 'ir', prefix: 'r', tagged: { ename: 'ERROR', evalue: 'Error in eval(expr, envir, enclos): x is 1\n' }, allowed: ['ERROR', 'ERROR'], file: 'after.txt' },
] as const;

for (const k of kernels) {
  describe.runIf(kernelInstalled(k.kernel))(`expected errors on ${k.kernel}`, () => {
    it('keeps a tagged cell\'s error in the executed notebook and runs the cells after it', async () => {
      const p = await makeProject([{ name: `${k.prefix}-tagged` }]);
      const [result] = await run(p);
      expect(result).toMatchObject({ status: 'ok', outputsDir: join(p.dir, 'results', `${k.prefix}-tagged`) });
      expect(result.warnings).toBeUndefined();
      const cells = await cellsOf(join(p.dir, 'results', `${k.prefix}-tagged`, `${k.prefix}-tagged.ipynb`));
      expect(cells[2].outputs?.[0]).toMatchObject({ output_type: 'stream', name: 'stdout', text: ['before\n'] });
      expect(cells[2].outputs?.[1]).toMatchObject({ output_type: 'error', ...k.tagged });
      expect(cells[3].outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: ['after\n'] }]);
      expect(cells[3].execution_count).toBe((cells[2].execution_count ?? 0) + 1);
      expect(existsSync(join(p.dir, 'results', `${k.prefix}-tagged`, k.file))).toBe(true);
    });

    it('fails a tagged cell that raised nothing, naming the cell, after running every cell', async () => {
      const p = await makeProject([{ name: `${k.prefix}-silent` }]);
      const [result] = await run(p);
      expect(result).toMatchObject({ status: 'failed', cellIndex: 2, ename: 'NoErrorRaised' });
      expect(result.error).toBeInstanceOf(NotebookError);
      expect(result.error?.exitCode).toBe(1);
      expect(result.error?.message).toBe(`notebooks/${k.prefix}-silent.ipynb cell 2: NoErrorRaised: the cell is tagged raises-exception but raised no error`);
      expect(result.error?.hint).toMatch(/^Remove the raises-exception tag if the cell should succeed, or fix the cell/);
      expect(existsSync(join(p.dir, 'results', `${k.prefix}-silent`))).toBe(false);
      const cells = await cellsOf(result.failedNotebook ?? '');
      expect(cells[2].outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: ['no error here\n'] }]);
      expect(cells[3].outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: ['after\n'] }]);
    });

    it('with allowErrors keeps both errors, runs every cell, succeeds and names each error in warnings', async () => {
      const p = await makeProject([{ name: `${k.prefix}-allowed`, allowErrors: true }]);
      const [result] = await run(p);
      expect(result.status).toBe('ok');
      expect(result.warnings).toEqual([`cell 1 raised ${k.allowed[0]} (allowed)`, `cell 3 raised ${k.allowed[1]} (allowed)`]);
      const cells = await cellsOf(join(p.dir, 'results', `${k.prefix}-allowed`, `${k.prefix}-allowed.ipynb`));
      expect(cells[1].outputs?.map((o) => [o.output_type, o.ename])).toEqual([['error', k.allowed[0]]]);
      expect(cells[2].outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: ['between\n'] }]);
      expect(cells[3].outputs?.map((o) => [o.output_type, o.ename])).toEqual([['error', k.allowed[1]]]);
      expect(cells[4].outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: ['after\n'] }]);
      expect(await readFile(join(p.dir, 'results', `${k.prefix}-allowed`, 'after.txt'), 'utf8')).toBe('after\n');
    });

    it('still stops at an untagged error without allowErrors', async () => {
      const p = await makeProject([{ name: `${k.prefix}-allowed`, allowErrors: false }]);
      const [result] = await run(p);
      expect(result).toMatchObject({ status: 'failed', cellIndex: 1, ename: k.allowed[0] });
      expect(result.error?.message).toMatch(new RegExp(`^notebooks/${k.prefix}-allowed\\.ipynb cell 1: ${k.allowed[0]}: `));
      expect(result.error?.hint).toMatch(/^The partially executed notebook is in /);
      const cells = await cellsOf(result.failedNotebook ?? '');
      expect(cells[2].outputs).toEqual([]);
      expect(cells[4].outputs).toEqual([]);
    });
  });
}

describe('expected errors on jslab', () => {
  it('keeps the tagged cell\'s error and runs the cell after it (jslab refuses requests for 200 ms after an error)', async () => {
    const p = await makeProject([{ name: 'js-tagged' }]);
    const [result] = await run(p);
    expect(result.status).toBe('ok');
    const cells = await cellsOf(join(p.dir, 'results', 'js-tagged', 'js-tagged.ipynb'));
    expect(cells[2].outputs?.[1]).toMatchObject({ output_type: 'error', ename: 'RangeError', evalue: 'x is 1' });
    expect(cells[3].outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: ['after\n'] }]);
  });
});

describe.runIf(kernelInstalled('python3') && kernelInstalled('ir'))('the committed notebook with its expected error', () => {
  it('verifies against a re-run, byte for byte, on python3, tslab and ir', async () => {
    const names = ['python-tagged', 'ts-tagged', 'r-tagged'];
    const p = await makeProject(names.map((name) => ({ name })));
    expect((await run(p)).map((r) => r.status)).toEqual(['ok', 'ok', 'ok']);
    const rerun = join(p.dir, 'rerun');
    expect((await run(p, { outDir: rerun })).map((r) => r.status)).toEqual(['ok', 'ok', 'ok']);
    const outputs = names.map((name) => `results/${name}`);
    const outcome = await verifyRunFolder({ projectDir: p.dir, runFolder: rerun, outputs, rules: {}, reportDir: join(p.dir, 'report') });
    expect(outcome.files.filter((file) => file.path.endsWith('.ipynb')).map((file) => [file.path, file.verdict])).toEqual(
      names.map((name) => [`results/${name}/${name}.ipynb`, 'identical']),
    );
    expect(outcome.passed).toBe(true);
    // Tracebacks are not compared, yet they hold nothing volatile either: the notebooks are the same bytes.
    for (const name of names) {
      const file = `results/${name}/${name}.ipynb`;
      expect(await readFile(join(rerun, file), 'utf8')).toBe(await readFile(join(p.dir, file), 'utf8'));
    }
  });
});

describe.runIf(kernelInstalled('python3'))('repro run on the command line', () => {
  const cli = (dir: string) => spawnSync(process.execPath, [join(repoRoot, 'bin', 'repro.js'), '-C', dir, 'run', '--engine', 'local'], { encoding: 'utf8' });

  it('exits 1 for a tagged cell that raised nothing, with the cell and the hint', async () => {
    const p = await makeProject([{ name: 'python-silent' }]);
    const done = cli(p.dir);
    expect(done.status).toBe(1);
    expect(done.stderr).toContain('repro: notebooks/python-silent.ipynb cell 2: NoErrorRaised: the cell is tagged raises-exception but raised no error');
    expect(done.stderr).toContain('Remove the raises-exception tag if the cell should succeed');
  });

  it('exits 0 under allowErrors and prints each allowed error as a warning', async () => {
    const p = await makeProject([{ name: 'python-allowed', allowErrors: true }]);
    const done = cli(p.dir);
    expect(done.status).toBe(0);
    expect(done.stderr).toContain('notebooks/python-allowed.ipynb: warning: cell 1 raised ZeroDivisionError (allowed)');
    expect(done.stderr).toContain('notebooks/python-allowed.ipynb: warning: cell 3 raised ValueError (allowed)');
    expect(done.stderr).toMatch(/✓ notebooks\/python-allowed\.ipynb → results\/python-allowed \([^)]*, 2 warnings\)/);
  });
});
