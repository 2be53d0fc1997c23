// Nearest training rows for k = 1 when every squared distance is an exact integer: all values are integers
// small enough that every partial sum stays an integer below 2^53 (the StarCraft features are frame numbers).
// Then the distances are the same numbers however they are found, and the search can skip rows: training
// rows are visited by how close their norm is to the test row's (‖t − x‖ ≥ |‖t‖ − ‖x‖|), and stop once no
// closer norm is left that could still be within the tie bound; a row's sum stops once it exceeds the bound.
// The rows found are those knn.ts's row-by-row scan finds: all within a relative EPS of the nearest one.
import { NearestKernel } from './knn-kernel.ts';
import { type Matrix } from './matrix.ts';

/** The distinct training rows (with their extra term), ordered by norm; each stands for its copies. */
export interface ExactTrain {
  train: Matrix;
  /** one row per distinct (row, extra), by ascending norm */
  byNorm: Int32Array;
  /** the copies of distinct row byNorm[k] are copies[copyStart[k] … copyStart[k+1]−1], ascending */
  copyStart: Int32Array;
  copies: Int32Array;
  /** the columns that vary, widest spread first (so that a row's partial sum passes the bound soonest) */
  columns: Int32Array;
  /**
   * The search (knn-kernel.ts), holding the distinct rows in byNorm's order: their norms (square roots of exact
   * integers), their values of those columns in that order, and their extra squared terms (the published call's
   * label column against a test value of 0, or 0).
   */
  kernel: NearestKernel;
}

/** Per column, its sum, sum of squares, least and largest value; and the largest magnitude of all. */
interface ColumnStats {
  largest: number;
  sum: Float64Array;
  squares: Float64Array;
  min: Float64Array;
  max: Float64Array;
}

/**
 * Per column, over the training rows and then the test rows, row by row: ColumnStats. Undefined as soon as a value
 * is not an integer (NaN included; ±∞ passes here and fails the range check with `largest`). One pass for both the
 * exactness check and widestFirst's spreads, each column's sums in the same order as a pass per column.
 */
function integerColumns(train: Matrix, test: Matrix): ColumnStats | undefined {
  const cols = train.cols;
  const stats: ColumnStats = {
    largest: 0, sum: new Float64Array(cols), squares: new Float64Array(cols),
    min: new Float64Array(cols).fill(Infinity), max: new Float64Array(cols).fill(-Infinity),
  };
  return addIntegerRows(train.values, stats) && addIntegerRows(test.values, stats) ? stats : undefined;
}

/**
 * Adds the rows of `values` (row-major, stats' columns wide) to `stats`: false at the first non-integer. (A
 * function called per matrix rather than a loop over both: V8 then optimises it once, where the loop's on-stack
 * replacement was dropped and redone on every call.)
 */
function addIntegerRows(values: Float64Array, stats: ColumnStats): boolean {
  const { sum, squares, min, max } = stats;
  const cols = sum.length;
  let largest = stats.largest;
  for (let at = 0; at < values.length; at += cols) {
    for (let f = 0; f < cols; f++) {
      const v = values[at + f];
      // v !== trunc(v) for NaN and non-integers, as !Number.isInteger(v) save for ±∞ (see above)
      if (v !== Math.trunc(v)) return false;
      const a = Math.abs(v);
      if (a > largest) largest = a;
      sum[f] += v;
      squares[f] += v * v;
      // comparisons in place of Math.min and Math.max: the same on integers (no NaN; −0 against 0 only
      // matters to min < max, false either way)
      if (v < min[f]) min[f] = v;
      if (v > max[f]) max[f] = v;
    }
  }
  stats.largest = largest;
  return true;
}

