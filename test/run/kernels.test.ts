// The notebook's own kernel on this machine: Python (ipykernel), R (IRkernel) and JavaScript (jslab) notebooks run
// in their folder with REPRO_* set, take -p overrides in their own language, keep their kernelspec, and report
// errors by cell. Needs Debian's python3-ipykernel and r-cran-irkernel: fails in CI without them, skips elsewhere.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createProgress } from '../../src/cli/progress.ts';
import { ManifestError } from '../../src/errors.ts';
import { runEntrypoints } from '../../src/run/index.ts';
import type { RunOptions } from '../../src/run/types.ts';
import { fixtureProject, type FixtureProject } from './project.ts';

const progress = createProgress({ quiet: true });
let project: FixtureProject | undefined;
afterEach(async () => {
  await project?.remove();
  project = undefined;
});

function kernelInstalled(name: string): boolean {
  const found = ['/usr/share/jupyter', '/usr/local/share/jupyter'].some((dir) => existsSync(join(dir, 'kernels', name, 'kernel.json')));
  if (!found && process.env.CI) throw new Error(`CI is set but the ${name} kernel is not installed (see .ci/run)`);
  return found;
}

function run(p: FixtureProject, extra: Partial<RunOptions> = {}) {
  return runEntrypoints({ projectDir: p.dir, loaded: p.loaded, engine: 'local', progress, ...extra });
}

async function executed(p: FixtureProject, name: string) {
  return JSON.parse(await readFile(join(p.dir, 'results', name, `${name}.ipynb`), 'utf8'));
}

function texts(cell: { outputs: Array<{ text?: string[]; data?: Record<string, string[]> }> }): string {
  return cell.outputs.map((output) => (output.text ?? output.data?.['text/plain'] ?? []).join('')).join('');
}

describe.runIf(kernelInstalled('python3'))('a Python notebook (ipykernel)', () => {
  it('runs in its folder with REPRO_* set, writes its outputs and keeps its kernelspec and language_info', async () => {
    project = await fixtureProject(['python.ipynb']);
    const [result] = await run(project);
    expect(result.status).toBe('ok');
    const notebook = await executed(project, 'python');
    expect(JSON.parse(texts(notebook.cells[1]))).toEqual({ cwd: 'notebooks', root: true, seed: '42' });
    expect(texts(notebook.cells[2])).toBe('base 42\n');
    expect(notebook.cells[3].outputs[0]).toMatchObject({ output_type: 'execute_result', data: { 'text/plain': ['42'] } });
    expect(notebook.metadata.kernelspec).toEqual({ display_name: 'Python 3 (ipykernel)', language: 'python', name: 'python3' });
    expect(notebook.metadata.language_info.name).toBe('python');
    expect(await readFile(join(project.dir, 'results', 'python', 'values.csv'), 'utf8')).toBe('label,value\nbase,42\n');
  });

  it('takes -p overrides as Python literals after the parameters cell and records them', async () => {
    project = await fixtureProject(['python.ipynb']);
    const [result] = await run(project, { parameters: { scale: 3, label: 'it\'s "new"' }, outDir: join(project.dir, 'out') });
    expect(result.status).toBe('ok');
    const notebook = JSON.parse(await readFile(join(project.dir, 'out', 'results', 'python', 'python.ipynb'), 'utf8'));
    expect(notebook.cells[1].source.join('')).toContain('scale = 3');
    expect(notebook.metadata.repro.parameters).toEqual({ scale: 3, label: 'it\'s "new"' });
    expect(await readFile(join(project.dir, 'out', 'results', 'python', 'values.csv'), 'utf8')).toBe('label,value\nit\'s "new",63\n');
  });

  it('reports the failing cell with the Python exception and keeps the partial notebook', async () => {
    project = await fixtureProject(['python-error.ipynb']);
    const [result] = await run(project);
    expect(result).toMatchObject({ status: 'failed', cellIndex: 1, ename: 'ValueError', evalue: 'x is 1' });
    expect(result.error?.message).toMatch(/^notebooks\/python-error\.ipynb cell 1: ValueError: x is 1/);
    expect(result.failedNotebook).toMatch(/\/\.repro\/failed\/[^/]+\/python-error\.ipynb$/);
    const partial = JSON.parse(await readFile(result.failedNotebook ?? '', 'utf8'));
    expect(texts(partial.cells[1])).toContain('before');
    expect(partial.cells[2].outputs).toEqual([]);
  });
});

