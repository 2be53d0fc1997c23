// One service process per core: the primary forks `count` workers that share the listening socket, prints the one
// "listening" line when all of them listen, and on SIGTERM/SIGINT asks each to stop gracefully (it finishes its
// requests in flight) and exits 0 when all have. A worker that dies on its own takes the service down with exit 1, loudly: a restart policy
// belongs to whoever runs the container.
import cluster, { type Worker } from 'node:cluster';
import type { LogSink } from './app.ts';

export interface PrimaryOptions {
  count: number;
  log: LogSink;
  /** The line announcing the service, given the URL the workers listen at. */
  listeningLine: (url: string) => string;
  host: string;
  /** Ends the process with this code once every worker has stopped (after the log has its last line). */
  exit?: (code: number) => void;
}

export function runPrimary({ count, log, listeningLine, host, exit = (code) => process.exit(code) }: PrimaryOptions): void {
  // The kernel hands each connection to a worker waiting in accept(): no hop through the primary.
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  const workers: Worker[] = [];
  let listening = 0;
  let stopping = false;
  let failed = false;
  let stopSignal: NodeJS.Signals | undefined;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    stopSignal = signal;
    log.write(JSON.stringify({ time: new Date().toISOString(), event: 'shutdown', signal, workers: workers.length }) + '\n');
    for (const worker of workers) if (!worker.isDead() && worker.isConnected()) worker.send({ shutdown: signal });
  };
  // Before the first fork: a signal that comes while the workers start must stop them, not kill this process alone.
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  for (let i = 0; i < count; i++) {
    const worker = cluster.fork();
    workers.push(worker);
    worker.on('listening', (address) => {
      // Asked to stop while this worker was starting: it may have missed the request (it had no listener yet).
      if (stopping && stopSignal && worker.isConnected()) worker.send({ shutdown: stopSignal });
      listening++;
      if (listening === count && !stopping) {
        const shown = host.includes(':') ? `[${host}]` : host;
        log.write(listeningLine(`http://${shown}:${address.port}`));
      }
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

/** In a worker: the primary's request to shut down, as a message (a signal sent to the group may come as well). */
export function onShutdownRequest(shutdown: (signal: NodeJS.Signals, asked: boolean) => void): void {
  process.on('message', (message: unknown) => {
    const signal = (message as { shutdown?: NodeJS.Signals } | null)?.shutdown;
    if (signal) shutdown(signal, true);
  });
}
