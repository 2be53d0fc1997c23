// Measures `repro build`: cold (no image for the tag; the base and host caches kept), warm no-op (in process and as
// the `repro build` command), and a rebuild after a notebook edit. Builds a copy of test/fixtures/repos/minimal,
// or the project named by REPRO_BENCH_PROJECT (copied the same way). Then the sizes of this repository's analysis
// image and of its echo service image (`repro serve echo`), and a cold base bootstrap (debootstrap into a fresh
// package cache, imported under a bench tag so the real debian:bookworm is never touched), then a second one that
// finds the .deb files in that cache. Prints a table; removes the images it made (not this repository's own).
import { execFileSync, spawnSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { bootstrapBase } from '../src/engine/base.ts';
import { connectEngine } from '../src/engine/index.ts';
import { parseLock, readLock, serializeLock, toolkitBundle, toolkitDependenciesSha256 } from '../src/lock/index.ts';
import { ensureServiceImage } from '../src/serve/image.ts';
import { loadManifest } from '../src/manifest/load.ts';
import { buildProjectImage, planProjectImage } from '../src/render/index.ts';
import { createProgress, formatBytes, formatDuration } from '../src/cli/progress.ts';

const root = join(import.meta.dirname, '..');
const source = process.env.REPRO_BENCH_PROJECT ?? join(root, 'test/fixtures/repos/minimal');
const work = await mkdtemp(join(tmpdir(), 'repro-bench-build-'));
const project = join(work, 'project');
// A copy, so the notebook edit never touches the repository; node_modules and results do not go into images anyway.
await cp(source, project, { recursive: true, filter: (path) => !/\/(node_modules|\.git|\.repro|results)(\/|$)/.test(path.slice(source.length)) });
// The copy's lock names this repro (its bundle changes with every edit of src/), as the tests' fixture copies do.
const lockFile = join(project, 'research.lock');
const copiedLock = parseLock(await readFile(lockFile, 'utf8'));
copiedLock.toolkit = { bundle: (await toolkitBundle()).sha256, dependencies: await toolkitDependenciesSha256() };
await writeFile(lockFile, serializeLock(copiedLock));

const engine = await connectEngine();
const progress = createProgress({ quiet: !process.env.REPRO_BENCH_VERBOSE });
const rows: Array<[string, string, string]> = [];
const made = new Set<string>();

try {
  let loaded = await loadManifest(project);
  const cold = await planProjectImage(project, loaded);
  await engine.removeImage(cold.tag, { force: true });
  // Cold: no image for this tag and the layer cache ignored (the base and the host caches for node, npm and
  // the npm packages stay: they are fetched once per machine, not per build).
  const first = await buildProjectImage({ projectDir: project, loaded, engine, progress, plan: cold, noCache: true });
  made.add(first.tag);
  rows.push(['cold build (no layer cache)', formatDuration(first.durationMs), `${first.steps} steps run`]);

  const warm = await buildProjectImage({ projectDir: project, loaded, engine, progress });
  rows.push(['warm no-op (in process)', formatDuration(warm.durationMs), warm.built ? 'BUILT (unexpected)' : 'no Docker build']);

  const started = process.hrtime.bigint();
  const cli = spawnSync(process.execPath, [join(root, 'bin/repro.js'), 'build', '-q', '-C', project], { encoding: 'utf8' });
  const cliMs = Number(process.hrtime.bigint() - started) / 1e6;
  rows.push(['warm no-op (`repro build` process)', formatDuration(cliMs), cli.status === 0 ? `exit 0, ${cli.stdout.trim()}` : `exit ${cli.status}: ${cli.stderr.trim()}`]);

  const notebook = join(project, loaded.manifest.entrypoints[0].notebook);
  const ipynb = JSON.parse(await readFile(notebook, 'utf8')) as { cells: Array<{ cell_type: string; metadata: object; source: string[] }> };
  ipynb.cells.push({ cell_type: 'markdown', metadata: {}, source: [`Edited at ${new Date().toISOString()}.`] });
  await writeFile(notebook, JSON.stringify(ipynb, null, 1) + '\n');
  loaded = await loadManifest(project);
  const edited = await buildProjectImage({ projectDir: project, loaded, engine, progress });
  made.add(edited.tag);
  rows.push(['rebuild after a notebook edit', formatDuration(edited.durationMs), `${edited.steps - edited.cachedSteps} of ${edited.steps} steps run, the rest from layer cache`]);

  rows.push(['image size', formatBytes(imageSize(edited.tag)), edited.tag]);

  // This repository's own images: built when missing (a warm no-op otherwise) and kept.
  const own = await loadManifest(root);
  const analysis = await buildProjectImage({ projectDir: root, loaded: own, engine, progress });
  rows.push(['analysis image size (this repository)', formatBytes(imageSize(analysis.tag)), `${analysis.tag}${analysis.built ? `, built in ${formatDuration(analysis.durationMs)}` : ''}`]);
  const lock = await readLock(root);
  const echo = own.manifest.services.echo;
  if (echo && lock) {
    const service = await ensureServiceImage({ projectDir: root, manifest: own.manifest, name: 'echo', service: echo, engine, node: { version: lock.node.version, package: lock.node.package, sha256: lock.node.sha256 }, progress });
    rows.push(['service image size (repro serve echo)', formatBytes(service.size), service.tag]);
  }

  const docker = new Docker();
  const benchRef = 'repro-bench/debian-bootstrap:bookworm';
  const packageCache = join(work, 'debootstrap-cache');
  try {
    const cold = await bootstrapBase(docker, own.manifest.environment.base, { importAs: benchRef, packageCache, progress });
    rows.push(['cold base bootstrap (no image, no package cache)', formatDuration(cold.totalMs), `debootstrap ${formatDuration(cold.debootstrapMs)}, import ${formatDuration(cold.importMs)}`]);
    await engine.removeImage(benchRef, { force: true });
    const cached = await bootstrapBase(docker, own.manifest.environment.base, { importAs: benchRef, packageCache, progress });
    rows.push(['cold base bootstrap (no image, .deb cache kept)', formatDuration(cached.totalMs), `debootstrap ${formatDuration(cached.debootstrapMs)}, import ${formatDuration(cached.importMs)}`]);
    rows.push(['bootstrapped base size', formatBytes(imageSize(benchRef)), 'docs, manual pages and translations left out']);
  } catch (error) {
    rows.push(['cold base bootstrap', 'failed', error instanceof Error ? error.message.split('\n')[0] : String(error)]);
  } finally {
    await engine.removeImage(benchRef, { force: true });
  }
} finally {
  for (const tag of made) await engine.removeImage(tag, { force: true });
  await rm(work, { recursive: true, force: true });
}

function imageSize(tag: string): number {
  return Number(execFileSync('docker', ['image', 'inspect', '--format', '{{.Size}}', tag], { encoding: 'utf8' }).trim());
}

const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i].length), ['what', 'time', 'notes'][i].length));
const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
console.log(`repro build, ${source === join(root, 'test/fixtures/repos/minimal') ? 'test/fixtures/repos/minimal' : source}\n`);
console.log(line(['what', 'time', 'notes']));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const row of rows) console.log(line(row));
