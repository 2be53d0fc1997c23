// Progress for people: one updating line on a TTY, plain lines otherwise (CI logs), nothing with --quiet.
import { withoutEscapes } from '../escapes.ts';

export interface Progress {
  /** Replace the current status line (TTY) or print it when it changed (non-TTY, at most once a second per key). */
  update(text: string): void;
  /** Print a line that stays. */
  log(text: string): void;
  /** End the status line. */
  done(text?: string): void;
}


export function createProgress(options: { quiet?: boolean; stream?: NodeJS.WriteStream } = {}): Progress {
  const stream = options.stream ?? process.stderr;
  const tty = Boolean(stream.isTTY);
  // A kernel's coloured output (a traceback, a progress bar) reaches a log as escape codes: print it plain there.
  const plain = (text: string) => (tty ? text : withoutEscapes(text));
  let active = false;
  let lastPlain = 0;
  const clear = () => {
    if (tty && active) stream.write('\r\x1b[2K');
    active = false;
  };
  return {
    update(text) {
      if (options.quiet) return;
      if (tty) {
        const width = stream.columns ?? 100;
        stream.write(`\r\x1b[2K${text.length > width - 1 ? text.slice(0, width - 2) + '…' : text}`);
        active = true;
      } else {
        const now = Date.now();
        if (now - lastPlain >= 1000) {
          stream.write(plain(text) + '\n');
          lastPlain = now;
        }
      }
    },
    log(text) {
      if (options.quiet) return;
      clear();
      stream.write(plain(text) + '\n');
    },
    done(text) {
      if (options.quiet) return;
      clear();
      if (text) stream.write(plain(text) + '\n');
    },
  };
}

/** Human-readable size: 1.2 MB. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** Human-readable duration: 850 ms, 12.3 s, 2 m 05 s. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} m ${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')} s`;
}
