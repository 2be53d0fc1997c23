// `repro sweep NAME --on slurm` as a user runs it, on the real cluster (scripts/slurm-cluster.sh) with the real
// engine: test/fixtures/sweep's 8 points (scale × 4 seeds) through one sbatch array, verified; a task scancelled
// mid-way is re-run by --resume and the summary is byte for byte the uninterrupted sweep's; Ctrl-C cancels the array.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireEngine } from '../helpers/engine.ts';
import { requireSlurm } from '../helpers/slurm.ts';

const repoRoot = join(import.meta.dirname, '..', '..');
const bin = join(repoRoot, 'bin', 'repro.js');
const pointIds = [1, 2].flatMap((scale) => [1, 2, 3, 4].map((seed) => `scale-${scale}_seed-${seed}`));

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface Started {
  child: ChildProcess;
  done: Promise<Result>;
  /** What it printed on stderr so far. */
  stderr(): string;
}

function start(file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Started {
  const child = spawn(file, args, { cwd, env: { ...env, NO_COLOR: '1' } });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const done = new Promise<Result>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, done, stderr: () => stderr };
}
const command = (file: string, args: string[], cwd: string) => start(file, args, cwd).done;
const said = (result: Result) => `exit ${result.code}\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}`;

/** Polls `probe` until it gives a value; fails after `seconds`, or when the command it watches ends first. */
async function until<T>(what: string, probe: () => Promise<T | undefined>, watched?: Started, seconds = 180): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  let ended: Result | undefined;
  void watched?.done.then((result) => (ended = result));
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (ended) throw new Error(`${what}: the command ended first: ${said(ended)}`);
    if (Date.now() > deadline) throw new Error(`${what}: not within ${seconds} s${watched ? `; it said: ${watched.stderr().slice(-2000)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The array job id a running sweep submitted (from its progress output). */
const submitted = (stderr: string) => stderr.match(/as job array (\d+)/)?.[1];

async function files(dir: string): Promise<Record<string, string>> {
  const names = (await readdir(dir)).sort();
  return Object.fromEntries(await Promise.all(names.map(async (name) => [name, await readFile(join(dir, name), 'utf8')] as const)));
}

let ready = false;
let root: string;
let dir: string;
const repro = (...args: string[]) => command(process.execPath, [bin, '-C', dir, ...args], dir);
const summaryDir = () => join(dir, 'results', 'sweeps', 'noise');
const stateDir = () => join(dir, '.repro', 'sweeps', 'noise');

// Points are tslab notebooks in containers, two at a time on this node; on two shared cores a sweep takes minutes.
describe('repro sweep --on slurm', { timeout: 10 * 60_000 }, () => {
  beforeAll(async () => {
    ready = (await requireSlurm()) && (await requireEngine());
    if (!ready) return;
    root = await mkdtemp(join(tmpdir(), 'repro-slurm-sweep-'));
    dir = join(root, 'sweep');
    await cp(join(repoRoot, 'test', 'fixtures', 'sweep'), dir, { recursive: true });
    await chmod(root, 0o755);
    const git = (...args: string[]) => command('git', ['-c', 'user.name=Sample Author', '-c', 'user.email=author@example.org', '-c', 'commit.gpgsign=false', ...args], dir);
    await git('init', '-q', '-b', 'main');
    await git('add', '-A');
    await git('commit', '-q', '-m', 'The sweep');
    const locked = await repro('lock');
    expect(locked.code, said(locked)).toBe(0);
    await git('add', 'research.lock');
    await git('commit', '-q', '-m', 'repro lock');
    const built = await repro('build');
    expect(built.code, said(built)).toBe(0);
  }, 15 * 60_000);

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  let uninterrupted: Record<string, string> = {};

  it('runs 8 points as one job array and records Slurm\'s accounting per point', async (context) => {
    if (!ready) return context.skip();
    const result = await repro('sweep', 'noise', '--on', 'slurm');
    expect(result.code, said(result)).toBe(0);
    const jobId = submitted(result.stderr);
    expect(jobId, said(result)).toMatch(/^\d+$/);
    expect(result.stderr).toContain('sweep noise: 8 points, 8 to run on slurm');
    expect(result.stderr).toContain(`submitted 8 points as job array ${jobId}`);
    expect(result.stderr).toMatch(/\[8\/8\] ✓ /);
    for (const [index, id] of pointIds.entries()) {
      const accounting = JSON.parse(await readFile(join(stateDir(), id, 'accounting.json'), 'utf8')) as Record<string, string>;
      expect(accounting).toMatchObject({ arrayJobId: jobId, arrayTaskId: String(index), state: 'COMPLETED', exitCode: '0', node: hostname().split('.')[0] });
      const onNode = JSON.parse(await readFile(join(stateDir(), id, 'slurm.json'), 'utf8')) as Record<string, unknown>;
      expect(onNode).toMatchObject({ arrayJobId: jobId, arrayTaskId: String(index), point: id, exitCode: 0, jobId: accounting.jobId });
      const [run] = (JSON.parse(await readFile(join(stateDir(), id, 'result.json'), 'utf8')) as { results: { status: string; imageId: string }[] }).results;
      expect(run.status).toBe('ok');
      expect(run.imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    }
    // The image went to the nodes as an archive named by its id.
    const [{ imageId }] = (JSON.parse(await readFile(join(stateDir(), pointIds[0], 'result.json'), 'utf8')) as { results: { imageId: string }[] }).results;
    expect(await readdir(join(dir, '.repro', 'images'))).toEqual([`${imageId.slice(7)}.tar`]);
    uninterrupted = await files(summaryDir());
    expect(Object.keys(uninterrupted)).toEqual(expect.arrayContaining(['summary.csv', 'bands.csv']));
    const rows = uninterrupted['summary.csv'].trim().split('\n').slice(1);
    expect([...new Set(rows.map((row) => row.split(',')[0]))]).toEqual(pointIds);
    expect(rows.every((row) => row.split(',')[3] === 'done')).toBe(true);

    const status = await repro('sweep', 'noise', '--status');
    expect(status.code, said(status)).toBe(0);
    for (const [index, id] of pointIds.entries()) expect(status.stdout).toMatch(new RegExp(`^${id} .*COMPLETED, exit code 0 on \\S+ \\(job ${jobId}_${index}\\)`, 'm'));
  });

  it('a task scancelled mid-way fails its point; --resume re-runs only it, and the summary is the uninterrupted one, byte for byte', async (context) => {
    if (!ready || Object.keys(uninterrupted).length === 0) return context.skip();
    await rm(stateDir(), { recursive: true, force: true });
    await rm(summaryDir(), { recursive: true, force: true });
    const sweep = start(process.execPath, [bin, '-C', dir, 'sweep', 'noise', '--on', 'slurm'], dir);
    const jobId = await until('the array submitted', async () => submitted(sweep.stderr()), sweep);
    // Killed while its notebook runs: the container of task 5 exists, then its task is cancelled.
    const victim = 5;
    await until('task 5 running its container', async () => {
      const { stdout } = await command('docker', ['ps', '-q', '--filter', `name=^repro-sweep-${jobId}-${victim}$`], dir);
      return stdout.trim() || undefined;
    }, sweep);
    await command('scancel', [`${jobId}_${victim}`], dir);
    const interrupted = await sweep.done;
    expect(interrupted.code, said(interrupted)).toBe(1);
    expect(interrupted.stderr).toContain(`1 of 8 points of sweep noise did not finish`);
    expect(interrupted.stderr).toContain(`${pointIds[victim]}: CANCELLED`);
    const accounting = JSON.parse(await readFile(join(stateDir(), pointIds[victim], 'accounting.json'), 'utf8')) as Record<string, string>;
    expect(accounting).toMatchObject({ arrayJobId: jobId, arrayTaskId: String(victim), state: 'CANCELLED' });
    const { stdout: left } = await command('docker', ['ps', '-aq', '--filter', `name=^repro-sweep-${jobId}-`], dir);
    expect(left.trim()).toBe('');

    const resumed = await repro('sweep', 'noise', '--on', 'slurm', '--resume');
    expect(resumed.code, said(resumed)).toBe(0);
    expect(resumed.stderr).toContain('sweep noise: 8 points, 1 to run (7 done before) on slurm');
    const again = submitted(resumed.stderr);
    expect(resumed.stderr).toContain(`${pointIds[victim]}: COMPLETED, exit code 0 on`);
    expect(JSON.parse(await readFile(join(stateDir(), pointIds[victim], 'accounting.json'), 'utf8'))).toMatchObject({ arrayJobId: again, arrayTaskId: String(victim) });
    expect(await files(summaryDir())).toEqual(uninterrupted);
  });

  it('Ctrl-C cancels the array: exit 130, no task left in the queue, no container left', async (context) => {
    if (!ready) return context.skip();
    await rm(stateDir(), { recursive: true, force: true });
    const sweep = start(process.execPath, [bin, '-C', dir, 'sweep', 'noise', '--on', 'slurm'], dir);
    const jobId = await until('the array submitted', async () => submitted(sweep.stderr()), sweep);
    await until('a task running', async () => (/: RUNNING on /.test(sweep.stderr()) ? true : undefined), sweep);
    sweep.child.kill('SIGINT');
    const result = await sweep.done;
    expect(result.code, said(result)).toBe(130);
    expect(result.stderr).toContain(`slurm: cancelled job array ${jobId}`);
    const { stdout: queued } = await command('squeue', ['-h', '-j', jobId!], dir);
    expect(queued.trim()).toBe('');
    const { stdout: left } = await command('docker', ['ps', '-aq', '--filter', `name=^repro-sweep-${jobId}-`], dir);
    expect(left.trim()).toBe('');
  });

  it('refuses --engine local (exit 2), and without Slurm says how to get it (exit 3) before building anything', async (context) => {
    if (!ready) return context.skip();
    const local = await repro('sweep', 'noise', '--on', 'slurm', '--engine', 'local');
    expect(local.code).toBe(2);
    expect(local.stderr).toContain("--on slurm runs each point in the project's image, not with --engine local");
    const empty = await mkdtemp(join(tmpdir(), 'repro-no-slurm-'));
    try {
      const none = await start(process.execPath, [bin, '-C', dir, 'sweep', 'noise', '--on', 'slurm'], dir, { ...process.env, PATH: empty }).done;
      expect(none.code, said(none)).toBe(3);
      expect(none.stderr).toContain("Slurm is not installed here: 'sinfo' is not on PATH");
      expect(none.stderr).toContain('Run scripts/slurm-cluster.sh');
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
