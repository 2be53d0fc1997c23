// Rows aligned before their cells are compared, so that a deleted or inserted row is reported as one row deleted
// or inserted, and the rows after it compare equal instead of as a wall of shifted cells. Both paths (a table in
// memory, a table streamed) use this aligner: a row that differs from its partner is a changed row when the rows
// after the pair match in place; otherwise it is a deleted (or inserted) run when the row ahead on the other side
// is found, by its exact text, within the look-ahead (or, for runs of up to `nearRun` rows, within tolerance) and
// the rows after it match. Ties go to a changed row, then to the shorter run (deletions first).
import type { Finding } from '../types.ts';
import { FindingCollector } from './collect.ts';
import { compareRow, rowsMatch, type ColumnLimits, type ColumnPair } from './csv.ts';

export interface TableRow {
  cells: string[];
  /** 1-based line the row starts on in its file. */
  line: number;
  /** Characters in its cells. */
  chars: number;
}

/** Rows after a candidate match that must also match (fewer at the end of both tables). */
export const confirmRows = 3;

/** In a run of changed rows, at most this many go by between searches for a deleted or inserted row. */
export const maxBackoff = 256;

/** Pairs equal in place that end a run of changed rows: every differing row is searched again after them. */
const calmRows = 16;

/** Runs of deleted or inserted rows up to this long are found even when the rows around them differ within tolerance. */
export const nearRun = 3;

/** One side's rows, numbered from 0; the streamed path drops rows behind the aligner with release(). */
export class RowWindow {
  private rows: TableRow[] = [];
  private head = 0;
  /** Absolute index of rows[head]. */
  private base = 0;
  ended = false;
  /** Characters held (cells of rows not released), for the streamed path's bound. */
  chars = 0;

  constructor(
    private readonly columns: ColumnPair[],
    private readonly side: 'a' | 'b',
  ) {}

  push(cells: string[], line: number): void {
    let chars = 0;
    for (let c = 0; c < cells.length; c++) chars += cells[c].length;
    this.rows.push({ cells, line, chars });
    this.chars += chars;
  }

  end(): void {
    this.ended = true;
  }

  /** Rows pushed so far. */
  get count(): number {
    return this.base + this.rows.length - this.head;
  }

  at(i: number): TableRow | undefined {
    return i >= this.base ? this.rows[this.head + i - this.base] : undefined;
  }

  /**
   * The first `limit` indices >= from of the rows pushed so far with exactly the text of `cells` (a row of the other
   * side) in every matched column. A scan: most rows differ in their first cell, so it costs a string comparison each.
   */
  find(cells: string[], from: number, limit = 16): number[] {
    const other = this.side === 'a' ? 'b' : 'a';
    const found: number[] = [];
    for (let p = Math.max(from, this.base); p < this.count && found.length < limit; p++) {
      const row = this.rows[this.head + p - this.base].cells;
      let equal = true;
      for (const column of this.columns) {
        if (row[column[this.side]] !== cells[column[other]]) {
          equal = false;
          break;
        }
      }
      if (equal) found.push(p);
    }
    return found;
  }

  /** Forgets rows before index `before`. */
  release(before: number): void {
    while (this.base < before && this.head < this.rows.length) {
      this.chars -= this.rows[this.head].chars;
      this.head++;
      this.base++;
    }
    if (this.head > 4096 && this.head * 2 > this.rows.length) {
      this.rows = this.rows.slice(this.head);
      this.head = 0;
    }
  }
}

/** What the streamed path hashes for its reordered-rows test: rows not equal in place. */
export interface AlignSink {
  differing(a: string[] | undefined, b: string[] | undefined): void;
}

/** Collects one pair's findings, to be kept when the pair is taken as changed and dropped otherwise. */
class PairFindings extends FindingCollector {
  readonly scored: Array<[Finding, number]> = [];
  override add(finding: Finding, score: number): void {
    this.count++;
    if (!finding.withinTolerance) this.failed = true;
    this.scored.push([finding, score]);
  }
  reset(): void {
    this.count = 0;
    this.failed = false;
    this.scored.length = 0;
  }
}

export interface AlignContext {
  header: string[];
  columns: ColumnPair[];
  limits: ColumnLimits;
  delimiter: ',' | '\t';
}

export class RowAligner {
  /** Next row of each side. */
  i = 0;
  j = 0;
  /** The first deleted or inserted row, e.g. "row 100". */
  firstGap?: string;
  private readonly pair = new PairFindings();
  /** Changed pairs still to take without searching, and the current gap between searches. */
  private quiet = 0;
  private backoff = 0;
  /** Pairs equal in place since the last fruitless search. */
  private calm = 0;

  constructor(
    private readonly a: RowWindow,
    private readonly b: RowWindow,
    private readonly context: AlignContext,
    private readonly collector: FindingCollector,
    private readonly sink?: AlignSink,
  ) {}

  /**
   * Whether the rows ahead reach as far as the aligner may search; when not, step() asks for them ('look ahead')
   * before judging a differing pair. In memory every row is there.
   */
  hasLookAhead: () => boolean = () => true;

