// Sweep points as one Slurm job array: the image goes to the shared folder as a `docker save` archive, the rendered
// task script runs point <task id> on its node, and this process follows the array (squeue/scontrol) until every
// task has ended, reporting each point as its task finishes. Aborting (Ctrl-C in the CLI) cancels the array.
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Engine } from '../engine/index.ts';
import { EngineError } from '../errors.ts';
import { containerUser } from '../run/container.ts';
import { containerCommandLine, runContainerOptions } from '../run/container-options.ts';
import { readRunResultsIfAny, writeRunResults, type RunResult } from '../run/spec.ts';
import type { ExecutorOptions, PointOutcome, PointPlan, SweepExecutor } from '../sweep/executor.ts';
import { failedResult } from '../sweep/outcome.ts';
import { ensureImageArchive } from './image-archive.ts';
import { arrayStatus, cancel, clusterInfo, submitArray, type TaskStatus } from './slurm.ts';
import { isFinished } from './slurm-parse.ts';
import { describeTask, recordSubmission, slurmFolder } from './submissions.ts';
import { accountingFile, pointDirMarker, renderTaskScript } from './task-script.ts';

export interface SlurmExecutorSetup {
  /** The project's image (tag or id); its id is what the tasks run. */
  image: string;
  engine: Pick<Engine, 'inspectImage'>;
  /** `docker save` of an image (engine/saveImage). */
  saveImage: (ref: string) => Promise<NodeJS.ReadableStream>;
  /** Data files (host path → project-relative path); on a cluster they must be on the shared file system. */
  data: ReadonlyArray<{ file: string; path: string }>;
  /** The engine on the nodes. */
  runtime?: 'docker' | 'podman';
  /** At most this many points at once (--array=…%N); absent: as many as the cluster gives. */
  limit?: number;
  /** CPUs Slurm allocates per point (default 1: a notebook's kernel is one process; the container's quota is run.cpus). */
  cpusPerTask?: number;
  /** How often the array is asked about (default 1000 ms). */
  pollMs?: number;
  /** Tests and benchmarks: the project bind-mounted at this path instead of the copy in the image. */
  mountProjectAt?: string;
}

/** How long Slurm may not answer while an array is followed before the sweep gives up (and cancels the array). */
const unansweredLimitMs = 120_000;

export function slurmExecutor(setup: SlurmExecutorSetup): SweepExecutor {
  return { name: 'slurm', run: (points, options) => runArray(setup, points, options) };
}