describe.runIf(kernelInstalled('ir'))('an R notebook (IRkernel)', () => {
  it('runs in its folder, takes -p overrides as R literals and writes its CSV', async () => {
    project = await fixtureProject(['r.ipynb']);
    const [result] = await run(project, { parameters: { scale: 3 }, outDir: join(project.dir, 'out') });
    expect(result.status).toBe('ok');
    const notebook = JSON.parse(await readFile(join(project.dir, 'out', 'results', 'r', 'r.ipynb'), 'utf8'));
    expect(notebook.cells[1].source.join('')).toContain('scale <- 3');
    expect(texts(notebook.cells[2])).toBe('notebooks TRUE 42 \n');
    expect(notebook.metadata.kernelspec.name).toBe('ir');
    expect(notebook.metadata.language_info.name).toBe('R');
    expect(await readFile(join(project.dir, 'out', 'results', 'r', 'values.csv'), 'utf8')).toBe('"label","value"\n"base",63\n');
  });
});

describe('a JavaScript notebook (jslab)', () => {
  it('runs as JavaScript, not TypeScript, and stays a jslab notebook', async () => {
    project = await fixtureProject(['jslab.ipynb']);
    const [result] = await run(project, { parameters: { scale: 4 }, outDir: join(project.dir, 'out') });
    expect(result.status).toBe('ok');
    const notebook = JSON.parse(await readFile(join(project.dir, 'out', 'results', 'jslab', 'jslab.ipynb'), 'utf8'));
    expect(texts(notebook.cells[2])).toBe('number 84 notebooks\n');
    expect(notebook.metadata.kernelspec).toEqual({ display_name: 'JavaScript', language: 'javascript', name: 'jslab' });
    expect(notebook.metadata.language_info.name).toBe('javascript');

    // The same cell as TypeScript is refused: proof that the kernel was jslab's, not tslab's.
    const file = join(project.dir, 'notebooks', 'jslab.ipynb');
    const asTypeScript = JSON.parse(await readFile(file, 'utf8'));
    asTypeScript.metadata.kernelspec = { display_name: 'TypeScript', language: 'typescript', name: 'tslab' };
    await writeFile(file, JSON.stringify(asTypeScript));
    const [typescript] = await run(project, { outDir: join(project.dir, 'ts') });
    expect(typescript).toMatchObject({ status: 'failed', cellIndex: 1, ename: 'TypeScriptError' });
    expect(typescript.evalue).toContain("Property 'value' does not exist on type '{}'");
  });
});

describe('a kernel repro has no pack for', () => {
  it('is bad input (exit 2) naming the notebook and its kernel, before any notebook runs', async () => {
    project = await fixtureProject(['jslab.ipynb', 'python.ipynb']);
    const file = join(project.dir, 'notebooks', 'python.ipynb');
    const notebook = JSON.parse(await readFile(file, 'utf8'));
    notebook.metadata.kernelspec = { display_name: 'Julia 1.9', language: 'julia', name: 'julia-1.9' };
    notebook.metadata.language_info = { name: 'julia' };
    await writeFile(file, JSON.stringify(notebook));
    const error = await run(project).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ManifestError);
    expect((error as ManifestError).message).toBe('notebooks/python.ipynb names the kernel "julia-1.9" (language julia), and repro runs only tslab, jslab, python3, ir');
    expect(existsSync(join(project.dir, 'results'))).toBe(false);
  });
});
