// runEntrypoints with a local tslab kernel: outputs in place, failures kept aside with cell index, timeouts,
// a dying kernel, parameters, byte-identical re-runs, and no kernel left behind.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createProgress } from '../../src/cli/progress.ts';
import { ManifestError, NotebookError, UsageError } from '../../src/errors.ts';
import { runEntrypoints } from '../../src/run/index.ts';
import type { RunOptions } from '../../src/run/types.ts';
import { fixtureProject, repoRoot, type FixtureProject } from './project.ts';

const progress = createProgress({ quiet: true });
/** The folder of one run's partial notebooks: UTC start time, pid, random suffix. */
const runId = /\d{8}T\d{6}Z-\d+-[0-9a-f]{6}/;
let project: FixtureProject | undefined;
afterEach(async () => {
  // The kernel runs in the notebook's folder: any process still there (or in the root) is one we left behind.
  if (project) expect([...processesIn(project.dir), ...processesIn(join(project.dir, 'notebooks'))]).toEqual([]);
  await project?.remove();
  project = undefined;
});

function processesIn(dir: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return readlinkSync(`/proc/${pid}/cwd`) === dir;
      } catch {
        return false;
      }
    })
    .map(Number);
}

function run(p: FixtureProject, extra: Partial<RunOptions> = {}) {
  return runEntrypoints({ projectDir: p.dir, loaded: p.loaded, engine: 'local', progress, ...extra });
}

describe('a notebook that succeeds', () => {
  it('writes the executed notebook and its files into the outputs folder, the same bytes every time', async () => {
    project = await fixtureProject(['outputs.ipynb']);
    const [first] = await run(project, { outDir: join(project.dir, 'run1') });
    const [second] = await run(project);
    expect(first).toMatchObject({ status: 'ok', outputsDir: join(project.dir, 'run1', 'results', 'outputs') });
    expect(second).toMatchObject({ status: 'ok', outputsDir: join(project.dir, 'results', 'outputs') });
    const text = await readFile(join(project.dir, 'results', 'outputs', 'outputs.ipynb'), 'utf8');
    expect(await readFile(join(project.dir, 'run1', 'results', 'outputs', 'outputs.ipynb'), 'utf8')).toBe(text);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).not.toContain(project.dir);
    expect(text).not.toMatch(/"(date|execution|ExecuteTime|transient)"/);
    // The kernel ran in the notebook's folder, as Jupyter runs it; host paths are written repository-relative.
    expect(text).toContain('"wrote results/outputs/answer.json from ./notebooks\\n"');
    const notebook = JSON.parse(text);
    const outputs = notebook.cells.map((cell: { outputs?: unknown[] }) => cell.outputs ?? null);
    expect(outputs[1]).toEqual([{ name: 'stdout', output_type: 'stream', text: ['hello\n', 'world\n'] }]);
    expect(outputs[2]).toEqual([{ name: 'stdout', output_type: 'stream', text: ['42\n'] }]);
    expect(outputs[3][0].data['image/svg+xml'].join('')).toContain('<svg');
    expect(outputs[4][0].data['image/png']).toMatch(/^iVBOR/);
    expect(notebook.cells[5]).toMatchObject({ execution_count: null, outputs: [] });
    expect(notebook.metadata.kernelspec.name).toBe('tslab');
    expect(JSON.parse(await readFile(join(project.dir, 'results', 'outputs', 'answer.json'), 'utf8'))).toEqual({ answer: 42, seed: '42' });
    // No staging folders left beside the outputs.
    expect(readdirSync(join(project.dir, 'results'))).toEqual(['outputs']);
  });

  it('injects parameters after the cell tagged "parameters" and records them', async () => {
    project = await fixtureProject(['parameters.ipynb']);
    const [result] = await run(project, { parameters: { seed: 7, label: 'fast' } });
    expect(result.status).toBe('ok');
    const notebook = JSON.parse(await readFile(join(project.dir, 'results', 'parameters', 'parameters.ipynb'), 'utf8'));
    expect(notebook.metadata.repro.parameters).toEqual({ seed: 7, label: 'fast' });
    expect(notebook.cells[1].metadata.tags).toEqual(['injected-parameters']);
    expect(notebook.cells[2].outputs[0].text).toEqual(['{"seed":7,"label":"fast","doubled":14}\n']);
  });
});

