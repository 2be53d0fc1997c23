// One pair of files on disk, compared within bounded memory and time. Files up to wholeFileLimit are read and
// handed to their comparer; larger ones are read in step a chunk at a time (sha256 and the first differing byte),
// then tables are streamed row by row and anything else is judged by its bytes, saying so. A comparison that
// outlives its time limit is `not compared`, which fails like a difference.
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import type { Tolerance } from '../manifest/schema.ts';
import { compareFile, kindOf } from './comparers/index.ts';
import { compareCsvFiles, RowTooLong } from './comparers/csv-stream.ts';
import { compareMaskedFile, noteUnusedMask } from './mask.ts';
import { withDefaults } from './tolerance.ts';
import { checkDeadline, deadlineAfter, defaultTimeLimitMs, formatLimit, formatMs, TimeLimitExceeded, tableInMemoryLimit, wholeFileLimit, withinDeadline, type Deadline } from './limits.ts';
import type { Comparison, FileKind } from './types.ts';

/** A regular file opened for reading, and its size when it was opened. */
export interface OpenFile {
  handle: FileHandle;
  size: number;
}

export interface FileHashes {
  committedSha256?: string;
  rerunSha256?: string;
}

export async function compareOpenFiles(path: string, committed: OpenFile, rerun: OpenFile, rule: Tolerance): Promise<Comparison & FileHashes> {
  const tolerance = withDefaults(path, rule);
  const limitMs = tolerance.timeLimit ?? defaultTimeLimitMs;
  const deadline = deadlineAfter(limitMs);
  let hashes: FileHashes = {};
  try {
    const kind = kindOf(path);
    const inMemoryLimit = kind === 'csv' ? tableInMemoryLimit : wholeFileLimit;
    if (committed.size <= inMemoryLimit && rerun.size <= inMemoryLimit) {
      return await inMemory(committed.size + rerun.size, async () => {
        const [a, b] = [await readAll(committed), await readAll(rerun)];
        hashes = { committedSha256: sha256Hex(a), rerunSha256: sha256Hex(b) };
        // A text file's mask is applied here; a notebook's by its comparer, output by output.
        const masked = kind === 'text' && tolerance.mask !== undefined;
        const compared = masked ? Promise.resolve(compareMaskedFile(path, a, b, tolerance)) : compareFile(path, a, b, tolerance, deadline);
        const result = await withinDeadline(compared, deadline);
        return { ...noteUnusedMask(result, tolerance, masked || kind === 'ipynb'), ...hashes };
      });
    }
    const scan = await scanPair(committed, rerun, deadline, kind === 'csv' && !tolerance.nanEqual);
    hashes = { committedSha256: scan.committedSha256, rerunSha256: scan.rerunSha256 };
    return { ...noteUnusedMask(await compareLarge(path, kind, committed, rerun, tolerance, scan, deadline), tolerance, false), ...hashes };
  } catch (error) {
    if (error instanceof TimeLimitExceeded) return { ...notCompared(error), ...hashes };
    throw error;
  }
}

async function compareLarge(path: string, kind: FileKind, committed: OpenFile, rerun: OpenFile, tolerance: Tolerance, scan: Scan, deadline: Deadline): Promise<Comparison> {
  // Equal bytes are identical, except a table holding NaN: NaN equals NaN only when nanEqual says so.
  if (scan.firstDifference === undefined && kind !== 'csv') return byBytes(kind, scan, committed.size, rerun.size);
  if (kind === 'csv') {
    if (scan.firstDifference === undefined && !scan.nanInCommitted) return identicalResult();
    try {
      const result = await compareCsvFiles(committed.handle, rerun.handle, { path, tolerance, deadline });
      result.notes.push(`compared row by row as it was read (over ${formatLimit(tableInMemoryLimit)}): reordered rows are recognised when equal, not when they also differ within tolerance`);
      return result;
    } catch (error) {
      if (!(error instanceof RowTooLong)) throw error;
      return byBytes(kind, scan, committed.size, rerun.size, `${error.message}, too long to compare cell by cell`);
    }
  }
  return byBytes(kind, scan, committed.size, rerun.size);
}

const how: Record<FileKind, string> = {
  csv: 'cell by cell',
  json: 'value by value',
  ipynb: 'output by output',
  png: 'pixel by pixel',
  svg: 'pixel by pixel',
  text: 'line by line',
  binary: 'other than by its bytes',
};

