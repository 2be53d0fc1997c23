// Build time and image size per sample repository (test/fixtures/repos/<case>, or the folders named in
// REPRO_BENCH_REPOS, `:`-separated): `repro lock`, a cold build (no layer cache; the base image and the host
// caches of tarballs and npm packages kept, as on any machine after its first build), a warm no-op, a rebuild after
// a notebook edit, and the image size. Prints one table; removes the images it made.
import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createProgress, formatBytes, formatDuration } from '../src/cli/progress.ts';
import { connectEngine } from '../src/engine/index.ts';
import { resolveLock, writeLock } from '../src/lock/index.ts';
import { loadManifest } from '../src/manifest/load.ts';
import { buildProjectImage, planProjectImage } from '../src/render/index.ts';

const root = join(import.meta.dirname, '..');
const cases = process.env.REPRO_BENCH_REPOS?.split(':') ?? ['minimal', 'tslab', 'jslab', 'python', 'r'].map((name) => join(root, 'test/fixtures/repos', name));
const engine = await connectEngine();
const progress = createProgress({ quiet: !process.env.REPRO_BENCH_VERBOSE });
const rows: string[][] = [];

for (const source of cases) {
  const work = await mkdtemp(join(tmpdir(), 'repro-bench-repos-'));
  const project = join(work, basename(source));
  const made = new Set<string>();
  try {
    await cp(source, project, { recursive: true, filter: (path) => !/\/(node_modules|\.git|\.repro|results)(\/|$)/.test(path.slice(source.length)) });
    let loaded = await loadManifest(project);
    let started = Date.now();
    await writeLock(project, await resolveLock({ loaded, engine, progress }));
    const lockMs = Date.now() - started;
    const cold = await planProjectImage(project, loaded);
    await engine.removeImage(cold.tag, { force: true });
    const first = await buildProjectImage({ projectDir: project, loaded, engine, progress, plan: cold, noCache: true });
    made.add(first.tag);
    started = Date.now();
    const warm = await buildProjectImage({ projectDir: project, loaded, engine, progress });
    const warmMs = Date.now() - started;

    const notebook = join(project, loaded.manifest.entrypoints[0].notebook);
    const ipynb = JSON.parse(await readFile(notebook, 'utf8')) as { cells: Array<Record<string, unknown>> };
    ipynb.cells.push({ cell_type: 'markdown', metadata: {}, source: ['Edited for the benchmark.'] });
    await writeFile(notebook, JSON.stringify(ipynb, null, 1) + '\n');
    loaded = await loadManifest(project);
    const edited = await buildProjectImage({ projectDir: project, loaded, engine, progress });
    made.add(edited.tag);
    const size = Number(execFileSync('docker', ['image', 'inspect', '--format', '{{.Size}}', edited.tag], { encoding: 'utf8' }).trim());
    rows.push([
      basename(source),
      loaded.manifest.environment.kernels.join(', ') || '-',
      formatDuration(lockMs),
      formatDuration(first.durationMs),
      warm.built ? 'BUILT (unexpected)' : formatDuration(warmMs),
      `${formatDuration(edited.durationMs)} (${edited.steps - edited.cachedSteps}/${edited.steps} steps)`,
      formatBytes(size),
    ]);
  } catch (error) {
    rows.push([basename(source), 'FAILED', (error as Error).message.split('\n')[0], '', '', '', '']);
  } finally {
    for (const tag of made) await engine.removeImage(tag, { force: true });
    await rm(work, { recursive: true, force: true });
  }
}

const header = ['repository', 'extra kernels', 'repro lock', 'cold build', 'warm no-op', 'after a notebook edit', 'image size'];
const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
console.log('repro build per sample repository (cold: no layer cache; base image and host caches kept)\n');
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const row of rows) console.log(line(row));
if (rows.some((row) => row[1] === 'FAILED')) process.exit(1);
