// The batch script: rendered text against a golden file (UPDATE_GOLDEN=1 rewrites it; review the diff), and the
// script itself run by bash as Slurm would run it, with a stand-in `docker` on PATH that logs what it is asked.
import { execFile, spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pointDirMarker, renderTaskScript, shellWord, type TaskScriptInput } from '../../src/cluster/task-script.ts';
import { containerCommandLine } from '../../src/run/container-options.ts';

const run = promisify(execFile);
const imageId = `sha256:${'ab'.repeat(32)}`;

function input(dirs: { points: string; archive: string }, pointCount = 2): TaskScriptInput {
  const argv = containerCommandLine({
    image: imageId,
    cmd: ['repro', '-C', '/project', 'run', '--spec', '/out/spec.json', '--result', '/out/result.json'],
    user: '1000:1000',
    network: 'none',
    readOnly: true,
    tmpfs: { '/tmp': 'rw,exec,size=2g' },
    workdir: '/project',
    mounts: [
      { host: '/shared/data/games table.csv', container: '/project/data/games.csv', readOnly: true },
      { host: pointDirMarker, container: '/out' },
    ],
    env: { HOME: '/tmp/home', REPRO_TOKEN: 'never in the script' },
    confined: { memoryBytes: 4294967296, cpus: 2, pids: 1024 },
  });
  const points = Array.from({ length: pointCount }, (_, index) => ({ index, id: `seed-${index + 1}`, dir: join(dirs.points, `seed-${index + 1}`) }));
  return { sweep: 'seeds', imageId, imageArchive: dirs.archive, points: points.reverse(), containerArgv: argv };
}

describe('renderTaskScript', () => {
  it('renders the golden script: points by task id, the image by id, one option per line, no secret values', () => {
    const rendered = renderTaskScript(input({ points: "/shared/it's here/.repro/sweeps/seeds", archive: '/shared/.repro/images/abab.tar' }));
    const golden = join(import.meta.dirname, '../fixtures/cluster/task-script.sh');
    if (process.env.UPDATE_GOLDEN) writeFileSync(golden, rendered);
    expect(rendered).toBe(readFileSync(golden, 'utf8'));
    expect(rendered).not.toContain('never in the script');
    expect(rendered).toContain(`  0) point_id=seed-1; point_dir='/shared/it'\\''s here/.repro/sweeps/seeds/seed-1' ;;`);
    expect(rendered).toContain('--volume "$point_dir":/out:rw');
  });

  it('is valid bash', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'repro-task-script-'));
    try {
      await writeFile(join(dir, 'task.sh'), renderTaskScript(input({ points: dir, archive: join(dir, 'image.tar') })));
      await expect(run('bash', ['-n', join(dir, 'task.sh')])).resolves.toBeDefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a command line that is not `<engine> run`, an image given by tag, or one that runs another image', () => {
    const base = input({ points: '/p', archive: '/a.tar' });
    expect(() => renderTaskScript({ ...base, containerArgv: ['docker', 'create', imageId] })).toThrow(/must start with '<engine> run'/);
    expect(() => renderTaskScript({ ...base, imageId: 'repro-project:latest' })).toThrow(/is not an image id/);
    expect(() => renderTaskScript({ ...base, containerArgv: ['docker', 'run', 'other'] })).toThrow(/by its id/);
    expect(() => renderTaskScript({ ...base, containerArgv: ['do cker', 'run', imageId] })).toThrow(/plain command name/);
  });
});

describe('shellWord', () => {
  it.each([['plain/path-1.csv'], ["it's"], ['a b'], ['$HOME'], ['`id`'], ['"quoted"'], ['x\ny'], ['*'], ['']])('bash reads %j back unchanged', async (word) => {
    const { stdout } = await run('bash', ['-c', `printf '%s|' ${shellWord(word) || "''"}`]);
    expect(stdout).toBe(`${word}|`);
  });

  it('turns the marker into the task\'s "$point_dir"', async () => {
    const { stdout } = await run('bash', ['-c', `point_dir='/a b'; printf '%s' ${shellWord(`${pointDirMarker}:/out:rw`)}`]);
    expect(stdout).toBe('/a b:/out:rw');
  });
});

