// Tables too large to hold in memory: both files read in step, a chunk at a time, rows aligned (csv-align.ts) within
// a bounded look-ahead and compared with the same cell rules as compareCsv, so memory is a chunk and a window of rows
// whatever the size. Rows cannot be sorted here: when the cells differ, an order-independent sum of row hashes tells
// whether the same rows came in another order, which is then reported as such (exact rows only; rows that also
// differ within tolerance are reported cell by cell).
import type { FileHandle } from 'node:fs/promises';
import type { Tolerance } from '../../manifest/schema.ts';
import { checkDeadline, rowLimit, type Deadline } from '../limits.ts';
import { parseNumber } from '../tolerance.ts';
import { findingLimit, type Comparison, type Finding } from '../types.ts';
import { FindingCollector, identical, unreadable } from './collect.ts';
import { RowTooLongError, TableParser, TableSyntaxError, widthMessage } from './csv-parse.ts';
import { confirmRows, RowAligner, RowWindow, type AlignSink } from './csv-align.ts';
import { columnLimits, failRowCount, headersOf, matchColumns, mergeAligned, messageOf, type ColumnPair } from './csv.ts';

export interface StreamContext {
  path: string;
  tolerance: Tolerance;
  deadline?: Deadline;
}

/** A row over the row limit: the caller compares the files by sha256 instead. */
export class RowTooLong extends Error {
  constructor(
    readonly side: 'committed' | 're-run',
    readonly line: number,
  ) {
    super(`line ${line} of the ${side} file is longer than ${rowLimit.toLocaleString('en')} characters`);
  }
}

export async function compareCsvFiles(committed: FileHandle, rerun: FileHandle, context: StreamContext): Promise<Comparison> {
  const delimiter = /\.tsv$/i.test(context.path) ? '\t' : ',';
  const a = new RowStream(committed, delimiter, 'committed');
  const b = new RowStream(rerun, delimiter, 're-run');
  try {
    return await compareStreams(a, b, context, delimiter);
  } catch (error) {
    if (error instanceof RowStreamError) {
      if (error.cause instanceof RowTooLongError) throw new RowTooLong(error.side, error.cause.line);
      return unreadable(error.side, messageOf(error.cause));
    }
    throw error;
  }
}

/**
 * How far ahead the streamed path looks for the partner of a row that differs: at least this many rows (and at
 * most twice as many) per side, fewer when they are long (`windowChars`). A run of more inserted or deleted rows
 * than that is compared as shifted rows.
 */
export const lookAhead = { rows: 1000, chars: 8_000_000 };

async function compareStreams(a: RowStream, b: RowStream, context: StreamContext, delimiter: ',' | '\t'): Promise<Comparison> {
  const [hasA, hasB] = await Promise.all([a.ready(), b.ready()]);
  if (!hasA && !hasB) return identical();
  const collector = new FindingCollector();
  if (!hasA || !hasB) {
    collector.fail(!hasA ? 'the committed table is empty' : 'the re-run table is empty');
    return collector.result();
  }
  const firstA = a.take().map(copy);
  const lineA = a.lastLine;
  const firstB = b.take().map(copy);
  const lineB = b.lastLine;
  const { headerless, headerA, headerB } = headersOf(firstA, firstB);
  const columns = matchColumns(headerA, headerB, collector);
  const windowA = new RowWindow(columns, 'a');
  const windowB = new RowWindow(columns, 'b');
  if (headerless) {
    windowA.push(firstA, lineA);
    windowB.push(firstB, lineB);
  }
  const aligned = new CopyingCollector();
  const order = new RowMultiset(columns);
  const aligner = new RowAligner(windowA, windowB, { header: headerA, columns, limits: columnLimits(columns, context.tolerance), delimiter }, aligned, order);
  const progress = () => `row ${aligner.i.toLocaleString('en')}`;
  // Rows equal in place need only the few rows the aligner confirms with: the window stays small (its rows die
  // young) until a pair differs, and is then read ahead to the full look-ahead before the aligner searches it.
  const reaches = (window: RowWindow, cursor: number) => window.ended || window.count - cursor >= lookAhead.rows || window.chars > lookAhead.chars;
  aligner.hasLookAhead = () => reaches(windowA, aligner.i) && reaches(windowB, aligner.j);
  for (let steps = 1; ; steps++) {
    if (windowA.count - aligner.i <= confirmRows + 1) await fill(a, windowA, aligner.i, smallBatch);
    if (windowB.count - aligner.j <= confirmRows + 1) await fill(b, windowB, aligner.j, smallBatch);
    const step = aligner.step();
    if (step === 'look ahead') {
      await fill(a, windowA, aligner.i, 2 * lookAhead.rows);
      await fill(b, windowB, aligner.j, 2 * lookAhead.rows);
      aligner.hasLookAhead = () => true;
      aligner.step();
      aligner.hasLookAhead = () => reaches(windowA, aligner.i) && reaches(windowB, aligner.j);
    } else if (!step) break;
    if ((steps & 1023) === 0) checkDeadline(context.deadline, progress);
  }
  const countA = windowA.count;
  const countB = windowB.count;
  if (countA !== countB) failRowCount(countA, countB, collector, aligner.firstGap);
  if (aligned.failed && countA === countB && countA > 1 && order.balanced()) {
    collector.fail(`rows are in a different order (the same ${countA} rows, matched by a hash of each row that differs in place: the table is too large to sort)`, 'rows');
    return collector.result();
  }
  mergeAligned(collector, aligned);
  return collector.result();
}

