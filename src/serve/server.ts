// Runs a service app on a port and shuts it down gracefully on SIGTERM/SIGINT: stop accepting, let in-flight
// requests finish, then resolve so the process can exit 0.
import type { LogSink, ServiceApp } from './app.ts';

export interface ListenOptions {
  host: string;
  port: number;
}

/** Listens on host:port (0: any free port) and resolves with the service's URL; rejects if the port is taken. */
export function listen({ server }: ServiceApp, { host, port }: ListenOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      const actualPort = typeof address === 'object' && address ? address.port : port;
      resolve(`http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`);
    });
  });
}

/**
 * On the first signal: close (no new connections; requests in flight finish; idle keep-alive connections
 * are closed), log, and call `onClosed`. A second signal exits at once, for an impatient operator. Returns the
 * shutdown itself, for a primary process to ask for it (a request while closing is not a second signal).
 */
export function closeOnSignals(
  app: ServiceApp,
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
