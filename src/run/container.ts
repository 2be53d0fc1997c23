// Runs entrypoints inside the project's image: no network (unless research.yaml says otherwise), non-root, no
// capabilities and no privilege gain, memory/CPU/process limits, read-only root file system, tmpfs /tmp, data
// mounted read-only, and a fresh host folder at /out holding the run specification; the inner
// `repro run --spec /out/spec.json --result /out/result.json` fills it, and the results are moved into place.
import { chmod, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { EngineError } from '../errors.ts';
import type { Entrypoint } from '../manifest/schema.ts';
import { ensureProjectImage } from './image.ts';
import { swapFolder } from '../files/swap.ts';
import { notebookError } from './local.ts';
import { readNotebook } from './notebook.ts';
import { refuseContainerOutputs } from './output-check.ts';
import { assertImageHasKernel, notebookKernel } from './kernel-choice.ts';
import { runContainerOptions } from './container-options.ts';
import { specsFor } from './results.ts';
import { readRunResultsIfAny, writeRunSpecs, type RunResult } from './spec.ts';
import { defaultFailedDir, type NotebookResult, type RunOptions } from './types.ts';

/**
 * Seams for tests and benchmarks: run a given image, with the project bind-mounted (read-only) at a path instead of
 * the copy baked into the image, so a small fixture project can run in the repository's image without a build.
 */
export interface ContainerSeams {
  image?: string;
  mountProjectAt?: string;
}

export async function runInContainer(options: RunOptions, entrypoints: Entrypoint[], seams: ContainerSeams = {}): Promise<NotebookResult[]> {
  const projectDir = resolve(options.projectDir);
  const { manifest } = options.loaded;
  // Bad notebooks, and notebooks whose kernel the image would not have, are refused on the host, before an image
  // is built or a container started.
  const notebooks = await Promise.all(entrypoints.map((entry) => readNotebook(join(projectDir, entry.notebook), entry.notebook)));
  for (const [i, entry] of entrypoints.entries()) assertImageHasKernel(manifest, entry.notebook, notebookKernel(notebooks[i], entry.notebook));
  const { connectEngine } = await import('../engine/index.ts');
  const { ensureData } = await import('../data/index.ts');
  if (options.engine === 'local') throw new Error('runInContainer called for --engine local');
  const engine = await connectEngine({ engine: options.engine });
  const image = seams.image ?? (await ensureProjectImage({ projectDir, loaded: options.loaded, engine, progress: options.progress }));
  const data = await ensureData(projectDir, manifest.data, { progress: options.progress });

  const outRoot = resolve(options.outDir ?? projectDir);
  await mkdir(outRoot, { recursive: true });
  // A folder of its own per run: concurrent runs never share a scratch path.
  const hostOut = await mkdtemp(join(outRoot, '.repro-container-'));
  try {
    // The container's user is not us: it must be able to write here.
    await chmod(hostOut, 0o777);
    // Paths in the spec are relative to its file, /out/spec.json inside: outputs land in /out/<entrypoint outputs>.
    const specs = specsFor(entrypoints, { manifest, parameters: options.parameters, seed: options.seed, outDir: '.', failedDir: failedFolder, image: { tag: image } });
    await writeRunSpecs(join(hostOut, 'spec.json'), specs);
    let tail = '';
    const container = await engine.startContainer({
      ...runContainerOptions({
        image,
        manifest,
        runFolder: hostOut,
        data,
        user: containerUser(),
        ...(seams.mountProjectAt ? { mountProject: { host: projectDir, at: seams.mountProjectAt } } : {}),
      }),
      // With a signal the CLI owns Ctrl-C: it aborts, and the container is stopped and removed.
      ...(options.signal ? { signal: options.signal, stopOnSignal: false } : {}),
      onOutput: (chunk) => {
        const text = chunk.toString('utf8');
        tail = (tail + text).slice(-4000);
        for (const line of text.split('\n')) if (line.trim() !== '') options.progress.log(`  │ ${line}`);
      },
    });
    for (const warning of container.warnings) options.progress.log(`warning: ${warning}`);
    const exitCode = await container.wait();
    // A malformed result file is an EngineError naming it; a missing one means the container died first.
    const inner = await readRunResultsIfAny(join(hostOut, 'result.json'));
    if (!inner) {
      throw new EngineError(`the container exited with code ${exitCode} before reporting any notebook`, {
        hint: `Its last output:\n${tail.trim()}`,
      });
    }
    const results = await collect(options, projectDir, outRoot, hostOut, entrypoints, inner);
    return results.map((result) => ({ ...result, imageId: container.imageId }));
  } finally {
    await rm(hostOut, { recursive: true, force: true });
  }
}

/** Inside the run folder: where the inner run keeps failed notebooks (never an outputs folder: those are repository paths). */
const failedFolder = '.failed';

async function collect(
  options: RunOptions,
  projectDir: string,
  outRoot: string,
  hostOut: string,
  entrypoints: Entrypoint[],
  inner: RunResult[],
): Promise<NotebookResult[]> {
  const results: NotebookResult[] = [];
  for (const entry of entrypoints) {
    const done = inner.find((result) => result.notebook === entry.notebook);
    const base = { notebook: entry.notebook, outputs: entry.outputs, elapsedMs: done?.elapsedMs ?? 0, ...(done?.warnings?.length ? { warnings: done.warnings } : {}) };
    const refused = await refuseContainerOutputs(hostOut, entry, base, done);
    if (refused) {
      results.push(refused);
      continue;
    }
    if (done?.status === 'ok') {
      const destination = resolve(outRoot, entry.outputs);
      await mkdir(resolve(destination, '..'), { recursive: true });
      await swapFolder(join(hostOut, entry.outputs), destination);
      results.push({ ...base, status: 'ok', outputsDir: destination });
      continue;
    }
    const failedDir = resolve(options.failedDir ?? defaultFailedDir(projectDir));
    await mkdir(failedDir, { recursive: true });
    const failedNotebook = join(failedDir, basename(entry.notebook));
    await rename(join(hostOut, failedFolder, basename(entry.notebook)), failedNotebook).catch(() => undefined);
    const failure = {
      kind: 'error' as const,
      cellIndex: done?.cellIndex ?? 0,
      ename: done?.ename ?? 'Error',
      evalue: done?.evalue ?? 'the notebook did not run in the container',
      traceback: done?.traceback ?? [],
    };
    results.push({
      ...base,
      status: 'failed',
      failedNotebook,
      error: notebookError(entry.notebook, failure, relative(projectDir, failedNotebook) || failedNotebook, options.loaded.manifest.run.network === 'none'),
      cellIndex: done?.cellIndex,
      ename: failure.ename,
      evalue: failure.evalue,
      traceback: failure.traceback,
    });
  }
  return results;
}

/**
 * The image's `repro` user when we are root; otherwise our own uid:gid, so the outputs the container writes
 * belong to the person who ran repro and can be moved into place and deleted by them.
 */
export function containerUser(): string {
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  return uid === 0 ? 'repro' : `${uid}:${gid}`;
}