describe('a notebook that fails', () => {
  it('stops at the failing cell, keeps the partial notebook in .repro/failed/<run id> and leaves results alone', async () => {
    project = await fixtureProject(['error.ipynb']);
    const [result] = await run(project);
    expect(result).toMatchObject({ status: 'failed', cellIndex: 3, ename: 'RangeError', evalue: 'x is 1' });
    expect(result.error).toBeInstanceOf(NotebookError);
    expect(result.error?.exitCode).toBe(1);
    expect(result.error?.message).toMatch(/^notebooks\/error\.ipynb cell 3: RangeError: x is 1/);
    expect(result.traceback?.join('\n')).toContain('at fail');
    expect(existsSync(join(project.dir, 'results'))).toBe(true);
    expect(readdirSync(join(project.dir, 'results'))).toEqual([]);
    expect(result.failedNotebook).toMatch(new RegExp(`^${project.dir}/\\.repro/failed/${runId.source}/error\\.ipynb$`));
    const partial = JSON.parse(await readFile(result.failedNotebook ?? '', 'utf8'));
    expect(partial.cells[0].outputs[0].text).toEqual(['cell 0\n']);
    expect(partial.cells[3].outputs.at(-1)).toMatchObject({ output_type: 'error', ename: 'RangeError' });
    expect(partial.cells[4].outputs).toEqual([]);
  });

  it('interrupts a cell that runs past the cell time limit', async () => {
    project = await fixtureProject(['endless.ipynb'], {}, { cellTimeout: '2s' });
    const [result] = await run(project);
    expect(result).toMatchObject({ status: 'failed', cellIndex: 1, ename: 'TimeoutError' });
    expect(result.evalue).toContain('cell time limit (2.0 s)');
  });

  it('reports a kernel that dies, with the cell it died in', async () => {
    project = await fixtureProject(['dies.ipynb']);
    const [result] = await run(project);
    expect(result).toMatchObject({ status: 'failed', cellIndex: 1, ename: 'KernelDied' });
    expect(result.evalue).toContain('exit code 3');
  });

  it('exits 1 from the command line with notebook, cell, error and traceback', async () => {
    project = await fixtureProject(['error.ipynb']);
    const cli = spawnSync(process.execPath, [join(repoRoot, 'bin', 'repro.js'), '-C', project.dir, 'run', '--engine', 'local'], { encoding: 'utf8' });
    expect(cli.status).toBe(1);
    expect(cli.stderr).toContain('repro: notebooks/error.ipynb cell 3: RangeError: x is 1');
    expect(cli.stderr).toMatch(new RegExp(`\\.repro/failed/${runId.source}/error\\.ipynb`));
  });
});

describe('the kernel\'s environment', () => {
  it('is an allow-list: PATH, HOME, LANG, TZ, REPRO_* and the names research.yaml lists in run.env, nothing else', async () => {
    project = await fixtureProject(['env.ipynb'], { env: ['ALLOWED_FOR_NOTEBOOK'] });
    process.env.SECRET_TOKEN = 'do-not-leak';
    process.env.ALLOWED_FOR_NOTEBOOK = 'yes';
    try {
      const [result] = await run(project);
      expect(result.status).toBe('ok');
    } finally {
      delete process.env.SECRET_TOKEN;
      delete process.env.ALLOWED_FOR_NOTEBOOK;
    }
    const notebook = JSON.parse(await readFile(join(project.dir, 'results', 'env', 'env.ipynb'), 'utf8'));
    const [names, values] = notebook.cells[0].outputs[0].text.map((line: string) => JSON.parse(line));
    expect(values).toEqual({ token: null, passed: 'yes' });
    // tslab's own process adds nothing of the caller's: every name is allowed or is a REPRO_ variable.
    const allowed = new Set(['PATH', 'HOME', 'LANG', 'TZ', 'ALLOWED_FOR_NOTEBOOK']);
    expect((names as string[]).filter((name) => !allowed.has(name) && !name.startsWith('REPRO_'))).toEqual([]);
    expect(names).toEqual(expect.arrayContaining(['REPRO_OUTPUTS', 'REPRO_PROJECT_ROOT', 'REPRO_SEED']));
  });
});

describe('bad input', () => {
  it('refuses malformed JSON with file, line and column, before running anything', async () => {
    project = await fixtureProject(['outputs.ipynb', 'malformed.ipynb']);
    const error = await run(project).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ManifestError);
    expect((error as ManifestError).exitCode).toBe(2);
    expect((error as ManifestError).message).toMatch(/^notebooks\/malformed\.ipynb:\d+:\d+: not valid JSON/);
    expect(existsSync(join(project.dir, 'results'))).toBe(false);
  });

  it('names the field of a notebook that is not nbformat 4', async () => {
    project = await fixtureProject(['not-a-notebook.ipynb']);
    const error = await run(project).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ManifestError);
    expect((error as ManifestError).message).toContain('notebooks/not-a-notebook.ipynb: not an nbformat 4 notebook: cells[1].cell_type');
  });

  it('refuses a notebook that is not an entrypoint', async () => {
    project = await fixtureProject(['outputs.ipynb']);
    const error = await run(project, { notebooks: ['notebooks/other.ipynb'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
  });
});
