// Slurm's text, read and written as plain values: sbatch's arguments and --parsable answer, squeue's rows,
// scontrol's and jobcomp/filetxt's key=value records. Pure, so it is tested without a cluster.

/** What one array task is, in Slurm's words. */
export interface TaskStatus {
  /** The array task id (this sweep's point index). */
  task: number;
  /** The task's own job id (each array task is a job of its own; the array's id is arrayJobId). */
  jobId?: string;
  state: SlurmState;
  /** The batch script's exit code (0–255), once finished. */
  exitCode?: number;
  /** The signal that ended it (e.g. 9 or 15), when one did. */
  signal?: number;
  node?: string;
  /** As Slurm prints them: local time, YYYY-MM-DDTHH:MM:SS. */
  startedAt?: string;
  endedAt?: string;
  /** Why a pending task waits (Resources, JobArrayTaskLimit, …). */
  reason?: string;
}

export const liveStates = ['PENDING', 'CONFIGURING', 'RUNNING', 'COMPLETING', 'SUSPENDED', 'REQUEUED', 'RESIZING', 'SIGNALING', 'STAGE_OUT'] as const;
export const finishedStates = [
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'TIMEOUT',
  'NODE_FAIL',
  'OUT_OF_MEMORY',
  'PREEMPTED',
  'BOOT_FAIL',
  'DEADLINE',
  'SPECIAL_EXIT',
  'REVOKED',
] as const;
export type SlurmState = (typeof liveStates)[number] | (typeof finishedStates)[number] | 'UNKNOWN';

export function isFinished(state: SlurmState): boolean {
  return (finishedStates as readonly string[]).includes(state);
}

/** "CANCELLED by 0", "CANCELLED+" and lower case as some tools print them → CANCELLED; anything else → UNKNOWN. */
export function parseState(text: string): SlurmState {
  const word = text.trim().split(/[\s+]/)[0].toUpperCase();
  const known: readonly string[] = [...liveStates, ...finishedStates];
  return known.includes(word) ? (word as SlurmState) : 'UNKNOWN';
}

/** --array's value: indices as ranges ("0-7", "1,3-5"), with %limit for at most that many at once. */
export function arraySpec(tasks: number | readonly number[], limit?: number): string {
  const indices = typeof tasks === 'number' ? Array.from({ length: tasks }, (_, i) => i) : [...new Set(tasks)].sort((a, b) => a - b);
  if (indices.length === 0) throw new Error('arraySpec: no tasks');
  for (const index of indices) if (!Number.isInteger(index) || index < 0) throw new Error(`arraySpec: bad task index ${index}`);
  const ranges: string[] = [];
  let start = indices[0];
  let previous = start;
  for (const index of [...indices.slice(1), Number.NaN]) {
    if (index === previous + 1) {
      previous = index;
      continue;
    }
    ranges.push(start === previous ? `${start}` : `${start}-${previous}`);
    start = index;
    previous = index;
  }
  return ranges.join(',') + (limit && limit > 0 ? `%${limit}` : '');
}

/** What sbatch needs for one array; the script is a file (kept beside the sweep's results). */
export interface ArraySubmission {
  /** Path of the batch script. */
  script: string;
  /** n (tasks 0…n-1) or the task indices to run (a resume). */
  tasks: number | readonly number[];
  /** At most this many tasks at once (--array=…%limit). */
  limit?: number;
  name: string;
  workdir: string;
  /** Where each task's stdout and stderr go; %A is the array's job id, %a the task id. */
  output: string;
  cpusPerTask?: number;
  /** Memory per task in MB. */
  memoryMb?: number;
  /** Time limit per task in minutes. */
  timeMinutes?: number;
  partition?: string;
  /** Environment variables exported to the tasks (besides the submitter's own, as sbatch does by default). */
  env?: Record<string, string>;
}

export function sbatchArguments(submission: ArraySubmission): string[] {
  const args = [
    '--parsable',
    `--array=${arraySpec(submission.tasks, submission.limit)}`,
    `--job-name=${submission.name}`,
    `--chdir=${submission.workdir}`,
    `--output=${submission.output}`,
    '--ntasks=1',
  ];
  if (submission.cpusPerTask) args.push(`--cpus-per-task=${submission.cpusPerTask}`);
  if (submission.memoryMb) args.push(`--mem=${Math.ceil(submission.memoryMb)}M`);
  if (submission.timeMinutes) args.push(`--time=${Math.ceil(submission.timeMinutes)}`);
  if (submission.partition) args.push(`--partition=${submission.partition}`);
  const exported = Object.keys(submission.env ?? {}).sort();
  if (exported.length > 0) args.push(`--export=ALL,${exported.join(',')}`);
  args.push(submission.script);
  return args;
}

