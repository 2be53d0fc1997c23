// Nearest training rows for k = 1 when every squared distance is an exact integer: all values are integers
// small enough that every partial sum stays an integer below 2^53 (the StarCraft features are frame numbers).
// Then the distances are the same numbers however they are found, and the search can skip rows: training
// rows are visited by how close their norm is to the test row's (‖t − x‖ ≥ |‖t‖ − ‖x‖|), and stop once no
// closer norm is left that could still be within the tie bound; a row's sum stops once it exceeds the bound.
// The rows found are those knn.ts's row-by-row scan finds: all within a relative EPS of the nearest one.
import { type Matrix } from './matrix.ts';

/** The distinct training rows (with their extra term), ordered by norm; each stands for its copies. */
export interface ExactTrain {
  train: Matrix;
  /** one row per distinct (row, extra), by ascending norm, and those norms (square roots of exact integers) */
  byNorm: Int32Array;
  norms: Float64Array;
  /** the copies of distinct row byNorm[k] are copies[copyStart[k] … copyStart[k+1]−1], ascending */
  copyStart: Int32Array;
  copies: Int32Array;
  /** the columns that vary, widest spread first (so that a row's partial sum passes the bound soonest) */
  columns: Int32Array;
  /**
   * The distinct rows' values of those columns, in that order, row byNorm[k] at k · columns.length (one
   * contiguous read per visit), and their extra squared terms (the published call's label column against a
   * test value of 0, or 0).
   */
  packed: Float64Array;
  packedExtra: Float64Array;
  /** scratch for one search: the test row's values of the columns, the positions (in byNorm) of the rows it keeps */
  testRow: Float64Array;
  found: Int32Array;
}

/** The training side, or undefined when some distance might not be exact (a non-integer or too large a value). */
export function exactTrain(train: Matrix, test: Matrix, extra?: ArrayLike<number>): ExactTrain | undefined {
  let largest = 0;
  for (const m of [train, test]) {
    for (let k = 0; k < m.values.length; k++) {
      const v = m.values[k];
      if (!Number.isInteger(v)) return undefined;
      largest = Math.max(largest, Math.abs(v));
    }
  }
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
  const groups: number[][] = [];
  for (let j = 0; j < train.rows; j++) {
    let h = extras[j] | 0;
    for (let f = 0; f < cols; f++) h = Math.imul(h ^ (x[j * cols + f] | 0), 0x9e3779b1) ^ (h >>> 15);
    const candidates = byHash.get(h) ?? [];
    const group = candidates.find((g) => same(g[0], j));
    if (group) group.push(j);
    else {
      candidates.push([j]);
      groups.push(candidates[candidates.length - 1]);
      byHash.set(h, candidates);
    }
  }
  const distinct = groups;
  const squared = distinct.map(([j]) => {
    let s = extras[j];
    for (let f = 0; f < cols; f++) s += x[j * cols + f] ** 2;
    return s;
  });
  const order = [...distinct.keys()].sort((a, b) => squared[a] - squared[b] || distinct[a][0] - distinct[b][0]);
  const copyStart = new Int32Array(order.length + 1);
  order.forEach((g, k) => (copyStart[k + 1] = copyStart[k] + distinct[g].length));
  const byNorm = Int32Array.from(order, (g) => distinct[g][0]);
  const columns = widestFirst(train, test);
  const packed = new Float64Array(byNorm.length * columns.length);
  byNorm.forEach((j, k) => columns.forEach((f, c) => (packed[k * columns.length + c] = x[j * cols + f])));
  return {
    train, byNorm,
    norms: Float64Array.from(order, (g) => Math.sqrt(squared[g])),
    copyStart, copies: Int32Array.from(order.flatMap((g) => distinct[g])),
    columns, packed, packedExtra: Float64Array.from(byNorm, (j) => extras[j]),
    testRow: new Float64Array(columns.length), found: new Int32Array(byNorm.length),
  };
}

/** Columns by descending variance over the training and test rows; constant ones (adding 0) left out. */
function widestFirst(train: Matrix, test: Matrix): Int32Array {
  const spread: number[] = [];
  const varying: number[] = [];
  for (let f = 0; f < train.cols; f++) {
    let sum = 0;
    let squares = 0;
    let min = Infinity;
    let max = -Infinity;
    for (const m of [train, test]) {
      for (let i = 0; i < m.rows; i++) {
        const v = m.values[i * m.cols + f];
        sum += v; squares += v * v; min = Math.min(min, v); max = Math.max(max, v);
      }
    }
    const n = train.rows + test.rows;
    spread.push(squares / n - (sum / n) ** 2);
    if (min < max) varying.push(f);
  }
  return Int32Array.from(varying.sort((a, b) => spread[b] - spread[a] || a - b));
}

/** A margin far above the rounding of the norms: a row is skipped only when surely beyond the bound. */
const SLACK = 1e-9;

/**
 * The training rows within a relative `eps` of test row t's nearest one, ascending, into `out`. Scratch:
 * `distances` (one per distinct row), `mark` (one per training row, all 0, left so).
 */
export function exactNearest(exact: ExactTrain, test: Matrix, t: number, eps: number, distances: Float64Array, out: number[], mark: Uint8Array): void {
  const { train, norms, copyStart, copies, columns, packed, packedExtra, testRow, found } = exact;
  const cols = train.cols;
  const width = columns.length;
  const base = t * test.cols;
  let own = 0;
  for (let f = 0; f < cols; f++) own += test.values[base + f] ** 2;
  const norm = Math.sqrt(own);
  for (let c = 0; c < width; c++) testRow[c] = test.values[base + columns[c]];
  // First row whose norm is at least the test row's; then alternate outwards, nearest norm first.
  const n = norms.length;
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (norms[mid] < norm) lo = mid + 1; else hi = mid;
  }
  let down = lo - 1; // norms below the test row's, descending
  let up = lo; // the others, ascending
  let bound = Infinity;
  let kept = 0;
  for (;;) {
    // A side is done once its next row's norm gap alone, squared, is beyond the bound (which only shrinks).
    if (down >= 0) {
      const gap = norm - norms[down];
      if (gap * gap * (1 - SLACK) > bound) down = -1;
    }
    if (up < n) {
      const gap = norms[up] - norm;
      if (gap * gap * (1 - SLACK) > bound) up = n;
    }
    let k: number;
    if (down >= 0 && (up >= n || norm - norms[down] <= norms[up] - norm)) k = down--;
    else if (up < n) k = up++;
    else break;
    // Row k's distance, dropped as soon as its partial sum passes the bound.
    let d = packedExtra[k];
    const offset = k * width;
    for (let c = 0; c < width && d <= bound; c++) {
      const diff = testRow[c] - packed[offset + c];
      d += diff * diff;
    }
    if (d > bound) continue;
    distances[k] = d;
    found[kept++] = k;
    if (d * (1 + eps) < bound) bound = d * (1 + eps);
  }
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
