// A service with several workers: they share one port, all of them answer, and a SIGTERM to the primary stops
// every worker gracefully (exit 0); a worker that dies on its own takes the service down with exit 1.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { startServiceProcess } from './service-process.ts';

async function childPids(pid: number): Promise<number[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8');
  return text.trim().split(/\s+/).filter(Boolean).map(Number);
}

describe('service workers', () => {
  it('three workers share the port, answer, and all stop on one SIGTERM to the primary', async () => {
    const service = await startServiceProcess({ name: 'echo', kind: 'echo' }, { REPRO_SERVE_WORKERS: '3' });
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

  it('a worker killed from outside stops the service with exit 1, saying which', async () => {
    const service = await startServiceProcess({ name: 'echo', kind: 'echo' }, { REPRO_SERVE_WORKERS: '2' });
    const [first] = await childPids(service.child.pid as number);
    process.kill(first, 'SIGKILL');
    expect(await service.exited).toBe(1);
    expect(service.lines.find((line) => line.event === 'worker-exited')).toMatchObject({ pid: first, signal: 'SIGKILL' });
  });

  it('refuses a workers count that is not a whole number from 1 to 256', async () => {
    await expect(startServiceProcess({ name: 'echo', kind: 'echo' }, { REPRO_SERVE_WORKERS: '0' })).rejects.toThrow(/--workers must be a whole number from 1 to 256 \(got 0\)/);
  });
});