/** sbatch --parsable prints "jobid" or "jobid;cluster". */
export function parseSbatchParsable(stdout: string): string {
  const line = stdout.trim().split('\n').pop() ?? '';
  const id = line.split(';')[0].trim();
  if (!/^\d+$/.test(id)) throw new Error(`sbatch printed no job id (got ${JSON.stringify(stdout.trim())})`);
  return id;
}

/** The squeue format parseSqueue reads: array task id, job id, state, node, start time, reason. */
export const squeueFormat = '%K|%A|%T|%N|%S|%r';

/** squeue -h -r -o squeueFormat: one line per task (-r expands pending ranges). */
export function parseSqueue(stdout: string): TaskStatus[] {
  const tasks: TaskStatus[] = [];
  for (const line of stdout.split('\n')) {
    if (line.trim() === '') continue;
    const [task, jobId, state, node, start, reason] = line.split('|');
    if (!/^\d+$/.test(task ?? '')) continue;
    const parsed = parseState(state ?? '');
    // A pending task's %S is when Slurm expects to start it, not a start.
    const startedAt = parsed === 'PENDING' ? undefined : slurmTime(start);
    tasks.push(clean({ task: Number(task), jobId, state: parsed, node, startedAt, reason: reason === 'None' ? undefined : reason }));
  }
  return tasks;
}

/** One key=value record (scontrol -o show job, a jobcomp/filetxt line). Values may hold spaces up to the next key. */
export function parseRecord(line: string): Map<string, string> {
  const record = new Map<string, string>();
  const pattern = /(?:^|\s)([A-Za-z][\w/:.]*)=/g;
  const keys: { key: string; start: number; valueStart: number }[] = [];
  for (let match = pattern.exec(line); match; match = pattern.exec(line)) {
    keys.push({ key: match[1], start: match.index, valueStart: match.index + match[0].length });
  }
  for (const [i, { key, valueStart }] of keys.entries()) {
    const end = i + 1 < keys.length ? keys[i + 1].start : line.length;
    record.set(key, line.slice(valueStart, end).trim());
  }
  return record;
}

/**
 * Finished tasks of array arrayJobId from key=value records (scontrol -o show job ID, or jobcomp/filetxt lines,
 * which hold every job ever finished). Records of other jobs and the array's pending remainder ("2-5%2") are left out.
 */
export function parseTaskRecords(text: string, arrayJobId: string): TaskStatus[] {
  const tasks: TaskStatus[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const record = parseRecord(line);
    if (record.get('ArrayJobId') !== arrayJobId) continue;
    const task = record.get('ArrayTaskId') ?? '';
    if (!/^\d+$/.test(task)) continue;
    const state = parseState(record.get('JobState') ?? '');
    const [exit, signal] = (record.get('ExitCode') ?? '').split(':').map(Number);
    const finished = isFinished(state);
    tasks.push(
      clean({
        task: Number(task),
        jobId: record.get('JobId'),
        state,
        exitCode: finished && Number.isInteger(exit) ? exit : undefined,
        signal: finished && Number.isInteger(signal) && signal > 0 ? signal : undefined,
        node: record.get('NodeList') ?? record.get('BatchHost'),
        startedAt: slurmTime(record.get('StartTime')),
        endedAt: finished ? slurmTime(record.get('EndTime')) : undefined,
        reason: ['None', '(null)', undefined].includes(record.get('Reason')) ? undefined : record.get('Reason'),
      }),
    );
  }
  return tasks;
}

/**
 * One status per task: live rows (squeue) win over records; among records the latest wins (a resubmitted task's
 * newer job id; jobcomp lines come in finishing order).
 */
export function mergeTaskStatus(live: readonly TaskStatus[], ...records: readonly (readonly TaskStatus[])[]): TaskStatus[] {
  const byTask = new Map<number, TaskStatus>();
  for (const list of [...records].reverse()) for (const status of list) byTask.set(status.task, status);
  for (const status of live) byTask.set(status.task, status);
  return [...byTask.values()].sort((a, b) => a.task - b.task);
}

/** JobCompLoc when JobCompType is jobcomp/filetxt, from `scontrol show config`. */
export function jobCompFile(config: string): string | undefined {
  const value = (key: string) => config.match(new RegExp(`^${key}\\s*=\\s*(.*)$`, 'm'))?.[1].trim();
  return value('JobCompType') === 'jobcomp/filetxt' ? value('JobCompLoc') : undefined;
}

function slurmTime(text: string | undefined): string | undefined {
  return text && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(text) ? text : undefined;
}

function clean(status: TaskStatus): TaskStatus {
  return Object.fromEntries(Object.entries(status).filter(([, value]) => value !== undefined && value !== '')) as unknown as TaskStatus;
}
