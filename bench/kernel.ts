// Kernel start-up and per-cell overhead: our ZeroMQ client on a local tslab, the same in the project's container,
// and Debian's `jupyter nbconvert --execute` driving the same tslab on the same notebooks. Prints a table.
// Per cell: for our client and nbclient, the span from the first cell's request to the last cell's idle / 20 on a
// started kernel; for whole runs, (20-cell run − 1-cell run) / 19. Medians of REPS runs, 1- and 20-cell alternated.
// Measured 2026-11-25, 2 shared cores at load ~2-5 (ms): client start-up 2188, per cell 33; repro run local 1-cell
// 2294, 20-cell 2891; nbconvert 6.5.3 1-cell 5327, 20-cell 6809, per cell 65; container 1-cell 6753, 20-cell 7173.
// Run: npx tsx bench/kernel.ts [reps]   (nbconvert: apt-get install jupyter-nbconvert jupyter-client python3-nbclient)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProgress } from '../src/cli/progress.ts';
import { startKernel } from '../src/kernel/kernel.ts';
import { bundledTslab } from '../src/kernel/kernelspec.ts';
import { runEntrypoints } from '../src/run/index.ts';
import { fixtureProject, repoRoot } from '../test/run/project.ts';

const reps = Number(process.argv[2] ?? 3);
const quiet = createProgress({ quiet: true });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}
/** Medians of the 1-cell and 20-cell runs, alternated so that load from elsewhere hits both alike. */
async function pair(one: () => Promise<unknown>, twenty: () => Promise<unknown>): Promise<[number, number]> {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < reps; i++) {
    a.push(await timed(one));
    b.push(await timed(twenty));
  }
  return [median(a), median(b)];
}

interface Row {
  how: string;
  startup: number | string;
  perCell: number | string;
  one: number | string;
  twenty: number | string;
}
const rows: Row[] = [];

// 1. The client alone: time to a ready kernel, and a trivial execute round trip on a warm kernel.
{
  const startups: number[] = [];
  const cells: number[] = [];
  for (let i = 0; i < reps; i++) {
    let kernel!: Awaited<ReturnType<typeof startKernel>>;
    startups.push(await timed(async () => (kernel = await startKernel({ cwd: repoRoot }))));
    try {
      const t = performance.now();
      for (let c = 0; c < 20; c++) await kernel.execute(`const v${c} = ${c};`, { timeoutMs: 60_000 });
      cells.push((performance.now() - t) / 20);
    } finally {
      await kernel.shutdown();
    }
  }
  rows.push({ how: 'kernel client (tslab, local)', startup: median(startups), perCell: median(cells), one: '', twenty: '' });
}

// 2. repro run --engine local, end to end (start, cells, shutdown, write), 1 and 20 cells.
const project = await fixtureProject(['trivial1.ipynb', 'trivial20.ipynb']);
const { loaded } = project;
const runLocal = (notebook: string) => () =>
  runEntrypoints({ projectDir: project.dir, loaded, engine: 'local', notebooks: [notebook], progress: quiet });
{
  const [t1, t20] = await pair(runLocal('notebooks/trivial1.ipynb'), runLocal('notebooks/trivial20.ipynb'));
  rows.push({ how: 'repro run --engine local', startup: t1, perCell: (t20 - t1) / 19, one: t1, twenty: t20 });
}

// 3. Debian's nbconvert with the same tslab, registered in a private JUPYTER_PATH.
rows.push(await nbconvertRow(project.dir));

// 4. In the project's image: docker run … repro run --engine local, this bench project mounted (last: relinks node_modules).
rows.push(await containerRow(project.dir));
await project.remove();

const cell = (v: number | string) => (typeof v === 'number' ? `${Math.round(v)}` : v).padStart(9);
console.log(`Kernel start-up and per-cell overhead, tslab, medians of ${reps} (ms; 2 shared cores)\n`);
console.log('| how                          | start-up | per cell | 1-cell nb | 20-cell nb |');
console.log('| ---------------------------- | -------- | -------- | --------- | ---------- |');
for (const r of rows) console.log(`| ${r.how.padEnd(28)} |${cell(r.startup)} |${cell(r.perCell)} |${cell(r.one).padStart(10)} |${cell(r.twenty).padStart(11)} |`);
console.log('\nstart-up: client = spawn to kernel_info + iopub ready; other rows = a whole 1-cell run (process start, kernel, shutdown, write).');
console.log('per cell: client and nbconvert = first request to last idle on a running kernel / 20; repro run rows = (20-cell − 1-cell) / 19.');