/** Rows read ahead while rows are equal in place. */
const smallBatch = 256;

/** Pushes rows from the stream into the window until it holds `ahead` rows past `cursor` (fewer when they are long). */
async function fill(stream: RowStream, window: RowWindow, cursor: number, ahead: number): Promise<void> {
  const target = cursor + ahead + confirmRows + 1;
  while (!window.ended && window.count < target) {
    // Past the character bound only the rows the aligner needs next are read.
    if (window.chars > lookAhead.chars && window.count > cursor + confirmRows) return;
    if (!(await stream.ready())) {
      window.end();
      return;
    }
    for (let n = Math.min(stream.pending, target - window.count); n > 0; n--) {
      const row = stream.take();
      window.push(row, stream.lastLine);
    }
  }
}

// Small enough that a chunk's rows die young (a megabyte of rows outlives a minor GC and doubles the time).
const chunkBytes = 1 << 16;

class RowStreamError extends Error {
  constructor(
    readonly side: 'committed' | 're-run',
    override readonly cause: unknown,
  ) {
    super(messageOf(cause));
  }
}

/** One file's rows, parsed a chunk at a time; every row's width is checked against the first. */
class RowStream {
  private rows: string[][] = [];
  private lines: number[] = [];
  private index = 0;
  private position = 0;
  private done = false;
  private width: number | undefined;
  private readonly parser: TableParser;
  // ignoreBOM keeps a BOM in the text, for the parser to drop as it does for a whole file.
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  private readonly buffer = Buffer.allocUnsafe(chunkBytes);
  /** Rows taken so far. */
  count = 0;
  /** The line the last row taken starts on. */
  lastLine = 0;

  constructor(
    private readonly handle: FileHandle,
    delimiter: ',' | '\t',
    private readonly side: 'committed' | 're-run',
  ) {
    this.parser = new TableParser(delimiter, (row, line) => this.onRow(row, line), rowLimit);
  }

  get pending(): number {
    return this.rows.length - this.index;
  }

  /** True when a row can be taken; reads on until one is parsed or the file ends. */
  async ready(): Promise<boolean> {
    while (this.index >= this.rows.length) {
      if (this.done) return false;
      this.rows = [];
      this.lines = [];
      this.index = 0;
      await this.read();
    }
    return true;
  }

  take(): string[] {
    this.lastLine = this.lines[this.index];
    this.count++;
    return this.rows[this.index++];
  }

  private async read(): Promise<void> {
    const { bytesRead } = await this.handle.read(this.buffer, 0, chunkBytes, this.position);
    this.position += bytesRead;
    try {
      if (bytesRead === 0) {
        this.parser.push(this.decoder.decode());
        this.parser.end();
        this.done = true;
      } else {
        this.parser.push(this.decoder.decode(this.buffer.subarray(0, bytesRead), { stream: true }));
      }
    } catch (error) {
      throw new RowStreamError(this.side, error);
    }
  }

  private onRow(row: string[], line: number): void {
    this.width ??= row.length;
    if (row.length !== this.width) throw new TableSyntaxError(widthMessage(line, row.length, this.width));
    this.rows.push(row);
    this.lines.push(line);
  }
}

/** Keeps copies of the cells it reports, so that a finding does not hold on to the megabyte chunk it was cut from. */
class CopyingCollector extends FindingCollector {
  override add(finding: Finding, score: number): void {
    super.add(this.findings.length < findingLimit ? { ...finding, committed: copy(finding.committed), rerun: copy(finding.rerun) } : finding, score);
  }
}

function copy(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

/**
 * Two sums of 64-bit row hashes (as two 32-bit halves), one per side, over the rows that differ in place: equal
 * sums mean the same rows in some order. A number is hashed by its value (1.0 and 1 alike), text as written. A
 * collision could only change the wording of a failing verdict, never pass a table.
 */
class RowMultiset implements AlignSink {
  private sums = new Uint32Array(4);
  private rows = 0;

  constructor(private readonly columns: ColumnPair[]) {}

  differing(rowA: string[] | undefined, rowB: string[] | undefined): void {
    this.rows++;
    if (rowA) this.addRow(rowA, 'a', 0);
    if (rowB) this.addRow(rowB, 'b', 2);
  }

  balanced(): boolean {
    return this.rows > 1 && this.sums[0] === this.sums[2] && this.sums[1] === this.sums[3];
  }

  private addRow(row: string[], side: 'a' | 'b', at: number): void {
    let h1 = 0x811c9dc5;
    let h2 = 0x01000193;
    for (const column of this.columns) {
      const cell = row[column[side]];
      const number = parseNumber(cell);
      const key = number === undefined ? cell : String(number);
      for (let i = 0; i < key.length; i++) {
        const c = key.charCodeAt(i);
        h1 = Math.imul(h1 ^ c, 0x01000193);
        h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 15);
      }
      // A separator that no cell text can produce, typed by whether the cell is a number.
      h1 = Math.imul(h1 ^ (number === undefined ? 0x10001 : 0x20002), 0x01000193);
      h2 = Math.imul(h2 ^ (number === undefined ? 0x10001 : 0x20002), 0x5bd1e995) ^ (h2 >>> 15);
    }
    this.sums[at] += h1 >>> 0;
    this.sums[at + 1] += h2 >>> 0;
  }
}