async function* runArray(setup: SlurmExecutorSetup, points: readonly PointPlan[], options: ExecutorOptions): AsyncGenerator<PointOutcome> {
  if (points.length === 0) return;
  const { progress, signal } = options;
  const cluster = await clusterInfo();
  const imageId = (await setup.engine.inspectImage(setup.image))?.id;
  if (!imageId) throw new EngineError(`the image ${setup.image} is not in the engine`, { hint: 'Build it first: repro build' });
  const archive = await ensureImageArchive(options.projectDir, imageId, setup.saveImage);
  progress.log(`slurm: image ${imageId.slice(0, 19)} ${archive.written ? 'saved to' : 'already in'} ${archive.path} (${(archive.bytes / 1e6).toFixed(0)} MB)`);

  const stateRoot = dirname(points[0].dir);
  const sweep = basename(stateRoot);
  const folder = slurmFolder(stateRoot);
  // The container's user is not the submitter: it must be able to write each point's result and outputs.
  for (const point of points) await chmod(point.dir, 0o777);
  const { manifest } = options.loaded;
  const containerArgv = containerCommandLine(
    runContainerOptions({
      image: imageId,
      manifest,
      runFolder: pointDirMarker,
      data: setup.data,
      user: containerUser(),
      ...(setup.mountProjectAt ? { mountProject: { host: options.projectDir, at: setup.mountProjectAt } } : {}),
    }),
    setup.runtime ?? 'docker',
  );
  await mkdir(folder, { recursive: true });
  const script = join(folder, `task.${process.pid}.sh`);
  await writeFile(script, renderTaskScript({ sweep, imageId, imageArchive: archive.path, points, containerArgv }), { mode: 0o755 });
  const longest = Math.max(...points.map((point) => point.spec.timeouts.notebookMs));
  const jobId = await submitArray({
    script,
    tasks: points.map((point) => point.index),
    // -j N (N > 1) caps the points at once; by default the cluster decides.
    limit: setup.limit ?? (options.jobs > 1 ? options.jobs : undefined),
    name: `repro-${sweep}`,
    workdir: folder,
    output: join(folder, '%A_%a.out'),
    cpusPerTask: setup.cpusPerTask ?? 1,
    memoryMb: Math.ceil(manifest.run.memory / 2 ** 20),
    // The notebook's own limit, plus time to load the image on a fresh node.
    timeMinutes: Math.ceil(longest / 60_000) + 10,
  });
  // sbatch keeps its own copy; ours is named by the array it became.
  await rename(script, join(folder, `${jobId}.sh`));
  await recordSubmission(stateRoot, { jobId, submittedAt: new Date().toISOString(), points: Object.fromEntries(points.map((point) => [String(point.index), point.id])) });
  progress.log(`slurm: submitted ${points.length} point${points.length === 1 ? '' : 's'} as job array ${jobId} (${cluster.partitions[0]}); logs in ${folder}`);

  const waiting = new Map(points.map((point) => [point.index, point]));
  const said = new Map<number, string>();
  let shown = '';
  try {
    let failingSince: number | undefined;
    while (waiting.size > 0 && !signal.aborted) {
      // A controller that does not answer for a moment (restart, failover) is waited out, not taken as the end.
      const tasks = await arrayStatus(jobId).then(
        (answer) => ((failingSince = undefined), answer),
        (error: unknown) => {
          if (failingSince !== undefined && Date.now() - failingSince > unansweredLimitMs) throw error;
          if (failingSince === undefined) progress.log(`slurm: no answer about job ${jobId} (${(error as Error).message}); asking again for up to ${unansweredLimitMs / 1000} s`);
          failingSince ??= Date.now();
          return undefined;
        },
      );
      if (!tasks) {
        await pause(setup.pollMs ?? 1000, signal);
        continue;
      }
      for (const task of tasks) {
        const point = waiting.get(task.task);
        if (!point) continue;
        const line = describeTask({ ...task, arrayJobId: jobId });
        if (said.get(task.task) !== task.state) progress.log(`  ${point.id}: ${line}`);
        said.set(task.task, task.state);
        if (!isFinished(task.state)) continue;
        waiting.delete(task.task);
        yield await finish(point, task, jobId, imageId, folder);
      }
      // A task Slurm has never heard of after it listed the array's others is gone (e.g. purged): it cannot report.
      if (tasks.length > 0) for (const [index, point] of waiting) if (!tasks.some((task) => task.task === index) && said.has(index)) {
        waiting.delete(index);
        yield await finish(point, { task: index, state: 'UNKNOWN' }, jobId, imageId, folder);
      }
      const counts = countStates(tasks.filter((task) => waiting.has(task.task)));
      const line = `slurm job ${jobId}: ${points.length - waiting.size}/${points.length} ended${counts ? `, ${counts}` : ''}`;
      if (line !== shown) progress.update(line);
      shown = line;
      if (waiting.size > 0) await pause(setup.pollMs ?? 1000, signal);
    }
  } finally {
    // Stopped early (Ctrl-C, an error): the array must not run on unwatched. A failing scancel is said, not thrown,
    // so the error that stopped us is the one reported.
    if (waiting.size > 0) {
      await cancelArray(jobId, options).catch((error: unknown) =>
        progress.log(`slurm: could not cancel job array ${jobId} (${(error as Error).message}); cancel it yourself: scancel ${jobId}`),
      );
    }
  }
}

