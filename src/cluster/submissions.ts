// What a sweep submitted to Slurm, kept in its state folder (.repro/sweeps/<name>/slurm/submissions.json): each
// array's job id and which point each task ran, so `repro sweep NAME --status` can ask Slurm about every point later.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { EngineError } from '../errors.ts';
import { arrayStatus, type TaskStatus } from './slurm.ts';

const submissionSchema = z.strictObject({
  jobId: z.string().regex(/^\d+$/),
  submittedAt: z.string(),
  /** Array task id → point id. */
  points: z.record(z.string().regex(/^\d+$/), z.string()),
});
const submissionsSchema = z.strictObject({ version: z.literal(1), submissions: z.array(submissionSchema) });
export type Submission = z.output<typeof submissionSchema>;

export function slurmFolder(stateRoot: string): string {
  return join(stateRoot, 'slurm');
}

export async function readSubmissions(stateRoot: string): Promise<Submission[]> {
  const file = join(slurmFolder(stateRoot), 'submissions.json');
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (text === undefined) return [];
  let parsed: z.ZodSafeParseResult<z.output<typeof submissionsSchema>>;
  try {
    parsed = submissionsSchema.safeParse(JSON.parse(text));
  } catch (error) {
    throw new EngineError(`${file} is not JSON (${(error as Error).message})`, { hint: submissionsHint, cause: error });
  }
  if (!parsed.success) throw new EngineError(`${file} is malformed: ${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message}`, { hint: submissionsHint });
  return parsed.data.submissions;
}

const submissionsHint = 'repro writes this file when it submits a sweep to Slurm; remove it to forget the earlier arrays (their points keep their results).';

export async function recordSubmission(stateRoot: string, submission: Submission): Promise<void> {
  const folder = slurmFolder(stateRoot);
  await mkdir(folder, { recursive: true });
  const submissions = [...(await readSubmissions(stateRoot)), submission];
  const file = join(folder, 'submissions.json');
  const partial = `${file}.${process.pid}.partial`;
  await writeFile(partial, JSON.stringify({ version: 1, submissions }, null, 1) + '\n');
  await rename(partial, file);
}

export interface PointSlurmStatus extends TaskStatus {
  /** The array the point's latest task belongs to. */
  arrayJobId: string;
}

/**
 * Slurm's view of each point that was ever submitted, by point id: the latest array that ran it wins. A point whose
 * array Slurm has forgotten (past MinJobAge, no readable job completion file) has state UNKNOWN.
 */
export async function slurmPointStatus(stateRoot: string): Promise<Map<string, PointSlurmStatus>> {
  const byPoint = new Map<string, PointSlurmStatus>();
  for (const submission of await readSubmissions(stateRoot)) {
    const tasks = await arrayStatus(submission.jobId);
    for (const [task, point] of Object.entries(submission.points)) {
      const known = tasks.find((status) => status.task === Number(task));
      byPoint.set(point, { ...(known ?? { task: Number(task), state: 'UNKNOWN' }), arrayJobId: submission.jobId });
    }
  }
  return byPoint;
}

/** One line for a person: "RUNNING on vm since 2026-11-29T09:00:25 (job 18_2)", "FAILED, exit code 1 on vm (job 18_3)". */
export function describeTask(status: PointSlurmStatus): string {
  const where = status.node ? ` on ${status.node}` : '';
  const job = `(job ${status.arrayJobId}_${status.task})`;
  switch (status.state) {
    case 'PENDING':
      return `PENDING${status.reason ? `: ${status.reason}` : ''} ${job}`;
    case 'RUNNING':
      return `RUNNING${where}${status.startedAt ? ` since ${status.startedAt}` : ''} ${job}`;
    case 'UNKNOWN':
      return `UNKNOWN: Slurm no longer knows this task ${job}`;
    default: {
      const exit = status.exitCode === undefined ? '' : `, exit code ${status.exitCode}`;
      const signal = status.signal ? `, signal ${status.signal}` : '';
      return `${status.state}${exit}${signal}${where} ${job}`;
    }
  }
}

/** For --status: Slurm's line per point id of a sweep that went to Slurm; undefined for one that never did. */
export async function slurmStatusLines(stateRoot: string): Promise<Map<string, string> | undefined> {
  if ((await readSubmissions(stateRoot)).length === 0) return undefined;
  const statuses = await slurmPointStatus(stateRoot);
  return new Map([...statuses].map(([point, status]) => [point, describeTask(status)]));
}
