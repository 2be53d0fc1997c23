// src/cluster/slurm.ts against a real cluster (scripts/slurm-cluster.sh): submit an array, follow its tasks to the
// end, cancel one; and, anywhere, what a user without Slurm or with a refused submission is told.
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arrayStatus, available, cancel, clusterInfo, submitArray, type TaskStatus } from '../../src/cluster/slurm.ts';
import { isFinished } from '../../src/cluster/slurm-parse.ts';
import { EngineError } from '../../src/errors.ts';
import { requireSlurm } from '../helpers/slurm.ts';

let slurm = false;
let dir: string;

beforeAll(async () => {
  slurm = await requireSlurm();
  dir = await mkdtemp(join(tmpdir(), 'repro-slurm-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

async function until(jobId: string, done: (tasks: TaskStatus[]) => boolean, seconds = 60): Promise<TaskStatus[]> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const tasks = await arrayStatus(jobId);
    if (done(tasks)) return tasks;
    if (Date.now() > deadline) throw new Error(`array ${jobId} not there within ${seconds} s: ${JSON.stringify(tasks)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function script(name: string, body: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `#!/bin/bash\n${body}\n`);
  await chmod(path, 0o755);
  return path;
}

describe('a real Slurm cluster', () => {
  it('answers sinfo with a partition', async (context) => {
    if (!slurm) return context.skip();
    expect(await available()).toBe(true);
    expect((await clusterInfo()).partitions[0]).toMatch(/^\S+\*? up /);
  });

  it('runs an array: each task its index, its exit code, node and times recorded; output where asked', async (context) => {
    if (!slurm) return context.skip();
    const path = await script('exit-with-index.sh', 'echo "task $SLURM_ARRAY_TASK_ID saw $REPRO_TEST_VALUE"; exit "$SLURM_ARRAY_TASK_ID"');
    const jobId = await submitArray({
      script: path,
      tasks: 4,
      limit: 2,
      name: 'repro-test-array',
      workdir: dir,
      output: join(dir, '%A_%a.out'),
      cpusPerTask: 1,
      memoryMb: 100,
      timeMinutes: 2,
      env: { REPRO_TEST_VALUE: 'forty-two' },
    });
    expect(jobId).toMatch(/^\d+$/);
    const tasks = await until(jobId, (all) => all.length === 4 && all.every((task) => isFinished(task.state)));
    expect(tasks.map((task) => [task.task, task.state, task.exitCode])).toEqual([
      [0, 'COMPLETED', 0],
      [1, 'FAILED', 1],
      [2, 'FAILED', 2],
      [3, 'FAILED', 3],
    ]);
    const [{ stdout: host }] = await Promise.all([promisify(execFile)('hostname', ['-s'])]);
    for (const task of tasks) {
      expect(task.node).toBe(host.trim());
      expect(task.jobId).toMatch(/^\d+$/);
      expect(task.startedAt! <= task.endedAt!).toBe(true);
    }
    expect(await readFile(join(dir, `${jobId}_2.out`), 'utf8')).toBe('task 2 saw forty-two\n');
  });

  it('cancels one task, then the rest: CANCELLED, and gone from the queue', async (context) => {
    if (!slurm) return context.skip();
    const path = await script('sleep.sh', 'sleep 60');
    const jobId = await submitArray({ script: path, tasks: 2, name: 'repro-test-cancel', workdir: dir, output: '/dev/null', memoryMb: 100 });
    await until(jobId, (all) => all.some((task) => task.task === 1 && task.state === 'RUNNING'));
    await cancel(jobId, [1]);
    const one = await until(jobId, (all) => all.some((task) => task.task === 1 && task.state === 'CANCELLED'));
    expect(one.find((task) => task.task === 0)?.state).not.toBe('CANCELLED');
    await cancel(jobId);
    const all = await until(jobId, (tasks) => tasks.length === 2 && tasks.every((task) => task.state === 'CANCELLED'));
    expect(all.map((task) => task.task)).toEqual([0, 1]);
    await expect(cancel(jobId)).resolves.toBeUndefined();
  });

  it("passes sbatch's refusal on as exit 3 with sbatch's own words", async (context) => {
    if (!slurm) return context.skip();
    const path = await script('never.sh', 'true');
    const refused = submitArray({ script: path, tasks: 2, name: 'repro-test-refused', workdir: dir, output: '/dev/null', partition: 'no-such-partition' });
    await expect(refused).rejects.toThrow(EngineError);
    await expect(refused).rejects.toThrow(/^sbatch refused the array 'repro-test-refused': sbatch: error: invalid partition specified: no-such-partition/);
  });

  it('scripts/slurm-cluster.sh run again leaves the running cluster as it is and says so', async (context) => {
    if (!slurm || process.getuid?.() !== 0) return context.skip();
    const config = await readFile('/etc/slurm/slurm.conf', 'utf8');
    const { stdout } = await promisify(execFile)('bash', [join(import.meta.dirname, '../../scripts/slurm-cluster.sh')]);
    expect(stdout).toMatch(/^slurm: packages present \(slurm-wlm [\d.]+\)\nslurm: munged already running\nslurm: \/etc\/slurm\/slurm.conf up to date\nslurm: slurmctld already running\nslurm: slurmd already running\nslurm: node \S+ (idle|mix|alloc) in partition main/);
    expect(await readFile('/etc/slurm/slurm.conf', 'utf8')).toBe(config);
    expect(config).toMatch(/^ProctrackType=proctrack\/linuxproc$/m);
    expect(config).toMatch(/^JobCompType=jobcomp\/filetxt$/m);
  });

  it('knows nothing of a job id it never had', async (context) => {
    if (!slurm) return context.skip();
    expect(await arrayStatus('999999999')).toEqual([]);
  });
});

describe('without Slurm', () => {
  it('says Slurm is missing and how to get it, exit 3; available() is false', async () => {
    const path = process.env.PATH;
    process.env.PATH = dir;
    try {
      expect(await available()).toBe(false);
      const error = await submitArray({ script: 'x.sh', tasks: 1, name: 'n', workdir: dir, output: 'o' }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(EngineError);
      expect((error as EngineError).message).toBe("Slurm is not installed here: 'sbatch' is not on PATH");
      expect((error as EngineError).exitCode).toBe(3);
      expect((error as EngineError).hint).toMatch(/^Run scripts\/slurm-cluster.sh .* or ask your cluster admin/);
    } finally {
      process.env.PATH = path;
    }
  });

  it('refuses a job id that is not one before running anything', async () => {
    await expect(arrayStatus('12; rm -rf /')).rejects.toThrow("'12; rm -rf /' is not a Slurm job id (digits only)");
    await expect(cancel('')).rejects.toThrow(EngineError);
  });
});
