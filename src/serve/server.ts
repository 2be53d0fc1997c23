// Runs a service app on a port and shuts it down gracefully on SIGTERM/SIGINT: stop accepting, let in-flight
// requests finish, then resolve so the process can exit 0.
import type { FastifyInstance } from 'fastify';
import type { LogSink } from './app.ts';

export interface ListenOptions {
  host: string;
  port: number;
}

export async function listen(app: FastifyInstance, { host, port }: ListenOptions): Promise<string> {
  await app.listen({ host, port });
  const address = app.server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  return `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`;
}

/**
 * On the first signal: close (no new connections; requests in flight finish; idle keep-alive connections
 * are closed), log, and call `onClosed`. A second signal exits at once, for an impatient operator. Returns the
 * shutdown itself, for a primary process to ask for it (a request while closing is not a second signal).
 */
export function closeOnSignals(
  app: FastifyInstance,
  log: LogSink,
  onClosed: () => void,
  signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'],
): (signal: NodeJS.Signals, asked?: boolean) => void {
  let closing = false;
  const handler = (signal: NodeJS.Signals, asked = false) => {
    if (closing) {
      if (!asked) process.exit(130);
      return;
    }
    closing = true;
    log.write(JSON.stringify({ time: new Date().toISOString(), event: 'shutdown', signal }) + '\n');
    app.close().then(
      () => {
        log.write(JSON.stringify({ time: new Date().toISOString(), event: 'closed' }) + '\n');
        onClosed();
      },
      (error: unknown) => {
        log.write(JSON.stringify({ time: new Date().toISOString(), event: 'close-failed', error: String(error) }) + '\n');
        process.exit(1);
      },
    );
  };
  for (const signal of signals) process.on(signal, (received: NodeJS.Signals) => handler(received));
  return handler;
}
