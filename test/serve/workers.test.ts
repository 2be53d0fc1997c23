// A service with several workers: they share one port, all of them answer, and a SIGTERM to the primary stops
// every worker gracefully (exit 0); a worker that dies on its own takes the service down with exit 1.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { Agent, get } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../model/data-files.ts';
import { startServiceProcess } from './service-process.ts';

async function childPids(pid: number): Promise<number[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8');
  return text.trim().split(/\s+/).filter(Boolean).map(Number);
}

describe('service workers', () => {
  it.each([
    ['stdout', false],
    ['a log socket, as in a container', true],
  ])('three workers share the port, answer, and all stop on one SIGTERM to the primary; the log on %s', async (_, logSocket) => {
    const service = await startServiceProcess({ name: 'echo', kind: 'echo' }, { REPRO_SERVE_WORKERS: '3' }, { logSocket });
    expect(service.lines.find((line) => line.event === 'listening')?.workers).toBe(3);
    const workers = await childPids(service.child.pid as number);
    expect(workers).toHaveLength(3);
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => fetch(`${service.url}/predict?msg=m${i}`).then((r) => r.json())));
    expect(answers.map((answer) => (answer as { response: string }).response)).toEqual(Array.from({ length: 30 }, (_, i) => `m${i}`));
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    // Every worker logged its own close, then the primary its own.
    expect(service.lines.filter((line) => line.event === 'closed')).toHaveLength(4);
    // The request log came through whole: one line per request (plus none torn).
    expect(service.lines.filter((line) => line.path === '/predict')).toHaveLength(30);
  });

  it('deals connections out evenly: 30 held open over three workers are 10 each', async () => {
    const service = await startServiceProcess({ name: 'echo', kind: 'echo' }, { REPRO_SERVE_WORKERS: '3' });
    const workers = await childPids(service.child.pid as number);
    const sockets = async (pid: number) => {
      const fds = await readdir(`/proc/${pid}/fd`);
      const targets = await Promise.all(fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')));
      return targets.filter((target) => target.startsWith('socket:')).length;
    };
    const before = await Promise.all(workers.map(sockets));
    // 30 connections opened at once and kept open (a keep-alive agent holding one per request).
    const agent = new Agent({ keepAlive: true, maxSockets: 30 });
    const answers = await Promise.all(
      Array.from({ length: 30 }, () => new Promise<number>((resolve, reject) => get(`${service.url}/predict?msg=x`, { agent }, (res) => res.resume().on('end', () => resolve(res.statusCode ?? 0))).on('error', reject))),
    );
    expect(answers.every((status) => status === 200)).toBe(true);
    const after = await Promise.all(workers.map(sockets));
    agent.destroy();
    expect(after.map((count, i) => count - before[i])).toEqual([10, 10, 10]);
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
  });

  it('a worker killed from outside stops the service with exit 1, saying which', async () => {
    const service = await startServiceProcess({ name: 'echo', kind: 'echo' }, { REPRO_SERVE_WORKERS: '2' });
    const [first] = await childPids(service.child.pid as number);
    process.kill(first, 'SIGKILL');
    expect(await service.exited).toBe(1);
    expect(service.lines.find((line) => line.event === 'worker-exited')).toMatchObject({ pid: first, signal: 'SIGKILL' });
  });

  it('SIGTERM while the workers are still starting: none serves on, the service exits 0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'repro-workers-'));
    await writeFile(join(dir, 'service.json'), JSON.stringify({ name: 'echo', kind: 'echo' }));
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/serve/main.ts'), '--config', join(dir, 'service.json'), '--port', '0', '--workers', '2'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // The moment both workers exist (forked, not yet listening: they are still loading), stop the service.
    const workers = async () => {
      const pids = await childPids(child.pid as number).catch(() => []);
      // Node's children only (tsx has an esbuild process of its own).
      const commands = await Promise.all(pids.map((pid) => readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')));
      return commands.filter((command) => command.includes('main.ts')).length;
    };
    while ((await workers()) < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    child.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<string>((resolve) => setTimeout(() => resolve('still running after 20 s'), 20_000))]);
    if (code !== 0) child.kill('SIGKILL');
    expect(code, output).toBe(0);
    const events = output.trim().split('\n').map((line) => (JSON.parse(line) as { event?: string }).event);
    expect(events.filter((event) => event === 'closed')).toHaveLength(3);
    expect(events).not.toContain('listening');
    await rm(dir, { recursive: true, force: true });
  }, 30_000);

  it('a port already in use: the primary says so on stderr, stops its workers and exits 1', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    const dir = await mkdtemp(join(tmpdir(), 'repro-workers-'));
    await writeFile(join(dir, 'service.json'), JSON.stringify({ name: 'echo', kind: 'echo' }));
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/serve/main.ts'), '--config', join(dir, 'service.json'), '--port', String(port), '--workers', '2'], { cwd: repoRoot });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (exitCode) => resolve(exitCode)));
    taken.close();
    await rm(dir, { recursive: true, force: true });
    expect(code).toBe(1);
    expect(stderr).toContain(`service failed to start: cannot listen on 127.0.0.1:${port}: port ${port} on 127.0.0.1 is in use`);
    expect(stdout).not.toContain('"listening"');
    expect(stdout.trim().split('\n').filter((line) => line.includes('"closed"'))).toHaveLength(3);
  }, 30_000);

  it('refuses a workers count that is not a whole number from 1 to 256', async () => {
    await expect(startServiceProcess({ name: 'echo', kind: 'echo' }, { REPRO_SERVE_WORKERS: '0' })).rejects.toThrow(/--workers must be a whole number from 1 to 256 \(got 0\)/);
  });
});
