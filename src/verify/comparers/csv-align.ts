// Rows aligned before their cells are compared, so that a deleted or inserted row is reported as one row deleted
// or inserted, and the rows after it compare equal instead of as a wall of shifted cells. Both paths (a table in
// memory, a table streamed) use this aligner: a row that differs from its partner is a changed row when the rows
// after the pair match in place; otherwise it is a deleted (or inserted) run when the row ahead on the other side
// is found, by its exact text, within the look-ahead (or, for runs of up to `nearRun` rows, within tolerance) and
// the rows after it match. Ties go to a changed row, then to the shorter run (deletions first).
import type { Finding } from '../types.ts';
import { FindingCollector } from './collect.ts';
import { compareRow, type ColumnLimits, type ColumnPair } from './csv.ts';

export interface TableRow {
  cells: string[];
  /** 1-based line the row starts on in its file. */
  line: number;
}

/** Rows after a candidate match that must also match (fewer at the end of both tables). */
export const confirmRows = 3;

/** Runs of deleted or inserted rows up to this long are found even when the rows around them differ within tolerance. */
export const nearRun = 3;

/** One side's rows, numbered from 0; the streamed path drops rows behind the aligner with release(). */
export class RowWindow {
  private rows: TableRow[] = [];
  private keys: string[] = [];
  private head = 0;
  /** Absolute index of rows[head]. */
  private base = 0;
  private indexed = 0;
  /** Row indices by row text, each list in order; `head` skips released ones. */
  private readonly index = new Map<string, { at: number[]; head: number }>();
  ended = false;
  /** Characters held (cells of rows not released), for the streamed path's bound. */
  chars = 0;

  constructor(
    private readonly columns: ColumnPair[],
    private readonly side: 'a' | 'b',
  ) {}

  push(cells: string[], line: number): void {
    this.rows.push({ cells, line });
    for (const cell of cells) this.chars += cell.length;
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

  key(row: TableRow): string {
    return this.columns.map((c) => row.cells[c[this.side]]).join('\u0001');
  }

  /** The first `limit` indices >= from of the rows pushed so far whose text is `key`. Rows are keyed once asked. */
  find(key: string, from: number, limit = 16): number[] {
    for (; this.indexed < this.count; this.indexed++) {
      const k = this.key(this.at(this.indexed)!);
      this.keys[this.indexed - this.base + this.head] = k;
      const list = this.index.get(k);
      if (list) list.at.push(this.indexed);
      else this.index.set(k, { at: [this.indexed], head: 0 });
    }
    const list = this.index.get(key);
    if (!list) return [];
    let lo = list.head;
    let hi = list.at.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list.at[mid] < from) lo = mid + 1;
      else hi = mid;
    }
    return list.at.slice(lo, lo + limit);
  }

  /** Forgets rows before index `before`. */
  release(before: number): void {
    while (this.base < before && this.head < this.rows.length) {
      const row = this.rows[this.head];
      for (const cell of row.cells) this.chars -= cell.length;
      if (this.base < this.indexed) {
        const k = this.keys[this.head];
        const list = this.index.get(k)!;
        list.head++;
        if (list.head === list.at.length) this.index.delete(k);
        else if (list.head > 1024 && list.head * 2 > list.at.length) {
          list.at = list.at.slice(list.head);
          list.head = 0;
        }
      }
      this.head++;
      this.base++;
    }
    if (this.base > this.indexed) this.indexed = this.base;
    if (this.head > 4096 && this.head * 2 > this.rows.length) {
      this.rows = this.rows.slice(this.head);
      this.keys = this.keys.slice(this.head);
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
  deleted = 0;
  inserted = 0;
  /** The first deleted or inserted row, e.g. "row 100". */
  firstGap?: string;
  private readonly pair = new PairFindings();
  private readonly probe = new PairFindings();

  constructor(
    private readonly a: RowWindow,
    private readonly b: RowWindow,
    private readonly context: AlignContext,
    private readonly collector: FindingCollector,
    private readonly sink?: AlignSink,
  ) {}

  /** Aligns the next row or run of rows; false when both sides are done. Rows up to the look-ahead must be pushed. */
  step(): boolean {
    const rowA = this.a.at(this.i);
    const rowB = this.b.at(this.j);
    if (!rowA && !rowB) return false;
    if (!rowB) this.delete(1);
    else if (!rowA) this.insert(1);
    else if (!this.judge(rowA, rowB, this.pair)) this.keepPair(rowA, rowB);
    else if (this.matches(this.i + 1, this.j + 1)) this.keepPair(rowA, rowB);
    else {
      let inserted = this.runTo(this.b, this.a.key(rowA), this.j + 1, (k) => this.matches(this.i + 1, k + 1)) - this.j;
      let deleted = this.runTo(this.a, this.b.key(rowB), this.i + 1, (d) => this.matches(d + 1, this.j + 1)) - this.i;
      // Rows equal within tolerance but not in text are not found by their text: a short run is tried row by row.
      for (let n = 1; n <= nearRun && inserted <= 0 && deleted <= 0; n++) {
        if (this.matches(this.i + n, this.j)) deleted = n;
        else if (this.matches(this.i, this.j + n)) inserted = n;
      }
      if (deleted > 0 && (inserted <= 0 || deleted <= inserted)) this.delete(deleted);
      else if (inserted > 0) this.insert(inserted);
      else this.keepPair(rowA, rowB);
    }
    this.a.release(this.i);
    this.b.release(this.j);
    return true;
  }

  /** The first index >= from on `side` holding `key` whose following rows match; -1 when none is in reach. */
  private runTo(side: RowWindow, key: string, from: number, follows: (index: number) => boolean): number {
    for (const index of side.find(key, from)) if (follows(index)) return index;
    return -1;
  }

  /** Whether `confirmRows` rows from i and j match pairwise (both sides ending together counts). */
  private matches(i: number, j: number): boolean {
    for (let t = 0; t < confirmRows; t++) {
      const rowA = this.a.at(i + t);
      const rowB = this.b.at(j + t);
      if (!rowA || !rowB) return !rowA && !rowB;
      if (this.judge(rowA, rowB, this.probe)) return false;
    }
    return true;
  }

  /** Compares two rows' cells into `into`; true when they differ beyond tolerance. */
  private judge(rowA: TableRow, rowB: TableRow, into: PairFindings): boolean {
    into.reset();
    const { header, columns, limits } = this.context;
    compareRow(rowA.cells, rowB.cells, this.i + 1, rowA.line, header, columns, limits, into, this.j + 1);
    return into.failed;
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
    for (let t = 0; t < n; t++, this.i++, this.deleted++) {
      const row = this.a.at(this.i)!;
      this.firstGap ??= `row ${this.i + 1}`;
      const content = this.content(row.cells, 'a');
      const finding = { where: `row ${this.i + 1} (line ${row.line})`, committed: content, rerun: '', deviation: `row ${this.i + 1} deleted`, withinTolerance: false };
      this.collector.add({ ...finding, change: 'deleted' }, Infinity);
      this.sink?.differing(row.cells, undefined);
    }
  }

  private insert(n: number): void {
    for (let t = 0; t < n; t++, this.j++, this.inserted++) {
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