/** A verdict from the bytes alone; every kind but plain binary files says it was not compared by its own rules. */
function byBytes(kind: FileKind, scan: Scan, sizeA: number, sizeB: number, reason?: string): Comparison {
  const notes = kind === 'binary' ? [] : [`compared by sha256: ${reason ?? `too large to compare ${how[kind]} (limit ${formatLimit(wholeFileLimit)})`}`];
  if (scan.firstDifference === undefined) {
    const largest = notes.length > 0 ? { text: 'same sha256 (too large to compare otherwise)', where: 'file', score: 0 } : undefined;
    return { ...identicalResult(), notes, largest };
  }
  const offset = scan.firstDifference;
  const sizes = sizeA === sizeB ? `${sizeA} bytes` : `${sizeA} → ${sizeB} bytes`;
  return {
    verdict: 'differs',
    largest: { text: `sha256 ${scan.committedSha256.slice(0, 12)}… → ${scan.rerunSha256.slice(0, 12)}…`, where: `byte ${offset}`, score: Infinity },
    notes: [...notes, `contents differ from byte ${offset} (${sizes})`],
    findings: [],
    findingCount: 1,
    figures: [],
  };
}

function notCompared(error: TimeLimitExceeded): Comparison {
  return {
    verdict: 'not compared',
    largest: { text: `not compared: over the time limit of ${formatMs(error.limitMs)}`, where: error.progress ?? 'file', score: Infinity },
    notes: [`not compared: the comparison ${error.message}. Raise \`timeLimit\` in this file's verify rule to compare it.`],
    findings: [],
    findingCount: 0,
    figures: [],
  };
}

function identicalResult(): Comparison {
  return { verdict: 'identical', notes: [], findings: [], findingCount: 0, figures: [] };
}

interface Scan {
  committedSha256: string;
  rerunSha256: string;
  /** Offset of the first differing byte; undefined when the files are equal. */
  firstDifference?: number;
  nanInCommitted: boolean;
}

const chunkBytes = 1 << 20;

/** Both files read in step: their sha256, where they first differ, and (for tables) whether "nan" appears. */
async function scanPair(committed: OpenFile, rerun: OpenFile, deadline: Deadline, lookForNaN: boolean): Promise<Scan> {
  const hashA = createHash('sha256');
  const hashB = createHash('sha256');
  const bufferA = Buffer.allocUnsafe(chunkBytes);
  const bufferB = Buffer.allocUnsafe(chunkBytes);
  let position = 0;
  let firstDifference: number | undefined;
  let nanInCommitted = false;
  let tail = '';
  while (true) {
    const [{ bytesRead: readA }, { bytesRead: readB }] = await Promise.all([
      committed.handle.read(bufferA, 0, chunkBytes, position),
      rerun.handle.read(bufferB, 0, chunkBytes, position),
    ]);
    if (readA === 0 && readB === 0) break;
    const chunkA = bufferA.subarray(0, readA);
    const chunkB = bufferB.subarray(0, readB);
    hashA.update(chunkA);
    hashB.update(chunkB);
    if (firstDifference === undefined && !chunkA.equals(chunkB)) {
      let i = 0;
      while (i < readA && i < readB && chunkA[i] === chunkB[i]) i++;
      firstDifference = position + i;
    }
    if (lookForNaN && !nanInCommitted && readA > 0) {
      const text = tail + chunkA.toString('latin1');
      nanInCommitted = /nan/i.test(text);
      tail = text.slice(-2);
    }
    position += Math.max(readA, readB);
    checkDeadline(deadline, () => `byte ${position.toLocaleString('en')}`);
  }
  return { committedSha256: hashA.digest('hex'), rerunSha256: hashB.digest('hex'), firstDifference, nanInCommitted };
}

/** sha256 of a whole file, a chunk at a time. */
export async function sha256OfFile(file: OpenFile): Promise<string> {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(chunkBytes);
  for (let position = 0; ; ) {
    const { bytesRead } = await file.handle.read(buffer, 0, chunkBytes, position);
    if (bytesRead === 0) return hash.digest('hex');
    hash.update(buffer.subarray(0, bytesRead));
    position += bytesRead;
  }
}

/** The file's bytes as its size said when opened (a file that grew since is read to that size). */
export async function readAll(file: OpenFile): Promise<Buffer> {
  const buffer = Buffer.alloc(file.size);
  let filled = 0;
  while (filled < file.size) {
    const { bytesRead } = await file.handle.read(buffer, filled, file.size - filled, filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled === file.size ? buffer : buffer.subarray(0, filled);
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Whole-file comparisons take turns once their files add up to more than a budget, so that four files at the
 * limit compared at once do not hold four times the memory.
 */
const inMemoryBudget = 2 * wholeFileLimit;
let inMemoryBytes = 0;
const waiting: Array<() => void> = [];

async function inMemory<T>(bytes: number, work: () => Promise<T>): Promise<T> {
  while (inMemoryBytes > 0 && inMemoryBytes + bytes > inMemoryBudget) await new Promise<void>((resolve) => waiting.push(resolve));
  inMemoryBytes += bytes;
  try {
    return await work();
  } finally {
    inMemoryBytes -= bytes;
    waiting.splice(0).forEach((wake) => wake());
  }
}
