// The request log, written in batches: one write(2) per ~4 KiB of lines instead of one per request, so logging
// costs the service next to nothing under load. Each batch is whole lines and at most PIPE_BUF (4096) bytes, so
// workers sharing one stdout pipe never interleave inside a line. In a container, `repro serve` gives the service a
// Unix socket instead (--log-socket): one connection per process, larger batches, and no hop through the engine.
import { createConnection } from 'node:net';
import type { LogSink } from './app.ts';

/** POSIX's smallest guarantee of an atomic write to a pipe. */
export const atomicPipeWrite = 4096;

export interface BufferedLog extends LogSink {
  /** Writes what is buffered now. */
  flush(): void;
}

/** Lines are written when a batch is full or `delayMs` after the first line of a batch, whichever comes first. */
export function createBufferedLog(sink: LogSink, { maxBytes = atomicPipeWrite, delayMs = 50 } = {}): BufferedLog {
  let batch = '';
  // The batch's size in bytes, kept as lines come (measuring the batch itself would cost a pass over it per line).
  let bytes = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (batch === '') return;
    const text = batch;
    batch = '';
    bytes = 0;
    sink.write(text);
  };
  return {
    write(line: string) {
      const size = Buffer.byteLength(line);
      if (bytes > 0 && bytes + size > maxBytes) flush();
      batch += line;
      bytes += size;
      if (bytes >= maxBytes) flush();
      else timer ??= setTimeout(flush, delayMs).unref();
    },
    flush,
  };
}

/** A log written to a Unix socket that `repro serve` listens on (see log-relay.ts), ended before the process exits. */
export interface SocketLog extends LogSink {
  /** Sends what is queued and closes the connection; resolves when the other side has it all. */
  end(): Promise<void>;
}

/** Bytes a connection may hold queued before lines are dropped (and counted) rather than held without bound. */
export const socketQueueLimit = 16 * 1024 * 1024;

/**
 * Connects to the log socket at `path`. Each process has its own connection, so batches need not fit one atomic
 * pipe write. If the reader falls behind by more than `queueLimit` bytes, lines are dropped and the next batch that
 * goes starts with a `log-dropped` line counting them: the service never waits on its log, and never grows without
 * bound because of it.
 */
export function connectLogSocket(path: string, { queueLimit = socketQueueLimit } = {}): Promise<SocketLog> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      // A reader that goes away must not take the service down: its lines are lost, the service keeps answering.
      socket.on('error', () => socket.destroy());
      let dropped = 0;
      resolve({
        write(text: string) {
          if (socket.destroyed) return;
          if (socket.writableLength > queueLimit) {
            for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) dropped++;
            return;
          }
          if (dropped > 0) {
            socket.write(JSON.stringify({ time: new Date().toISOString(), event: 'log-dropped', lines: dropped }) + '\n');
            dropped = 0;
          }
          socket.write(text);
        },
        end: () => new Promise<void>((done) => (socket.destroyed ? done() : socket.end(() => done()))),
      });
    });
  });
}