/** The point's outcome once its task ended: the result it wrote, or a failure saying what Slurm saw. */
async function finish(point: PointPlan, task: TaskStatus, arrayJobId: string, imageId: string, folder: string): Promise<PointOutcome> {
  const log = join(folder, `${arrayJobId}_${task.task}.out`);
  const written = await readRunResultsIfAny(point.resultFile).catch(() => undefined);
  const onNode = await readFile(join(point.dir, accountingFile), 'utf8').then(
    (text) => JSON.parse(text) as Record<string, unknown>,
    () => ({}) as Record<string, unknown>,
  );
  const accounting: Record<string, string> = {
    arrayJobId,
    arrayTaskId: String(task.task),
    ...(task.jobId ? { jobId: task.jobId } : {}),
    state: task.state,
    ...(task.exitCode !== undefined ? { exitCode: String(task.exitCode) } : {}),
    ...(task.signal ? { signal: String(task.signal) } : {}),
    ...(task.node ? { node: task.node } : {}),
    ...(task.startedAt ? { startedAt: task.startedAt } : {}),
    ...(task.endedAt ? { endedAt: task.endedAt } : {}),
    ...(typeof onNode.imageLoaded === 'boolean' ? { imageLoaded: String(onNode.imageLoaded) } : {}),
    log,
  };
  let result: RunResult;
  if (written?.[0]) result = { ...written[0], imageId };
  else {
    const tail = await readFile(log, 'utf8').then((text) => text.trim().split('\n').slice(-5).join(' / '), () => '');
    const ended = describeTask({ ...task, arrayJobId }).replace(/ \(job \d+_\d+\)$/, '');
    result = failedResult(point, `Slurm task ${arrayJobId}_${task.task} ended ${ended} before the point wrote a result; its log: ${log}${tail ? ` (last lines: ${tail})` : ''}`, { imageId });
  }
  await writeRunResults(point.resultFile, [result]);
  return { id: point.id, result, accounting };
}

/** scancel, then wait (up to 30 s) until no task runs, so every task's container is gone when repro exits. */
async function cancelArray(jobId: string, options: ExecutorOptions): Promise<void> {
  await cancel(jobId);
  options.progress.log(`slurm: cancelled job array ${jobId}`);
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const live = (await arrayStatus(jobId).catch(() => [])).filter((task) => !isFinished(task.state));
    if (live.length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function countStates(tasks: readonly TaskStatus[]): string {
  const counts = new Map<string, number>();
  for (const task of tasks) counts.set(task.state.toLowerCase(), (counts.get(task.state.toLowerCase()) ?? 0) + 1);
  return [...counts].map(([state, count]) => `${count} ${state}`).join(', ');
}

/** Waits ms, or less when the signal aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

/** What `repro sweep --on slurm` needs from the CLI: the project, and for tests an image to use instead of its build. */
export interface SlurmExecutorRequest {
  projectDir: string;
  loaded: ExecutorOptions['loaded'];
  progress: ExecutorOptions['progress'];
  seams?: { image?: string; mountProjectAt?: string };
}

/**
 * The Slurm executor for a project: checks that Slurm answers before anything is built, then builds (or finds) the
 * image and the data the points mount. The image travels to the nodes as an archive in the shared folder.
 */
export async function createSlurmExecutor(request: SlurmExecutorRequest): Promise<{ executor: SweepExecutor; image: string }> {
  await clusterInfo();
  const { connectEngine } = await import('../engine/index.ts');
  const { ensureData } = await import('../data/index.ts');
  const { ensureProjectImage } = await import('../run/image.ts');
  const engine = await connectEngine();
  const image = request.seams?.image ?? (await ensureProjectImage({ projectDir: request.projectDir, loaded: request.loaded, engine, progress: request.progress }));
  const data = await ensureData(request.projectDir, request.loaded.manifest.data, { progress: request.progress });
  return { executor: slurmExecutor({ image, engine, saveImage: (ref) => engine.saveImage(ref), data, mountProjectAt: request.seams?.mountProjectAt }), image };
}
