// Tables (CSV, TSV): cells matched by column name, numbers judged per column with rtol/atol, text exactly; rows
// aligned first (csv-align.ts), so a deleted or inserted row is one finding; reordered rows or columns are reported
// as such rather than as a wall of cell differences.
import type { Tolerance } from '../../manifest/schema.ts';
import type { Comparison, CompareContext } from '../types.ts';
import { columnTolerance, describeNumberDeviation, judgeNumbers, parseNumber } from '../tolerance.ts';
import { FindingCollector, identical, unreadable } from './collect.ts';
import { RowAligner, RowWindow } from './csv-align.ts';
import { parseTable, TableSyntaxError, type ParsedTable } from './csv-parse.ts';

export function compareCsv(committed: Buffer, rerun: Buffer, context: CompareContext): Comparison {
  const delimiter = /\.tsv$/i.test(context.path) ? '\t' : ',';
  let a: ParsedTable;
  let b: ParsedTable;
  try {
    a = parseTable(committed.toString('utf8'), delimiter);
  } catch (error) {
    return unreadable('committed', messageOf(error));
  }
  try {
    b = parseTable(rerun.toString('utf8'), delimiter);
  } catch (error) {
    return unreadable('re-run', messageOf(error));
  }
  return compareTables(a, b, context.tolerance, delimiter);
}

export function compareTables(a: ParsedTable, b: ParsedTable, tolerance: Tolerance, delimiter: ',' | '\t' = ','): Comparison {
  if (a.rows.length === 0 && b.rows.length === 0) return identical();
  const collector = new FindingCollector();
  if (a.rows.length === 0 || b.rows.length === 0) {
    collector.fail(a.rows.length === 0 ? 'the committed table is empty' : 'the re-run table is empty');
    return collector.result();
  }
  const { headerless, headerA, headerB } = headersOf(a.rows[0], b.rows[0]);
  const skip = headerless ? 0 : 1;
  const columns = matchColumns(headerA, headerB, collector);
  const rowsA = a.rows.slice(skip);
  const rowsB = b.rows.slice(skip);
  const windowA = new RowWindow(columns, 'a');
  const windowB = new RowWindow(columns, 'b');
  rowsA.forEach((row, i) => windowA.push(row, a.lines[i + skip]));
  rowsB.forEach((row, i) => windowB.push(row, b.lines[i + skip]));
  windowA.end();
  windowB.end();
  const aligned = new FindingCollector();
  const aligner = new RowAligner(windowA, windowB, { header: headerA, columns, limits: columnLimits(columns, tolerance), delimiter }, aligned);
  while (aligner.step());
  if (rowsA.length !== rowsB.length) failRowCount(rowsA.length, rowsB.length, collector, aligner.firstGap);
  if (aligned.failed && rowsA.length === rowsB.length && rowsA.length > 1) {
    // Same rows in another order (e.g. an unsorted groupby) is a difference, but a different one to report.
    const sortedA = [...rowsA].sort((x, y) => compareRowKeys(columns.map((c) => x[c.a]), columns.map((c) => y[c.a])));
    const sortedB = [...rowsB].sort((x, y) => compareRowKeys(columns.map((c) => x[c.b]), columns.map((c) => y[c.b])));
    const sorted = new FindingCollector();
    compareRows(sortedA, sortedB, headerA, columns, tolerance, sorted);
    if (!sorted.failed) {
      collector.fail(`rows are in a different order (the same ${rowsA.length} rows${sorted.count > 0 ? ', within tolerance' : ''})`, 'rows');
      return collector.result();
    }
  }
  mergeAligned(collector, aligned);
  return collector.result();
}

/** Moves the row-by-row findings after the whole-file notes, keeping the largest deviation. */
export function mergeAligned(collector: FindingCollector, aligned: FindingCollector): void {
  for (const finding of aligned.findings) collector.add(finding, 0);
  collector.count += aligned.count - aligned.findings.length;
  if (aligned.largest) collector.consider(aligned.largest);
}