describe('the task script, run as Slurm runs it (a stand-in docker)', () => {
  let dir: string;
  let bin: string;
  let system: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'repro-task-run-'));
    bin = join(dir, 'bin');
    await mkdir(bin);
    // image inspect: present once loaded; load: slow, logged; run: writes result.json into the /out volume and
    // exits with $FAKE_EXIT (after $FAKE_SLEEP seconds); rm: logged, and stops the run as the engine would.
    await writeFile(
      join(bin, 'docker'),
      `#!/bin/bash
log="${dir}/docker.log"
echo "$(basename "$0") $1" >>"${dir}/engine.log"
case "$1 $2" in
  "image inspect") [ -f "${dir}/loaded" ] ;;
  "load -i") echo "load $3" >>"$log"; [ -n "\${FAKE_LOAD_FAILS:-}" ] && exit 1; sleep 0.3; touch "${dir}/loaded" ;;
  "rm -f") echo "rm $3" >>"$log"; [ -f "${dir}/run.pid" ] && kill $(cat "${dir}/run.pid") ;;
  run*)
    out=$(printf '%s\\n' "$@" | sed -n 's/:\\/out:rw$//p')
    echo "run $out" >>"$log"
    [ -n "\${FAKE_SLEEP:-}" ] && { sleep "$FAKE_SLEEP" & echo "$$ $!" >"${dir}/run.pid"; wait $!; }
    echo '{"ran":true}' >"$out/result.json"
    exit "\${FAKE_EXIT:-0}" ;;
esac
`,
    );
    await chmod(join(bin, 'docker'), 0o755);
    // The rest of PATH: only the tools the script and the stand-in use, so no real docker or podman is found.
    system = join(dir, 'system');
    await mkdir(system);
    for (const tool of ['bash', 'date', 'hostname', 'rm', 'mv', 'flock', 'sleep', 'touch', 'cat', 'sed', 'kill', 'basename']) {
      const { stdout } = await run('bash', ['-c', `command -v ${tool}`]);
      await symlink(stdout.trim(), join(system, tool));
    }
    for (const point of ['seed-1', 'seed-2']) await mkdir(join(dir, 'points', point), { recursive: true });
    await writeFile(join(dir, 'task.sh'), renderTaskScript(input({ points: join(dir, 'points'), archive: join(dir, 'image.tar') })));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  function task(id: number, env: Record<string, string> = {}, path = `${bin}:${system}`) {
    const child = spawn('bash', [join(dir, 'task.sh')], {
      env: { ...process.env, PATH: path, TMPDIR: dir, SLURM_ARRAY_TASK_ID: String(id), SLURM_ARRAY_JOB_ID: '41', SLURM_JOB_ID: String(42 + id), SLURMD_NODENAME: 'node7', ...env },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const done = new Promise<{ code: number | null; output: string }>((resolve) => child.on('close', (code) => resolve({ code, output })));
    return { child, done };
  }
  const accounting = async (point: string) => JSON.parse(await readFile(join(dir, 'points', point, 'slurm.json'), 'utf8')) as Record<string, unknown>;
  const dockerLog = async () => (await readFile(join(dir, 'docker.log'), 'utf8')).trim().split('\n');

  it('two tasks starting together on one node load the image once, run their own points, and record Slurm\'s accounting', async () => {
    const [first, second] = await Promise.all([task(0).done, task(1).done]);
    expect([first.code, second.code]).toEqual([0, 0]);
    const log = await dockerLog();
    expect(log.filter((line) => line.startsWith('load'))).toEqual([`load ${join(dir, 'image.tar')}`]);
    expect(log.filter((line) => line.startsWith('run')).sort()).toEqual([`run ${join(dir, 'points/seed-1')}`, `run ${join(dir, 'points/seed-2')}`]);
    const record = await accounting('seed-2');
    expect(record).toMatchObject({ jobId: '43', arrayJobId: '41', arrayTaskId: '1', point: 'seed-2', node: 'node7', exitCode: 0 });
    expect([(await accounting('seed-1')).imageLoaded, record.imageLoaded].sort()).toEqual([false, true]);
    // Milliseconds, so the benchmark can tell the task's own overhead from the notebook's time.
    expect(record.startedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Date.parse(record.endedAt as string)).toBeGreaterThanOrEqual(Date.parse(record.startedAt as string));
    expect(existsSync(join(dir, 'points/seed-1/result.json'))).toBe(true);
  });

  it("passes the container's exit code on to Slurm and records it", async () => {
    const { code } = await task(0, { FAKE_EXIT: '1' }).done;
    expect(code).toBe(1);
    expect(await accounting('seed-1')).toMatchObject({ exitCode: 1, arrayTaskId: '0' });
  });

  it('an archive that does not load is exit 3, recorded, and no container runs', async () => {
    const { code, output } = await task(0, { FAKE_LOAD_FAILS: '1' }).done;
    expect(code).toBe(3);
    expect(output).toContain(`could not load ${join(dir, 'image.tar')} into docker on node7`);
    expect(await accounting('seed-1')).toMatchObject({ exitCode: 3 });
    expect((await dockerLog()).some((line) => line.startsWith('run'))).toBe(false);
  });

  it('a task id that is no point is exit 2 and touches nothing', async () => {
    const { code, output } = await task(9).done;
    expect(code).toBe(2);
    expect(output).toContain('array task 9 is not a point of sweep seeds');
    expect(existsSync(join(dir, 'docker.log'))).toBe(false);
  });

  it('TERM (scancel) removes the container and records exit 143', async () => {
    await writeFile(join(dir, 'loaded'), '');
    const { child, done } = task(1, { FAKE_SLEEP: '30' });
    const deadline = Date.now() + 10_000;
    while (!existsSync(join(dir, 'docker.log')) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    child.kill('SIGTERM');
    const { code } = await done;
    expect(code).toBe(143);
    expect(await dockerLog()).toContain('rm repro-sweep-41-1');
    expect(await accounting('seed-2')).toMatchObject({ exitCode: 143, jobId: '43' });
    expect(existsSync(join(dir, 'points/seed-2/result.json'))).toBe(false);
  });

  it('a node without the engine asked for uses the other of docker and podman', async () => {
    const base = input({ points: join(dir, 'points'), archive: join(dir, 'image.tar') });
    await writeFile(join(dir, 'task.sh'), renderTaskScript({ ...base, containerArgv: ['podman', ...base.containerArgv.slice(1)] }));
    const { code } = await task(0).done;
    expect(code).toBe(0);
    expect((await readFile(join(dir, 'engine.log'), 'utf8')).trim().split('\n')).toEqual(['docker image', 'docker image', 'docker load', 'docker run']);
  });

  it('a node with neither is exit 3, said and recorded', async () => {
    const { code, output } = await task(0, {}, system).done;
    expect(code).toBe(3);
    expect(output).toContain('repro: node node7 has neither docker nor podman on PATH');
    expect(await accounting('seed-1')).toMatchObject({ exitCode: 3, node: 'node7' });
  });
});
