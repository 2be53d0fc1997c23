// Sweep points on this machine, -j N at once: with local kernels in this process, or each in its own container
// (the same confined container `repro run` uses, the point's folder mounted at /out).
import { chmod } from 'node:fs/promises';
import type { Progress } from '../cli/progress.ts';
import type { Engine } from '../engine/index.ts';
import { containerUser } from '../run/container.ts';
import { runContainerOptions } from '../run/container-options.ts';
import { runSpecsLocally } from '../run/local.ts';
import { toRunResult } from '../run/results.ts';
import { readRunResultsIfAny, writeRunResults, type RunResult } from '../run/spec.ts';
import type { ExecutorOptions, PointOutcome, PointPlan, SweepExecutor } from './executor.ts';
import { failedResult } from './outcome.ts';

/** Runs `work` on at most `jobs` items at once, yielding results as they finish; nothing new starts once aborted. */
export async function* pool<T, R>(items: readonly T[], jobs: number, signal: AbortSignal, work: (item: T) => Promise<R>): AsyncGenerator<R> {
  const queue = [...items];
  const running = new Map<number, Promise<{ key: number; value: R }>>();
  let next = 0;
  const start = () => {
    while (running.size < Math.max(1, jobs) && queue.length > 0 && !signal.aborted) {
      const key = next++;
      const item = queue.shift() as T;
      running.set(key, work(item).then((value) => ({ key, value })));
    }
  };
  start();
  while (running.size > 0) {
    const { key, value } = await Promise.race(running.values());
    running.delete(key);
    start();
    yield value;
  }
}

/** Points run by this process's kernels (`--engine local`): no container, the host's kernels. */
export const localExecutor: SweepExecutor = {
  name: 'local',
  run(points, options) {
    return pool(points, options.jobs, options.signal, async (plan): Promise<PointOutcome> => {
      const context = { projectDir: options.projectDir, loaded: options.loaded, progress: quietProgress, signal: options.signal };
      const result = await runSpecsLocally(context, [plan.spec], plan.dir).then(
        ([notebook]) => toRunResult(notebook),
        (error: unknown) => failedResult(plan, error instanceof Error ? error.message : String(error)),
      );
      await writeRunResults(plan.resultFile, [result]);
      return { id: plan.id, result };
    });
  },
};

export interface DockerExecutorSetup {
  engine: Engine;
  image: string;
  data: ReadonlyArray<{ file: string; path: string }>;
  /** Tests and benchmarks: the project bind-mounted at this path instead of the copy in the image. */
  mountProjectAt?: string;
}

/** Points each in a container of the project's image (`--engine docker`). */
export function dockerExecutor(setup: DockerExecutorSetup): SweepExecutor {
  return {
    name: 'docker',
    run(points, options) {
      return pool(points, options.jobs, options.signal, (plan) => runPointContainer(setup, plan, options));
    },
  };
}

async function runPointContainer(setup: DockerExecutorSetup, plan: PointPlan, options: ExecutorOptions): Promise<PointOutcome> {
  // The container's user is not us: it must be able to write the result and outputs here.
  await chmod(plan.dir, 0o777);
  let tail = '';
  let result: RunResult;
  try {
    const container = await setup.engine.startContainer({
      ...runContainerOptions({
        image: setup.image,
        manifest: options.loaded.manifest,
        runFolder: plan.dir,
        data: setup.data,
        user: containerUser(),
        ...(setup.mountProjectAt ? { mountProject: { host: options.projectDir, at: setup.mountProjectAt } } : {}),
      }),
      signal: options.signal,
      stopOnSignal: false,
      engineLog: false,
      onOutput: (chunk) => {
        tail = (tail + chunk.toString('utf8')).slice(-2000);
      },
    });
    const exitCode = await container.wait();
    const reported = await readRunResultsIfAny(plan.resultFile).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
    if (reported instanceof Error) result = failedResult(plan, reported.message);
    else if (!reported?.[0]) result = failedResult(plan, `the container exited with code ${exitCode} before reporting; its last output: ${lastLines(tail)}`);
    else result = reported[0];
    result = { ...result, imageId: container.imageId };
  } catch (error) {
    result = failedResult(plan, error instanceof Error ? error.message : String(error));
  }
  await writeRunResults(plan.resultFile, [result]);
  return { id: plan.id, result };
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-5).join(' / ') || '(nothing)';
}

/** Points' cells are not narrated one by one: -j N notebooks at once would interleave; the sweep reports per point. */
const quietProgress: Progress = { update() {}, log() {}, done() {} };