/** A first row of numbers is data, not a header (a bare matrix): columns are then named by position. */
export function headersOf(firstA: string[], firstB: string[]): { headerless: boolean; headerA: string[]; headerB: string[] } {
  const headerless = isNumericRow(firstA) && isNumericRow(firstB);
  if (!headerless) return { headerless, headerA: firstA, headerB: firstB };
  return { headerless, headerA: firstA.map((_, i) => `#${i + 1}`), headerB: firstB.map((_, i) => `#${i + 1}`) };
}

export function failRowCount(countA: number, countB: number, collector: FindingCollector, firstGap?: string): void {
  const delta = countB - countA;
  const rows = `${Math.abs(delta)} row${Math.abs(delta) === 1 ? '' : 's'}`;
  collector.fail(`${rows} ${delta > 0 ? 'extra in' : 'missing from'} the re-run (${countA} → ${countB})`, firstGap ?? `row ${Math.min(countA, countB) + 1}`);
}

export interface ColumnPair {
  name: string;
  a: number;
  b: number;
}

/** Pairs columns by name; missing, extra and reordered columns are differences of their own. */
export function matchColumns(headerA: string[], headerB: string[], collector: FindingCollector): ColumnPair[] {
  const duplicated = new Set(headerA).size !== headerA.length || new Set(headerB).size !== headerB.length;
  if (duplicated) {
    // Names cannot identify columns: compare by position.
    if (headerA.join('\u0000') !== headerB.join('\u0000')) collector.fail(`header differs: ${headerA.join(',')} → ${headerB.join(',')}`, 'header');
    return headerA.slice(0, headerB.length).map((name, i) => ({ name, a: i, b: i }));
  }
  const missing = headerA.filter((name) => !headerB.includes(name));
  const extra = headerB.filter((name) => !headerA.includes(name));
  if (missing.length > 0) collector.fail(`column${missing.length > 1 ? 's' : ''} missing from the re-run: ${missing.join(', ')}`, `column "${missing[0]}"`);
  if (extra.length > 0) collector.fail(`extra column${extra.length > 1 ? 's' : ''} in the re-run: ${extra.join(', ')}`, `column "${extra[0]}"`);
  const pairs = headerA.filter((name) => headerB.includes(name)).map((name) => ({ name, a: headerA.indexOf(name), b: headerB.indexOf(name) }));
  const orderB = pairs.map((p) => p.b);
  if (orderB.some((value, i) => i > 0 && value < orderB[i - 1])) {
    collector.fail(`columns are in a different order: ${headerB.filter((n) => headerA.includes(n)).join(', ')} (cells compared by name)`, 'header');
  }
  return pairs;
}

/** Sorted rows, compared in place (their lines are not known). */
function compareRows(rowsA: string[][], rowsB: string[][], header: string[], columns: ColumnPair[], tolerance: Tolerance, collector: FindingCollector): void {
  const limits = columnLimits(columns, tolerance);
  const n = Math.min(rowsA.length, rowsB.length);
  for (let r = 0; r < n; r++) compareRow(rowsA[r], rowsB[r], r + 1, 0, header, columns, limits, collector);
}

export type ColumnLimits = ReturnType<typeof columnTolerance>[];

export function columnLimits(columns: ColumnPair[], tolerance: Tolerance): ColumnLimits {
  return columns.map((c) => columnTolerance(tolerance, c.name));
}