async function containerRow(dir: string): Promise<Row> {
  const how = 'repro run (container)';
  try {
    const { connectEngine } = await import('../src/engine/index.ts');
    const { ensureProjectImage } = await import('../src/run/image.ts');
    const { runInContainer } = await import('../src/run/container.ts');
    const { loadManifest } = await import('../src/manifest/load.ts');
    const engine = await connectEngine();
    const image = await ensureProjectImage({ projectDir: repoRoot, loaded: await loadManifest(repoRoot), engine, progress: quiet });
    // The bench project runs in the repository's image, mounted; inside, node_modules are the image's.
    await rm(join(dir, 'node_modules'));
    await symlink('/project/node_modules', join(dir, 'node_modules'));
    await chmod(dir, 0o755);
    const inContainer = (notebook: string) => async () => {
      const entrypoints = loaded.manifest.entrypoints.filter((entry) => entry.notebook === notebook);
      const options = { projectDir: dir, loaded, engine: 'docker' as const, progress: quiet };
      const [result] = await runInContainer(options, entrypoints, { image, mountProjectAt: '/bench' });
      if (result.status !== 'ok') throw result.error ?? new Error('failed');
    };
    const [t1, t20] = await pair(inContainer('notebooks/trivial1.ipynb'), inContainer('notebooks/trivial20.ipynb'));
    return { how, startup: t1, perCell: (t20 - t1) / 19, one: t1, twenty: t20 };
  } catch (error) {
    return { how, startup: `n/a: ${error instanceof Error ? error.message.slice(0, 60) : String(error)}`, perCell: 'n/a', one: 'n/a', twenty: 'n/a' };
  }
}

async function nbconvertRow(dir: string): Promise<Row> {
  if (!existsSync('/usr/bin/jupyter-nbconvert')) {
    return { how: 'jupyter nbconvert --execute', startup: 'n/a: not installed', perCell: 'n/a', one: 'n/a', twenty: 'n/a' };
  }
  const jupyterPath = await mkdtemp(join(tmpdir(), 'repro-bench-jupyter-'));
  await mkdir(join(jupyterPath, 'kernels', 'tslab'), { recursive: true });
  const spec = bundledTslab();
  await writeFile(join(jupyterPath, 'kernels', 'tslab', 'kernel.json'), JSON.stringify({ argv: spec.argv, display_name: 'TypeScript', language: 'typescript' }));
  const spans: number[] = [];
  const convert = (name: string) => async () => {
    const result = spawnSync(
      '/usr/bin/python3',
      ['-m', 'nbconvert', '--to', 'notebook', '--execute', '--ExecutePreprocessor.kernel_name=tslab', '--output-dir', join(jupyterPath, 'out'), join(dir, 'notebooks', `${name}.ipynb`)],
      { cwd: dir, env: { ...process.env, JUPYTER_PATH: jupyterPath }, encoding: 'utf8' },
    );
    if (result.status !== 0) throw new Error(`nbconvert failed: ${result.stderr.slice(-300)}`);
    if (name === 'trivial20') spans.push(await cellSpan(join(jupyterPath, 'out', `${name}.ipynb`)));
  };
  try {
    const [t1, t20] = await pair(convert('trivial1'), convert('trivial20'));
    return { how: 'jupyter nbconvert --execute', startup: t1, perCell: median(spans), one: t1, twenty: t20 };
  } catch (error) {
    return { how: 'jupyter nbconvert --execute', startup: `n/a: ${String(error).slice(0, 60)}`, perCell: 'n/a', one: 'n/a', twenty: 'n/a' };
  } finally {
    await rm(jupyterPath, { recursive: true, force: true });
  }
}

/** nbclient's recorded timings: from the first cell going busy to the last going idle, per cell. */
async function cellSpan(file: string): Promise<number> {
  const notebook = JSON.parse(await readFile(file, 'utf8')) as { cells: Array<{ metadata: { execution?: Record<string, string> } }> };
  const first = notebook.cells[0].metadata.execution?.['iopub.status.busy'];
  const last = notebook.cells.at(-1)?.metadata.execution?.['iopub.status.idle'];
  if (!first || !last) return Number.NaN;
  return (Date.parse(last) - Date.parse(first)) / notebook.cells.length;
}
