// `repro sweep NAME`: plan the points, run those that need it on the chosen executor, record each outcome, and
// aggregate every point into the sweep's summary, holding the sweep's lock throughout. Also the status of a sweep
// without running anything.
import { writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { Progress } from '../cli/progress.ts';
import { formatDuration } from '../cli/progress.ts';
import { acquireLock } from '../files/pid-lock.ts';
import type { LoadedManifest } from '../manifest/load.ts';
import type { SweepExecutor } from './executor.ts';
import { findSweep } from './grid.ts';
import { planSweep, pointStatuses, preparePoint, type PointStatus, type SweepPlan } from './plan.ts';
import { readSweepReference, type SweepReference } from './reference.ts';
import { writeSweepSummary, type WrittenSummary } from './summary.ts';

export interface SweepRequest {
  projectDir: string;
  loaded: LoadedManifest;
  name: string;
  executor: SweepExecutor;
  /** The image the points run in (container executors), recorded in their specs. */
  image?: string;
  jobs: number;
  /** Run only the points that failed or never ran. */
  resume: boolean;
  progress: Progress;
  signal: AbortSignal;
  /** Run-folder root: the summary goes to <outDir>/<sweep outputs> (as `repro run --out`); default the project. */
  outDir?: string;
}

export interface SweepReport {
  plan: SweepPlan;
  statuses: PointStatus[];
  /** How many points ran this time. */
  ran: number;
  /** Where the summary went: the sweep's outputs when every point is done, else .repro/sweeps/<name>/summary. */
  summary: WrittenSummary;
  complete: boolean;
}

/** The plan of a sweep (validated), for --status and the Kubernetes manifest; nothing runs. */
export function sweepPlan(projectDir: string, loaded: LoadedManifest, name: string, image?: string): SweepPlan {
  return planSweep(projectDir, loaded.manifest, name, findSweep(loaded.manifest, name), image === undefined ? undefined : { tag: image });
}

/** The lock that keeps a second `repro sweep NAME` out of .repro/sweeps/NAME while this one works there. */
export function sweepLockFile(plan: SweepPlan): string {
  return join(plan.stateRoot, 'sweep.lock');
}

export async function runSweep(request: SweepRequest): Promise<SweepReport> {
  const { progress } = request;
  const plan = sweepPlan(request.projectDir, request.loaded, request.name, request.image);
  // A reference that cannot be read fails the sweep before any point runs.
  const reference = await readSweepReference(request.projectDir, request.loaded, plan.name, plan.sweep);
  const lock = await acquireLock(sweepLockFile(plan), {
    what: `sweep ${plan.name}`,
    hint: ({ pid }, file) =>
      `Wait for it to finish, or stop it (kill ${pid}) and run only what it left: repro sweep ${plan.name} --resume. ` +
      `If pid ${pid} is not a repro sweep (the lock outlived its process and the pid was reused), remove ${relative(request.projectDir, file) || file}.`,
  });
  if (lock.tookOver) {
    const { pid, command, since } = lock.tookOver;
    progress.log(`note: took over the lock of sweep ${plan.name} from pid ${pid} (${command}, since ${since}), which is no longer running`);
  }
  try {
    return await runLocked(request, plan, reference);
  } finally {
    await lock.release();
  }
}

async function runLocked(request: SweepRequest, plan: SweepPlan, reference: SweepReference | undefined): Promise<SweepReport> {
  const { progress } = request;
  const before = await pointStatuses(plan);
  const toRun = request.resume ? before.filter((status) => status.state !== 'done').map((status) => status.plan) : plan.points;
  const kept = plan.points.length - toRun.length;
  progress.log(
    `sweep ${plan.name}: ${plan.points.length} points, ${toRun.length} to run` +
      `${kept > 0 ? ` (${kept} done before)` : ''} on ${request.executor.name}, ${request.jobs} at once`,
  );
  for (const point of toRun) await preparePoint(point);
  let finished = 0;
  const executorOptions = { projectDir: request.projectDir, loaded: request.loaded, jobs: request.jobs, progress, signal: request.signal };
  for await (const outcome of request.executor.run(toRun, executorOptions)) {
    finished++;
    const point = toRun.find((item) => item.id === outcome.id);
    if (point && outcome.accounting) await writeFile(join(point.dir, 'accounting.json'), JSON.stringify(outcome.accounting, null, 1) + '\n');
    const { result } = outcome;
    const took = formatDuration(result.elapsedMs);
    const where = result.status === 'ok' ? '' : ` ${result.cellIndex === undefined ? '' : `cell ${result.cellIndex}: `}${result.ename ?? 'Error'}: ${firstLine(result.evalue ?? '')}`;
    progress.log(`[${finished}/${toRun.length}] ${result.status === 'ok' ? '✓' : '✗'} ${outcome.id} (${took})${where}`);
  }
  const statuses = await pointStatuses(plan);
  const complete = statuses.every((status) => status.state === 'done');
  // A sweep with failed or missing points never replaces the committed summary: it goes beside the points.
  const destination = complete ? resolve(request.outDir ?? request.projectDir, plan.outputs) : join(plan.stateRoot, 'summary');
  const summary = await writeSweepSummary(plan, statuses, destination, reference);
  for (const problem of summary.problems) progress.log(`warning: ${problem}`);
  progress.log(`${complete ? '✓' : '✗'} sweep ${plan.name}: summary → ${relative(request.projectDir, destination) || destination}`);
  return { plan, statuses, ran: finished, summary, complete };
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 120 ? `${line.slice(0, 119)}…` : line;
}
