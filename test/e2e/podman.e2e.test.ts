// End to end on rootless podman, as a normal user meets it (the tests run as root: as the test user of
// scripts/podman-user.sh): the tslab sample repository with a data file, its own copy owned by that user; lock, run,
// verify with Docker out of reach (auto-detection picks podman), outputs owned by the user; `repro serve` of an echo service; then `repro pack` and
// `repro verify --pack` in a network namespace with no network, the image first removed from podman. Fails in CI
// without podman's API, skips elsewhere.
import { spawn } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command, said, type Result } from '../helpers/command.ts';
import { freePort } from '../serve/cli-process.ts';
import { copySampleWithData } from '../helpers/sample-pack.ts';
import { engineClient, podmanTestIds, podmanTestUser, requireEngine } from '../helpers/engine.ts';

const repoRoot = join(import.meta.dirname, '..', '..');
const bin = join(repoRoot, 'bin', 'repro.js');
const podmanAnswers = await requireEngine('podman');
const asRoot = process.getuid?.() === 0;
/** Who runs repro: the test user when we are root, else ourselves (with our own podman). */
const ids = asRoot ? podmanTestIds() : { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };

/** A command line and environment as the podman user types it: its own HOME and runtime folder, Docker out of reach, no CONTAINER_HOST. */
function asUserArgv(args: string[], extra: NodeJS.ProcessEnv = {}, prefix: string[] = []): { argv: string[]; env: NodeJS.ProcessEnv } {
  const user = ids ?? { uid: -1, gid: -1 };
  const env: NodeJS.ProcessEnv = {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    HOME: asRoot ? `/home/${podmanTestUser}` : process.env.HOME,
    XDG_RUNTIME_DIR: asRoot ? `/run/user/${user.uid}` : process.env.XDG_RUNTIME_DIR,
    LANG: 'C.UTF-8',
    NO_COLOR: '1',
    // Docker answers root on this machine; the podman user must find podman on its own.
    DOCKER_HOST: 'unix:///nonexistent/docker.sock',
    ...(process.env.REPRO_DATA_MIRROR ? { REPRO_DATA_MIRROR: process.env.REPRO_DATA_MIRROR } : {}),
    ...(process.env.CI ? { CI: process.env.CI } : {}),
    ...extra,
  };
  const drop = asRoot ? ['setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, '--init-groups'] : [];
  return { argv: [...prefix, ...drop, ...args], env };
}

/** A command as the podman user, to its end. */
function asUser(args: string[], cwd: string, extra: NodeJS.ProcessEnv = {}, prefix: string[] = []): Promise<Result> {
  const { argv, env } = asUserArgv(args, extra, prefix);
  return command(argv[0], argv.slice(1), cwd, env);
}

describe.runIf(podmanAnswers && ids)('rootless podman end to end (tslab sample, as a normal user)', { timeout: 10 * 60_000 }, () => {
  let root: string;
  let dir: string;
  let packFile: string;
  let verified: Result;
  const repro = (...args: string[]) => asUser([process.execPath, bin, '-C', dir, ...args], dir);
  const git = (...args: string[]) => asUser(['git', '-c', 'user.name=Sample Author', '-c', 'user.email=author@example.org', '-c', 'commit.gpgsign=false', ...args], dir);
  let setup = '';

  beforeAll(async () => {
    if (!ids) return;
    root = await mkdtemp(join(tmpdir(), 'repro-e2e-podman-'));
    packFile = join(root, 'tslab.repro.tar');
    dir = await copySampleWithData(root, { gitignore: 'data/\n.repro/\n', yaml: (text) => `${text}services:\n  echo: { kind: echo, port: 5000 }\n` });
    // The project is the user's, as a checkout of theirs would be.
    for (const path of [root, ...(await readdir(root, { recursive: true })).map((name) => join(root, name))]) await chown(path, ids.uid, ids.gid);
    await chmod(root, 0o755);
    await git('init', '-q', '-b', 'main');
    await git('add', '-A');
    await git('commit', '-q', '-m', 'The analysis');
    const locked = await repro('lock');
    setup = `lock: ${said(locked)}`;
    if (locked.code !== 0) return;
    await git('add', 'research.lock');
    await git('commit', '-q', '-m', 'repro lock');
    const ran = await repro('run');
    setup = `run: ${said(ran)}`;
    if (ran.code !== 0) return;
    await git('add', 'results');
    await git('commit', '-q', '-m', 'Results');
    verified = await repro('verify');
    setup = `verify: ${said(verified)}`;
  }, 15 * 60_000);

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('repro verify passes on podman, found with Docker out of reach, and records the engine', async () => {
    expect(verified?.code, setup).toBe(0);
    expect(verified.stdout).toContain('verify: OK, 3 files match within tolerance');
    const record = JSON.parse(await readFile(join(dir, '.repro', 'runs', 'last', 'verify.json'), 'utf8')) as { engine: string; imageId: string };
    expect(record.engine).toBe('podman');
    expect(record.imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('outputs the container wrote are owned by the user who ran repro', async () => {
    expect(verified?.code, setup).toBe(0);
    const run = join(dir, '.repro', 'runs', 'last', 'results', 'analysis');
    const names = (await readdir(run)).sort();
    expect(names).toEqual(['analysis.ipynb', 'metrics.json', 'summary.csv']);
    for (const path of [run, ...names.map((name) => join(run, name)), join(dir, 'results', 'analysis', 'summary.csv')]) {
      const info = await stat(path);
      expect({ path, uid: info.uid, gid: info.gid }).toEqual({ path, uid: ids?.uid, gid: ids?.gid });
    }
    // The user can remove what the run wrote: nothing is left owned by a uid of the container's.
    const removed = await asUser(['rm', '-r', join(dir, '.repro', 'runs')], dir);
    expect(removed.code, said(removed)).toBe(0);
  });

  it('repro serve runs a service on podman as the user, answering on 127.0.0.1, and stops cleanly on SIGTERM', async () => {
    expect(verified?.code, setup).toBe(0);
    const port = await freePort();
    const { argv, env } = asUserArgv([process.execPath, bin, '-C', dir, 'serve', 'echo', '--port', String(port)]);
    const child = spawn(argv[0], argv.slice(1), { cwd: dir, env });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    let gone = false;
    void exited.then(() => (gone = true));
    try {
      const deadline = Date.now() + 5 * 60_000;
      while (!output.includes(`echo answers at http://127.0.0.1:${port}`) && !gone && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
      expect(output).toContain(`echo answers at http://127.0.0.1:${port}`);
      const response = await fetch(`http://127.0.0.1:${port}/predict?msg=Hi`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ response: 'Hi', success: true });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited, output).toBe(0);
    expect(output).toContain('"event":"closed"');
  });

  it.runIf(asRoot)('repro verify --pack passes on podman in a network namespace with no network', async () => {
    expect(verified?.code, setup).toBe(0);
    const packed = await repro('pack', '--json', '--out', packFile);
    expect(packed.code, said(packed)).toBe(0);
    const { image } = JSON.parse(packed.stdout) as { image: { id: string; tag: string } };
    // The image comes from the pack, not from what the run left in podman.
    await engineClient('podman').getImage(image.id).remove({ force: true });
    const scratch = join(root, 'elsewhere');
    await mkdir(scratch);
    await chown(scratch, ids!.uid, ids!.gid);
    const env = { REPRO_CACHE: join(scratch, 'empty-cache'), REPRO_DATA_MIRROR: '', TMPDIR: scratch };
    const interfaces = await asUser(['cat', '/proc/net/dev'], scratch, env, ['unshare', '-n']);
    expect(interfaces.stdout.split('\n').slice(2).filter(Boolean).map((line) => line.trim().split(':')[0])).toEqual(['lo']);
    const result = await asUser([process.execPath, bin, 'verify', '--pack', packFile], scratch, env, ['unshare', '-n']);
    expect(result.code, said(result)).toBe(0);
    expect(result.stderr).toMatch(/loaded repro\/sample-tslab:[0-9a-f]{16} \(sha256:/);
    expect(result.stderr).toContain('✓ notebooks/analysis.ipynb');
    expect(result.stderr).not.toMatch(/building|built repro/);
    expect(result.stdout).toContain('verify: OK, 3 files match within tolerance');
    expect(await engineClient('podman').getImage(image.id).inspect().then((info) => info.Id)).toBe(image.id);
  });
});
