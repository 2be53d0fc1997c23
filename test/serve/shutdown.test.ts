// SIGTERM during a load run: the service stops accepting, finishes every request it accepted (each gets its 200),
// and exits 0. Run as a child process, exactly as in the image.
import { Agent, request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { gamesH5 } from '../model/data-files.ts';
import { startServiceProcess } from './service-process.ts';

const inputs = ['g1', 'g2', 'g3', 'g4', 'g5', 'g6', 'g7', 'g8', 'g9', 'g10'];
const row = Object.fromEntries(inputs.map((name) => [name, 1]));
const body = JSON.stringify({ instances: Array.from({ length: 50 }, () => row) });

interface Outcome {
  status?: number;
  error?: string;
}

/** One POST; resolves with its status or the connection error, never rejects. */
function post(url: string, agent: Agent, payload: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = request(`${url}/predict`, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode }));
      res.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    req.end(payload);
  });
}

/** Waits for a condition with a deadline (checked as the event loop turns, no fixed sleeps). */
async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('graceful shutdown', () => {
  it.each(['1', '2'])('SIGTERM during a load run loses no accepted request, finishes one in flight, and exits 0 (%s workers)', async (count) => {
    const service = await startServiceProcess({ name: 'games', kind: 'model', model: gamesH5, inputs, batchLimit: 100 }, { REPRO_SERVE_WORKERS: count });
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const outcomes: Outcome[] = [];
    let stop = false;
    const worker = async () => {
      while (!stop) {
        const outcome = await post(service.url, agent, body);
        outcomes.push(outcome);
        if (outcome.error) return; // The server is gone: stop hammering it.
      }
    };
    const workers = Array.from({ length: 8 }, worker);

    // A request in flight at SIGTERM: headers and half the body sent, the rest only after shutdown has begun.
    let finishSlow = () => {};
    const slowDone = new Promise<Outcome>((resolve) => {
      const req = request(`${service.url}/predict`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode }));
      });
      req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
      req.write(body.slice(0, 100));
      finishSlow = () => req.end(body.slice(100));
    });

    await until(() => outcomes.filter((outcome) => outcome.status === 200).length >= 100, 60_000);
    service.child.kill('SIGTERM');
    await service.waitForLine((line) => line.event === 'shutdown');
    finishSlow();
    const slow = await slowDone;
    const code = await service.exited;
    stop = true;
    await Promise.all(workers);
    agent.destroy();

    expect(code).toBe(0);
    expect(slow).toEqual({ status: 200 });
    const answered = outcomes.filter((outcome) => outcome.status !== undefined);
    // Every response the client got is a 200; the only failures are connections the server never accepted.
    expect(answered.every((outcome) => outcome.status === 200)).toBe(true);
    const refused = outcomes.filter((outcome) => outcome.error).map((outcome) => outcome.error);
    expect(refused.every((error) => ['ECONNREFUSED', 'ECONNRESET', 'socket hang up', 'EPIPE'].includes(String(error)))).toBe(true);
    // Every request the service logged as answered reached its client as a 200 (+1: the slow request).
    const logged200 = service.lines.filter((line) => line.path === '/predict' && line.status === 200).length;
    expect(logged200).toBe(answered.length + 1);
    expect(answered.length).toBeGreaterThanOrEqual(100);
    expect(service.lines.at(-1)).toMatchObject({ event: 'closed' });
  });
});
