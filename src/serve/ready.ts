// Waits until a service answers HTTP, with a deadline: the readiness check for containers and child processes.
import { request } from 'node:http';

export interface WaitOptions {
  /** Give up after this long. */
  timeoutMs: number;
  /** Which statuses count as ready: 200 for repro's services; any answer for a user's command. */
  ready?: (status: number) => boolean;
  /** Rejects early when the service is known to be gone (its process or container exited). */
  gone?: Promise<unknown>;
}

export async function waitForHttp(url: string, options: WaitOptions): Promise<void> {
  const ready = options.ready ?? ((status: number) => status === 200);
  const deadline = Date.now() + options.timeoutMs;
  let goneError: unknown;
  let isGone = false;
  options.gone?.then(
    (value) => ((isGone = true), (goneError = new Error(`the service stopped before it was ready (${String(value)})`))),
    (error: unknown) => ((isGone = true), (goneError = error)),
  );
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (isGone) throw goneError;
    const status = await probe(url).catch((error: NodeJS.ErrnoException) => {
      last = error.code ?? error.message;
      return undefined;
    });
    if (status !== undefined) {
      if (ready(status)) return;
      last = `HTTP ${status}`;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} was not ready within ${Math.round(options.timeoutMs / 1000)} s (last: ${last})`);
}

function probe(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', timeout: 2000, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}
