// How far verify goes before it changes how it compares, so that its memory and time stay bounded whatever a run
// wrote: the sizes past which a file is streamed or hashed, and the time one file may take. README's verify
// section states these numbers; change them together.
/**
 * Files up to this size are read whole and compared by their comparer (JSON, notebooks, text, SVG, PNG). Larger
 * files are compared byte by byte and reported by sha256, except tables, streamed row by row past tableInMemoryLimit.
 */
export const wholeFileLimit = 16_000_000;

/**
 * Tables up to this size are compared in memory (where reordered rows are found by sorting, even when they also
 * differ within tolerance); parsed, a table takes some twenty times its size. Larger ones are streamed.
 */
export const tableInMemoryLimit = 4_000_000;

/** A table row longer than this (in characters) is not split into cells: the table is compared by sha256. */
export const rowLimit = 4_000_000;

/** Figures with more pixels than this (per side) are compared by sha256: decoding them would take too much memory. */
export const pixelLimit = 16_000_000;

/** How long one file's comparison may take unless its verify rule sets `timeLimit`. */
export const defaultTimeLimitMs = 5 * 60_000;

export interface Deadline {
  /** Date.now() after which the comparison stops. */
  at: number;
  limitMs: number;
}

export function deadlineAfter(limitMs: number): Deadline {
  return { at: Date.now() + limitMs, limitMs };
}

/** Thrown by a comparison that ran out of time; `progress` says how far it got ("row 1,204,332"). */
export class TimeLimitExceeded extends Error {
  constructor(
    readonly limitMs: number,
    readonly progress?: string,
  ) {
    super(`took longer than the time limit of ${formatMs(limitMs)}${progress ? ` (stopped at ${progress})` : ''}`);
  }
}

export function checkDeadline(deadline: Deadline | undefined, progress?: () => string): void {
  if (deadline && Date.now() > deadline.at) throw new TimeLimitExceeded(deadline.limitMs, progress?.());
}

/** Resolves like `work`, or rejects with TimeLimitExceeded when the deadline passes first. */
export async function withinDeadline<T>(work: Promise<T>, deadline: Deadline | undefined): Promise<T> {
  if (!deadline) return work;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeLimitExceeded(deadline.limitMs)), Math.max(0, deadline.at - Date.now()));
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** A size limit as the docs write it: 16 MB (decimal units, as `repro` prints sizes everywhere). */
export function formatLimit(bytes: number): string {
  return bytes >= 1e9 ? `${Number((bytes / 1e9).toFixed(1))} GB` : `${Number((bytes / 1e6).toFixed(1))} MB`;
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000 || ms % 60_000 !== 0) return `${Number((ms / 1000).toFixed(1))} s`;
  return `${ms / 60_000} min`;
}
