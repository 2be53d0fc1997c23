// The only module that talks to Slurm: submit a job array, ask how its tasks are, cancel it, and whether a
// cluster answers at all. It runs Slurm's own commands (sbatch, squeue, scontrol, scancel, sinfo) and hands back
// plain values; their text is read by the pure functions in slurm-parse.ts.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { EngineError } from '../errors.ts';
import {
  jobCompFile,
  mergeTaskStatus,
  parseSbatchParsable,
  parseSqueue,
  parseTaskRecords,
  sbatchArguments,
  squeueFormat,
  type ArraySubmission,
  type TaskStatus,
} from './slurm-parse.ts';

export type { ArraySubmission, TaskStatus } from './slurm-parse.ts';

const fixHint =
  'Run scripts/slurm-cluster.sh to start a single-node cluster on this machine, or ask your cluster admin ' +
  'for a login node where sbatch, squeue and scontrol work.';

interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a Slurm command; a missing command is EngineError (exit 3) with the fix, any other outcome is returned. */
async function slurm(command: string, args: readonly string[], env?: Record<string, string>): Promise<CommandResult> {
  const timeoutMs = 30_000;
  const options = { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' as const, env: env ? { ...process.env, ...env } : process.env };
  return new Promise((resolve, reject) => {
    execFile(command, args, options, (error, stdout, stderr) => {
      if (error && 'code' in error && error.code === 'ENOENT') {
        reject(new EngineError(`Slurm is not installed here: '${command}' is not on PATH`, { hint: fixHint }));
        return;
      }
      if (error && error.killed) {
        reject(new EngineError(`'${command} ${args.join(' ')}' did not answer within ${timeoutMs / 1000} s`, { hint: fixHint }));
        return;
      }
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function failed(what: string, result: CommandResult): EngineError {
  const said = result.stderr.trim() || result.stdout.trim() || `exit code ${result.code}`;
  const unreachable = /Unable to contact slurm controller|Could not establish a configuration source|Connection refused|Zero Bytes were transmitted/i.test(said);
  return new EngineError(`${what}: ${said}`, { hint: unreachable ? fixHint : undefined });
}

const gone = /Invalid job id specified/i;

export interface ClusterInfo {
  /** sinfo's partitions with their state and nodes, e.g. "main* up 1 idle vm". */
  partitions: string[];
}

/** Does a Slurm controller answer (sinfo)? Never throws. */
export async function available(): Promise<boolean> {
  try {
    await clusterInfo();
    return true;
  } catch {
    return false;
  }
}

/** sinfo's answer, or EngineError saying why there is no cluster and how to get one. */
export async function clusterInfo(): Promise<ClusterInfo> {
  const result = await slurm('sinfo', ['-h', '-o', '%P %a %D %t %N']);
  if (result.code !== 0) throw failed('Slurm does not answer (sinfo)', result);
  const partitions = result.stdout.split('\n').filter((line) => line.trim() !== '');
  if (partitions.length === 0) throw new EngineError('Slurm answers but has no partition (sinfo printed nothing)', { hint: fixHint });
  return { partitions };
}

/** Submits one job array; resolves to its job id. sbatch refusing (bad partition, too much memory…) is its stderr. */
export async function submitArray(submission: ArraySubmission): Promise<string> {
  // The tasks' variables reach sbatch through its environment; the arguments name them only (--export=ALL,NAME).
  const result = await slurm('sbatch', sbatchArguments(submission), submission.env);
  if (result.code !== 0) throw failed(`sbatch refused the array '${submission.name}'`, result);
  try {
    return parseSbatchParsable(result.stdout);
  } catch (error) {
    throw new EngineError(`sbatch refused the array '${submission.name}': ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Every known task of the array: live ones from squeue, finished ones from `scontrol show job` (kept MinJobAge
 * after they end) and, on clusters that write it (jobcomp/filetxt, readable here), the job completion file.
 * A task Slurm no longer knows of is absent.
 */
export async function arrayStatus(jobId: string): Promise<TaskStatus[]> {
  assertJobId(jobId);
  const queue = await slurm('squeue', ['-h', '-r', '-j', jobId, '-o', squeueFormat]);
  if (queue.code !== 0 && !gone.test(queue.stderr)) throw failed(`squeue could not list job ${jobId}`, queue);
  const live = queue.code === 0 ? parseSqueue(queue.stdout) : [];
  const shown = await slurm('scontrol', ['-o', 'show', 'job', jobId]);
  if (shown.code !== 0 && !gone.test(shown.stderr)) throw failed(`scontrol could not show job ${jobId}`, shown);
  const recent = shown.code === 0 ? parseTaskRecords(shown.stdout, jobId).filter((task) => !live.some((row) => row.task === task.task)) : [];
  const completed = await jobCompRecords(jobId);
  return mergeTaskStatus(live, recent, completed);
}

/** Cancels the whole array, or only the given tasks. A job already gone is not an error. */
export async function cancel(jobId: string, tasks?: readonly number[]): Promise<void> {
  assertJobId(jobId);
  const targets = tasks && tasks.length > 0 ? tasks.map((task) => `${jobId}_${task}`) : [jobId];
  const result = await slurm('scancel', targets);
  if (result.code !== 0 && !gone.test(result.stderr)) throw failed(`scancel could not cancel job ${jobId}`, result);
}

let jobCompLocation: Promise<string | undefined> | undefined;

async function jobCompRecords(jobId: string): Promise<TaskStatus[]> {
  jobCompLocation ??= slurm('scontrol', ['show', 'config']).then((result) => (result.code === 0 ? jobCompFile(result.stdout) : undefined));
  const file = await jobCompLocation;
  if (!file) return [];
  // Clusters keep this file on the controller; a login node may not see it, and then scontrol's records suffice.
  const text = await readFile(file, 'utf8').catch(() => '');
  return parseTaskRecords(text, jobId);
}

function assertJobId(jobId: string): void {
  if (!/^\d+$/.test(jobId)) throw new EngineError(`'${jobId}' is not a Slurm job id (digits only)`);
}