  /**
   * Aligns the next row or run of rows; false when both sides are done, 'look ahead' (nothing consumed) when a pair
   * differs and hasLookAhead() says the rows ahead are not there yet. `confirmRows` + 1 rows ahead must be pushed.
   */
  step(): boolean | 'look ahead' {
    const rowA = this.a.at(this.i);
    const rowB = this.b.at(this.j);
    if (!rowA && !rowB) return false;
    if (!rowB) this.delete(1);
    else if (!rowA) this.insert(1);
    else if (!this.judge(rowA, rowB)) {
      if (++this.calm >= calmRows) this.backoff = this.quiet = 0;
      this.keepPair(rowA, rowB);
    } else if (this.quiet === 0 && !this.hasLookAhead()) return 'look ahead';
    else if (this.quiet > 0 || this.matches(this.i + 1, this.j + 1, confirmRows)) {
      this.quiet = Math.max(0, this.quiet - 1);
      this.keepPair(rowA, rowB);
    } else this.search(rowA, rowB);
    this.a.release(this.i);
    this.b.release(this.j);
    return true;
  }

  /** Looks for the partner of either row ahead on the other side; a changed pair when neither is found. */
  private search(rowA: TableRow, rowB: TableRow): void {
    let inserted = this.runTo(this.b, rowA.cells, this.j + 1, (k) => this.matches(this.i, k, confirmRows + 1)) - this.j;
    let deleted = this.runTo(this.a, rowB.cells, this.i + 1, (d) => this.matches(d, this.j, confirmRows + 1)) - this.i;
    // Rows equal within tolerance but not in text are not found by their text: a short run is tried row by row.
    for (let n = 1; n <= nearRun && inserted <= 0 && deleted <= 0; n++) {
      if (this.matches(this.i + n, this.j, confirmRows + 1)) deleted = n;
      else if (this.matches(this.i, this.j + n, confirmRows + 1)) inserted = n;
    }
    if (deleted > 0 && (inserted <= 0 || deleted <= inserted)) this.delete(deleted);
    else if (inserted > 0) this.insert(inserted);
    else {
      // Rows that differ one after another (a changed column) are searched less and less often: every 2nd, 4th … 256th.
      this.backoff = Math.min(maxBackoff, Math.max(1, this.backoff * 2));
      this.calm = 0;
      this.quiet = this.backoff - 1;
      this.keepPair(rowA, rowB);
    }
  }

  /** The first index >= from on `side` holding exactly `cells` whose following rows match; -1 when none is in reach. */
  private runTo(side: RowWindow, cells: string[], from: number, follows: (index: number) => boolean): number {
    for (const index of side.find(cells, from)) if (follows(index)) return index;
    return -1;
  }

  /** Whether `rows` rows from i and from j match pairwise, within tolerance (both sides ending together counts). */
  private matches(i: number, j: number, rows: number): boolean {
    for (let t = 0; t < rows; t++) {
      const rowA = this.a.at(i + t);
      const rowB = this.b.at(j + t);
      if (!rowA || !rowB) return !rowA && !rowB;
      if (!rowsMatch(rowA.cells, rowB.cells, this.context.columns, this.context.limits)) return false;
    }
    return true;
  }

  /** Compares the current rows' cells into `pair`; true when they differ beyond tolerance. */
  private judge(rowA: TableRow, rowB: TableRow): boolean {
    this.pair.reset();
    const { header, columns, limits } = this.context;
    compareRow(rowA.cells, rowB.cells, this.i + 1, rowA.line, header, columns, limits, this.pair, this.j + 1);
    return this.pair.failed;
  }

  private keepPair(rowA: TableRow, rowB: TableRow): void {
    if (this.pair.count > 0) {
      for (const [finding, score] of this.pair.scored) this.collector.add(finding, score);
      this.sink?.differing(rowA.cells, rowB.cells);
    }
    this.i++;
    this.j++;
  }

  private delete(n: number): void {
    for (let t = 0; t < n; t++, this.i++) {
      const row = this.a.at(this.i)!;
      this.firstGap ??= `row ${this.i + 1}`;
      const content = this.content(row.cells, 'a');
      const finding = { where: `row ${this.i + 1} (line ${row.line})`, committed: content, rerun: '', deviation: `row ${this.i + 1} deleted`, withinTolerance: false };
      this.collector.add({ ...finding, change: 'deleted' }, Infinity);
      this.sink?.differing(row.cells, undefined);
    }
  }

  private insert(n: number): void {
    for (let t = 0; t < n; t++, this.j++) {
      const row = this.b.at(this.j)!;
      this.firstGap ??= `row ${this.j + 1}`;
      const content = this.content(row.cells, 'b');
      const finding = { where: `re-run row ${this.j + 1} (line ${row.line})`, committed: '', rerun: content, deviation: `row ${this.j + 1} inserted`, withinTolerance: false };
      this.collector.add({ ...finding, change: 'inserted' }, Infinity);
      this.sink?.differing(undefined, row.cells);
    }
  }

  /** The row as the file writes it (matched columns, in the committed order), cut at 300 characters. */
  private content(cells: string[], side: 'a' | 'b'): string {
    const { columns, delimiter } = this.context;
    const text = columns.map((c) => quoteCell(cells[c[side]], delimiter)).join(delimiter);
    return text.length > 300 ? text.slice(0, 299) + '…' : text;
  }
}

function quoteCell(cell: string, delimiter: string): string {
  return cell.includes(delimiter) || cell.includes('"') || cell.includes('\n') || cell.includes('\r') ? `"${cell.replace(/"/g, '""')}"` : cell;
}