/** The training side, or undefined when some distance might not be exact (a non-integer or too large a value). */
export function exactTrain(train: Matrix, test: Matrix, extra?: ArrayLike<number>): ExactTrain | undefined {
  const stats = integerColumns(train, test);
  if (!stats) return undefined;
  let largest = stats.largest;
  const extras = new Float64Array(train.rows);
  if (extra) for (let j = 0; j < train.rows; j++) {
    if (!Number.isInteger(extra[j])) return undefined;
    largest = Math.max(largest, Math.abs(extra[j]));
    extras[j] = extra[j] * extra[j];
  }
  // Every partial sum of squared differences is at most (cols + 1)·4·largest², below 2^53.
  if ((train.cols + 1) * 4 * largest * largest >= 2 ** 53) return undefined;
  const { cols } = train;
  const x = train.values;
  // Distinct rows by a hash of their integer values (then compared in full), each with its copies, ascending.
  const same = (a: number, b: number) => {
    if (extras[a] !== extras[b]) return false;
    for (let f = 0; f < cols; f++) if (x[a * cols + f] !== x[b * cols + f]) return false;
    return true;
  };
  const byHash = new Map<number, number[][]>();
  const distinct: number[][] = [];
  for (let j = 0; j < train.rows; j++) {
    let h = extras[j] | 0;
    for (let f = 0; f < cols; f++) h = Math.imul(h ^ (x[j * cols + f] | 0), 0x9e3779b1) ^ (h >>> 15);
    let candidates = byHash.get(h);
    if (candidates === undefined) byHash.set(h, (candidates = []));
    let group: number[] | undefined;
    for (let g = 0; g < candidates.length && group === undefined; g++) if (same(candidates[g][0], j)) group = candidates[g];
    if (group) group.push(j);
    else {
      group = [j];
      candidates.push(group);
      distinct.push(group);
    }
  }
  const squared = new Float64Array(distinct.length);
  for (let g = 0; g < distinct.length; g++) {
    const j = distinct[g][0];
    let s = extras[j];
    for (let f = 0; f < cols; f++) {
      const v = x[j * cols + f];
      s += v * v; // not v ** 2 (fdlibm's pow, a call): it returns v * v exactly for an exponent of 2
    }
    squared[g] = s;
  }
  const order = [...distinct.keys()].sort((a, b) => squared[a] - squared[b] || distinct[a][0] - distinct[b][0]);
  const copyStart = new Int32Array(order.length + 1);
  const byNorm = new Int32Array(order.length);
  const copies = new Int32Array(train.rows);
  for (let k = 0; k < order.length; k++) {
    const group = distinct[order[k]];
    byNorm[k] = group[0];
    for (let c = 0; c < group.length; c++) copies[copyStart[k] + c] = group[c];
    copyStart[k + 1] = copyStart[k] + group.length;
  }
  const columns = widestFirst(stats, train.rows + test.rows);
  const width = columns.length;
  const kernel = new NearestKernel(byNorm.length, width);
  const norms = kernel.norms.view, packed = kernel.packed.view, packedExtra = kernel.packedExtra.view;
  for (let k = 0; k < byNorm.length; k++) {
    const j = byNorm[k];
    norms[k] = Math.sqrt(squared[order[k]]);
    packedExtra[k] = extras[j];
    for (let c = 0; c < width; c++) packed[k * width + c] = x[j * cols + columns[c]];
  }
  return { train, byNorm, copyStart, copies, columns, kernel };
}

/** Columns by descending variance over the training and test rows (`n` of them); constant ones (adding 0) left out. */
function widestFirst(stats: ColumnStats, n: number): Int32Array {
  const { sum, squares, min, max } = stats;
  const spread = new Float64Array(sum.length);
  const varying: number[] = [];
  for (let f = 0; f < sum.length; f++) {
    const mean = sum[f] / n;
    spread[f] = squares[f] / n - mean * mean; // mean * mean: mean ** 2's bits (fdlibm's pow for an exponent of 2)
    if (min[f] < max[f]) varying.push(f);
  }
  return Int32Array.from(varying.sort((a, b) => spread[b] - spread[a] || a - b));
}

/**
 * The training rows within a relative `eps` of test row t's nearest one, ascending, into `out`. Scratch:
 * `mark` (one per training row, all 0, left so).
 */
export function exactNearest(exact: ExactTrain, test: Matrix, t: number, eps: number, out: number[], mark: Uint8Array): void {
  const { train, copyStart, copies, columns, kernel } = exact;
  const cols = train.cols;
  const base = t * test.cols;
  let own = 0;
  for (let f = 0; f < cols; f++) {
    const v = test.values[base + f];
    own += v * v; // v ** 2's bits, without the call to pow
  }
  const testRow = kernel.testRow.view;
  for (let c = 0; c < columns.length; c++) testRow[c] = test.values[base + columns[c]];
  // First row whose norm is at least the test row's; then alternate outwards, nearest norm first.
  const { kept, bound } = kernel.search(Math.sqrt(own), eps);
  const found = kernel.found.view;
  const distances = kernel.distances.view;
  // The copies of every distinct row within the bound, in row order: sorted when few, else marked and listed.
  out.length = 0;
  for (let m = 0; m < kept; m++) {
    const k = found[m];
    if (distances[k] <= bound) for (let c = copyStart[k]; c < copyStart[k + 1]; c++) out.push(copies[c]);
  }
  if (out.length <= 64) {
    out.sort((a, b) => a - b);
    return;
  }
  for (const j of out) mark[j] = 1;
  out.length = 0;
  for (let j = 0; j < mark.length; j++) if (mark[j] === 1) { out.push(j); mark[j] = 0; }
}
