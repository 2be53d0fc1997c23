// `repro sweep` with local kernels, through the command line: 8 points 2 at once, a point made to fail, --status,
// --resume re-running only that point, and a summary byte for byte that of an uninterrupted sweep.
import { spawn } from 'node:child_process';
import { access, readFile, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedDir, repoRoot, sweepProject, type SweepProject } from './fixture.ts';

let project: SweepProject;
beforeAll(async () => {
  project = await sweepProject({ local: true });
});
afterAll(async () => {
  await project?.remove();
});

describe('repro sweep --engine local', () => {
  it('refuses an unknown sweep, a bad -j and --dry-run without kubernetes, with exit code 2', async () => {
    const unknown = await project.repro('sweep', 'nope', '--engine', 'local');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('repro: research.yaml has no sweep named "nope" (sweeps: noise)');
    const jobs = await project.repro('sweep', 'noise', '-j', '0');
    expect(jobs.code).toBe(2);
    expect(jobs.stderr).toContain('-j 0: must be a whole number of points at once, 1 to 1024');
    expect((await project.repro('sweep', 'noise', '--dry-run')).stderr).toContain('--dry-run goes with --on kubernetes');
  });

  it('runs 8 points 2 at once; a failed point keeps the committed summary untouched and is named', async () => {
    await writeFile(join(project.dir, 'fail-scale-2-seed-3'), '');
    const first = await project.repro('sweep', 'noise', '--engine', 'local', '-j', '2');
    expect(first.code, first.stderr).toBe(1);
    expect(first.stderr).toContain('sweep noise: 8 points, 8 to run on local, 2 at once');
    expect(first.stderr).toMatch(/\[\d\/8\] ✗ scale-2_seed-3 \([^)]+\) cell 2: Error: asked to fail by/);
    expect(first.stderr.match(/\[\d\/8\] ✓ /g)).toHaveLength(7);
    expect(first.stderr).toContain('repro: 1 of 8 points of sweep noise did not finish; the first: notebooks/noise.ipynb cell 2: Error: asked to fail');
    await expect(access(join(project.dir, 'results', 'sweeps'))).rejects.toThrow();
    // The partial summary is kept beside the points.
    const partial = await readFile(join(project.dir, '.repro', 'sweeps', 'noise', 'summary', 'summary.csv'), 'utf8');
    expect(partial).toContain('scale-2_seed-3,2,3,failed,,\n');
  });

  it('--status shows each point from its result file', async () => {
    const status = await project.repro('sweep', 'noise', '--status');
    expect(status.code).toBe(0);
    const lines = status.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^point\s+state\s+time\s+error$/);
    expect(lines.filter((line) => /^scale-\d_seed-\d\s+done\s/.test(line))).toHaveLength(7);
    expect(lines.find((line) => line.startsWith('scale-2_seed-3'))).toMatch(/^scale-2_seed-3\s+failed\s+\S+ m?s\s+cell 2: Error: asked to fail by/);
    expect(lines.at(-1)).toBe('7 done, 1 failed, 0 missing of 8 (.repro/sweeps/noise)');
  });

  it('--resume re-runs only the failed point, and the summary is the uninterrupted sweep\'s, byte for byte', async () => {
    await rm(join(project.dir, 'fail-scale-2-seed-3'));
    const before = await readFile(join(project.dir, '.repro', 'sweeps', 'noise', 'scale-1_seed-1', 'result.json'), 'utf8');
    const resumed = await project.repro('sweep', 'noise', '--engine', 'local', '-j', '2', '--resume');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('sweep noise: 8 points, 1 to run (7 done before) on local, 2 at once');
    expect(resumed.stderr).toMatch(/\[1\/1\] ✓ scale-2_seed-3 /);
    expect(await readFile(join(project.dir, '.repro', 'sweeps', 'noise', 'scale-1_seed-1', 'result.json'), 'utf8')).toBe(before);
    const outputs = join(project.dir, 'results', 'sweeps', 'noise');
    expect((await readdir(outputs)).sort()).toEqual(['band.svg', 'bands.csv', 'summary.csv']);
    for (const file of ['summary.csv', 'bands.csv', 'band.svg']) {
      expect(await readFile(join(outputs, file), 'utf8'), file).toBe(await readFile(join(expectedDir, file), 'utf8'));
    }
    expect((await project.repro('sweep', 'noise', '--status')).stdout).toContain('8 done, 0 failed, 0 missing of 8');
  });

  it('--resume with every point done runs none and writes the same summary; --out puts it in a run folder, never over results/', async () => {
    const out = join(project.dir, '.rerun');
    const again = await project.repro('sweep', 'noise', '--engine', 'local', '--resume', '--out', out);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('sweep noise: 8 points, 0 to run (8 done before) on local');
    for (const file of ['summary.csv', 'bands.csv', 'band.svg']) {
      expect(await readFile(join(out, 'results', 'sweeps', 'noise', file), 'utf8'), file).toBe(await readFile(join(expectedDir, file), 'utf8'));
    }
    const refused = await project.repro('sweep', 'noise', '--engine', 'local', '--resume', '--out', join(project.dir, 'results'));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('which holds the committed results results/sweeps/noise');
  });

  it('a second sweep while one holds the lock: exit 2 naming its pid and the fix, nothing run; a dead owner\'s lock is taken over', async () => {
    const lockFile = join(project.dir, '.repro', 'sweeps', 'noise', 'sweep.lock');
    const owner = { pid: process.pid, host: hostname(), command: 'repro sweep noise -j 2', since: '2026-01-01T00:00:00.000Z' };
    await writeFile(lockFile, JSON.stringify(owner));
    const busy = await project.repro('sweep', 'noise', '--engine', 'local', '--resume');
    expect(busy.code).toBe(2);
    expect(busy.stderr).toContain(`repro: sweep noise is in use by another process: pid ${process.pid} (repro sweep noise -j 2, since 2026-01-01T00:00:00.000Z)`);
    expect(busy.stderr).toContain(`kill ${process.pid}) and run only what it left: repro sweep noise --resume`);
    expect(busy.stderr).toContain('remove .repro/sweeps/noise/sweep.lock');
    expect(busy.stderr).not.toContain('points,');
    expect(JSON.parse(await readFile(lockFile, 'utf8'))).toEqual(owner);

    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => gone.on('exit', resolve));
    await writeFile(lockFile, JSON.stringify({ ...owner, pid: gone.pid }));
    const taken = await project.repro('sweep', 'noise', '--engine', 'local', '--resume');
    expect(taken.code, taken.stderr).toBe(0);
    expect(taken.stderr).toContain(`note: took over the lock of sweep noise from pid ${gone.pid} (repro sweep noise -j 2, since 2026-01-01T00:00:00.000Z), which is no longer running`);
    expect(taken.stderr).toContain('sweep noise: 8 points, 0 to run (8 done before) on local');
    await expect(access(lockFile)).rejects.toThrow(); // released
  });

  it('Ctrl-C kills the running kernels and exits 130; --resume finishes the sweep to the same summary', async () => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'repro.js'), '-C', project.dir, 'sweep', 'noise', '--engine', 'local', '-j', '2'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const deadline = Date.now() + 60_000;
    while ((await kernelsIn(project.dir)).length < 2 && Date.now() < deadline) await sleep(100);
    expect((await kernelsIn(project.dir)).length).toBe(2);
    child.kill('SIGINT');
    expect(await exited, stderr).toBe(130);
    expect(stderr).toContain('repro: interrupted (SIGINT)');
    expect(await kernelsIn(project.dir)).toEqual([]);
    const resumed = await project.repro('sweep', 'noise', '--engine', 'local', '-j', '2', '--resume');
    expect(resumed.code, resumed.stderr).toBe(0);
    for (const file of ['summary.csv', 'bands.csv', 'band.svg']) {
      expect(await readFile(join(project.dir, 'results', 'sweeps', 'noise', file), 'utf8'), file).toBe(await readFile(join(expectedDir, file), 'utf8'));
    }
  }, 300_000);

  it('--verify re-runs every point into a run folder and compares the summary with the committed one: a changed mean fails', async () => {
    const verified = await project.repro('sweep', 'noise', '--engine', 'local', '-j', '2', '--verify');
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stderr).toContain('sweep noise: 8 points, 8 to run on local, 2 at once');
    expect(verified.stdout, verified.stdout).toMatch(/results\/sweeps\/noise\/bands\.csv\s+csv\s+identical/);
    expect(verified.stdout).toMatch(/results\/sweeps\/noise\/band\.svg\s+svg\s+identical/);
    // The committed summary is left as it was.
    expect(await readFile(join(project.dir, 'results', 'sweeps', 'noise', 'bands.csv'), 'utf8')).toBe(await readFile(join(expectedDir, 'bands.csv'), 'utf8'));
    // A committed mean that the re-run does not give is a difference, exit 1.
    const bands = join(project.dir, 'results', 'sweeps', 'noise', 'bands.csv');
    const lines = (await readFile(bands, 'utf8')).split('\n');
    const cells = lines[1].split(',');
    const mean = lines[0].split(',').indexOf('mean');
    cells[mean] = String(Number(cells[mean]) + 1);
    lines[1] = cells.join(',');
    await writeFile(bands, lines.join('\n'));
    const differs = await project.repro('sweep', 'noise', '--engine', 'local', '-j', '2', '--verify');
    expect(differs.code).toBe(1);
    expect(differs.stdout).toMatch(/results\/sweeps\/noise\/bands\.csv\s+csv\s+DIFFERS\s/);
    expect(differs.stderr).toContain('1 file of results/sweeps/noise differs from the committed summary beyond tolerance');
    expect((await project.repro('sweep', 'noise', '--verify', '--resume')).code).toBe(2);
  }, 300_000);
});

/** Pids of processes whose working directory is in the project (the kernels start in the notebook's folder). */
async function kernelsIn(dir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const cwd = await readlink(`/proc/${name}/cwd`).catch(() => '');
    if (cwd.startsWith(`${dir}/`)) pids.push(Number(name));
  }
  return pids;
}