/** One row's cells by column; `row` is 1-based, `line` 0 when unknown (sorted rows); `rerunRow` the partner's row when it is another. */
export function compareRow(
  rowA: string[],
  rowB: string[],
  row: number,
  line: number,
  header: string[],
  columns: ColumnPair[],
  limits: ColumnLimits,
  collector: FindingCollector,
  rerunRow = row,
): void {
  let label: string | undefined;
  for (let c = 0; c < columns.length; c++) {
    const cellA = rowA[columns[c].a];
    const cellB = rowB[columns[c].b];
    // Equal text is equal, unless it is NaN (judged by nanEqual): the common case parses nothing.
    if (cellA === cellB && !mayBeNaN(cellA)) continue;
    const numberA = parseNumber(cellA);
    const numberB = parseNumber(cellB);
    const bothNaN = numberA !== undefined && numberB !== undefined && Number.isNaN(numberA) && Number.isNaN(numberB);
    if (cellA === cellB && !bothNaN) continue;
    // The row's first difference: the equal cells to its left name the row (frame=5, model=knn).
    label ??= rowLabel(rowA, header, columns, c);
    const at = [line ? `line ${line}` : '', rerunRow !== row ? `re-run row ${rerunRow}` : '', label].filter(Boolean).join('; ');
    const where = `row ${row}${at ? ` (${at})` : ''}, column "${header[columns[c].a]}"`;
    if (numberA !== undefined && numberB !== undefined) {
      const judgement = judgeNumbers(numberA, numberB, limits[c]);
      // 1.0 vs 1 is the same number written differently; NaN vs NaN is equal when nanEqual says so.
      if (judgement.ok && (judgement.abs === 0 || bothNaN)) continue;
      const deviation = bothNaN ? 'NaN vs NaN (nanEqual is off)' : describeNumberDeviation(judgement);
      collector.add({ where, committed: cellA, rerun: cellB, deviation, withinTolerance: judgement.ok }, judgement.score);
    } else {
      collector.add({ where, committed: cellA, rerun: cellB, deviation: 'text differs', withinTolerance: false }, Infinity);
    }
  }
}

/** How many equal cells left of a row's first difference name it in a finding, and how long each may be. */
const labelCells = 3;
const labelWidth = 24;

/**
 * `frame=5, model=knn`: the cells left of column `before` (equal on both sides) that can be keys (text or whole
 * numbers, not measurements like 0.845), at most three, each cut to 24 characters, control characters shown as spaces. Tidy tables put their keys
 * first, so a changed value is shown with the row it belongs to.
 */
function rowLabel(row: string[], header: string[], columns: ColumnPair[], before: number): string {
  const parts: string[] = [];
  for (let c = 0; c < before && parts.length < labelCells; c++) {
    // A quoted line break or tab in a key is shown as a space: a finding's place stays on one line.
    const value = (row[columns[c].a] ?? '').replace(/[\u0000-\u001f\u007f]+/g, ' ');
    if (value === '' || (parseNumber(value) !== undefined && !/^[+-]?\d+$/.test(value.trim()))) continue;
    parts.push(`${header[columns[c].a]}=${value.length > labelWidth ? `${value.slice(0, labelWidth - 1)}…` : value}`);
  }
  return parts.join(', ');
}

/** Whether every cell of two rows is equal or within its tolerance, as compareRow judges it; stops at the first that is not. */
export function rowsMatch(rowA: string[], rowB: string[], columns: ColumnPair[], limits: ColumnLimits): boolean {
  for (let c = 0; c < columns.length; c++) {
    const cellA = rowA[columns[c].a];
    const cellB = rowB[columns[c].b];
    if (cellA === cellB && !mayBeNaN(cellA)) continue;
    const numberA = parseNumber(cellA);
    const numberB = parseNumber(cellB);
    if (numberA !== undefined && numberB !== undefined) {
      if (!judgeNumbers(numberA, numberB, limits[c]).ok) return false;
    } else if (cellA !== cellB) return false;
  }
  return true;
}

/** Orders rows by their cells: numbers numerically (before text), text by code point. */
function compareRowKeys(x: string[], y: string[]): number {
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const nx = parseNumber(x[i]);
    const ny = parseNumber(y[i]);
    if (nx !== undefined && ny !== undefined) {
      if (nx !== ny && !(Number.isNaN(nx) && Number.isNaN(ny))) return Number.isNaN(nx) ? 1 : Number.isNaN(ny) ? -1 : nx - ny;
    } else if (nx !== undefined) return -1;
    else if (ny !== undefined) return 1;
    else if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
  }
  return x.length - y.length;
}

function mayBeNaN(cell: string): boolean {
  return cell.length < 16 && (cell.includes('n') || cell.includes('N')) && Number.isNaN(parseNumber(cell));
}

export function isNumericRow(row: string[]): boolean {
  return row.every((cell) => parseNumber(cell) !== undefined);
}

export function messageOf(error: unknown): string {
  return error instanceof TableSyntaxError || error instanceof Error ? error.message : String(error);
}
