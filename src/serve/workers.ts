// The service's processes: a primary and `count` workers (by default one per core less one, see defaultWorkers).
// The primary forks the workers; when every one of them is ready it listens on the
// port and deals each connection to the next worker in turn, then prints the one "listening" line. On SIGTERM/SIGINT
// it stops accepting and asks each worker to stop gracefully (it finishes its requests in flight), and exits 0 when
// all have. A worker that dies on its own takes the service down with exit 1, loudly: a restart policy belongs to
// whoever runs the container.
//
// Why the primary deals the connections rather than letting the workers share the listening socket: left to the
// kernel (cluster's SCHED_NONE), whichever worker is awake takes a burst, and wrk's 32 connections came out 28/4 or
// 7/25 as often as 16/16; cluster's own round robin hands each one to the first worker free, 14/18 or 8/6/16 over
// three. The worker holding the most sets the tail: p99 5–46 ms against 4.7–5.8 ms dealt evenly (bench/serve.ts).
// Dealing costs one message per connection, not per request.
import cluster, { type Worker } from 'node:cluster';
import { createServer, type Socket } from 'node:net';
import { availableParallelism } from 'node:os';
import type { LogSink } from './app.ts';

export interface PrimaryOptions {
  count: number;
  log: LogSink;
  /** The line announcing the service, given the URL it listens at. */
  listeningLine: (url: string) => string;
  host: string;
  port: number;
  /** Ends the process with this code once every worker has stopped (after the log has its last line). */
  exit?: (code: number) => void;
}

/**
 * Workers when not told: one per core less one (at least one). The kernel's side of each request (the loopback or
 * network stack's work in write(2)) is most of its cost, and it needs a core too: on this repository's 2-core machine,
 * under wrk -t2 -c32, one worker answered 60,900 echoes/s with a p99 of 3.0 ms and two answered 66,900/s at 5.1 ms
 * (one games prediction: 47,700/s at 2.7 ms against 48,300/s at 5.5 ms; bench/serve.ts).
 */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism() - 1);
}

/** The message a worker sends when it can take connections, and the one that carries a connection to it. */
const readyMessage = 'repro:ready';
const connectionMessage = 'repro:connection';

export function runPrimary({ count, log, listeningLine, host, port, exit = (code) => process.exit(code) }: PrimaryOptions): void {
  const workers: Worker[] = [];
  let ready = 0;
  let next = 0;
  let stopping = false;
  let failed = false;
  const shown = host.includes(':') ? `[${host}]` : host;
  // Paused: not a byte is read here; the worker that gets the connection reads it all.
  const listener = createServer({ pauseOnConnect: true }, (socket: Socket) => {
    const worker = workers[next];
    next = (next + 1) % workers.length;
    // A connection reset before it is passed on ends there, not this process.
    socket.on('error', () => socket.destroy());
    if (stopping || !worker.isConnected()) return void socket.destroy();
    worker.send(connectionMessage, socket);
  });
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.write(JSON.stringify({ time: new Date().toISOString(), event: 'shutdown', signal, workers: workers.length }) + '\n');
    if (listener.listening) listener.close();
    for (const worker of workers) if (!worker.isDead() && worker.isConnected()) worker.send({ shutdown: signal });
  };
  listener.on('error', (error: NodeJS.ErrnoException) => {
    failed = true;
    const why = error.code === 'EADDRINUSE' ? `port ${port} on ${shown} is in use` : error.message;
    process.stderr.write(`service failed to start: cannot listen on ${shown}:${port}: ${why}\n`);
    stop('SIGTERM');
  });
  // Before the first fork: a signal that comes while the workers start must stop them, not kill this process alone.
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  for (let i = 0; i < count; i++) {
    const worker = cluster.fork();
    workers.push(worker);
    worker.on('message', (message: unknown) => {
      if (message !== readyMessage) return;
      // Asked to stop while this worker was starting: it may have missed the request (it had no listener yet).
      if (stopping) return void (worker.isConnected() && worker.send({ shutdown: 'SIGTERM' }));
      if (++ready < count) return;
      listener.listen(port, host, () => {
        const address = listener.address();
        if (!stopping && typeof address === 'object' && address) log.write(listeningLine(`http://${shown}:${address.port}`));
      });
    });
    worker.on('exit', (code, signal) => {
      if (!stopping || (code !== 0 && code !== null)) {
        failed = true;
        log.write(JSON.stringify({ time: new Date().toISOString(), event: 'worker-exited', pid: worker.process.pid, code, signal }) + '\n');
        stop('SIGTERM');
      }
      if (workers.every((each) => each.isDead())) {
        log.write(JSON.stringify({ time: new Date().toISOString(), event: 'closed' }) + '\n');
        exit(failed ? 1 : 0);
      }
    });
  }
}

/**
 * In a worker: takes the connections the primary deals (handing each to `accept`), then tells the primary it is
 * ready. Call once the service can answer.
 */
export function takeConnections(accept: (socket: Socket) => void): void {
  process.on('message', (message: unknown, socket?: Socket) => {
    if (message === connectionMessage && socket) accept(socket);
  });
  process.send?.(readyMessage);
}

/** In a worker: the primary's request to shut down, as a message (a signal sent to the group may come as well). */
export function onShutdownRequest(shutdown: (signal: NodeJS.Signals, asked: boolean) => void): void {
  process.on('message', (message: unknown) => {
    const signal = (message as { shutdown?: NodeJS.Signals } | null)?.shutdown;
    if (signal) shutdown(signal, true);
  });
}
