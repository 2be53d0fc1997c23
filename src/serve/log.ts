// The request log, written in batches: one write(2) per ~4 KiB of lines instead of one per request, so logging
// costs the service next to nothing under load. Each batch is whole lines and at most PIPE_BUF (4096) bytes, so
// workers sharing one stdout pipe never interleave inside a line.
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
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (batch === '') return;
    const text = batch;
    batch = '';
    sink.write(text);
  };
  return {
    write(line: string) {
      if (batch.length > 0 && Buffer.byteLength(batch) + Buffer.byteLength(line) > maxBytes) flush();
      batch += line;
      if (Buffer.byteLength(batch) >= maxBytes) flush();
      else timer ??= setTimeout(flush, delayMs).unref();
    },
    flush,
  };
}
