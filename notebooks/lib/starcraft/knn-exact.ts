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
   * The search (knn-kernel.ts), holding the test rows and the distinct rows in byNorm's order: their norms (square
   * roots of exact integers), their values of those columns in that order, and their extra squared terms (the
   * published call's label column against a test value of 0, or 0).
   */
  kernel: NearestKernel;
}

/**
 * The training side, or undefined when some distance might not be exact (a non-integer or too large a value).
 * The passes over every value run in the kernel (knn-kernel.ts), on its copies of the training and test values.
 */
export function exactTrain(train: Matrix, test: Matrix, extra?: ArrayLike<number>): ExactTrain | undefined {
  const kernel = new NearestKernel(train.rows, train.cols, test.rows);
  const exact = prepare(kernel, train, test, extra);
  if (!exact) kernel.release();
  return exact;
}

function prepare(kernel: NearestKernel, train: Matrix, test: Matrix, extra?: ArrayLike<number>): ExactTrain | undefined {
  kernel.train.view.set(train.values);
  kernel.test.view.set(test.values);
  // Every value an integer (one pass, training rows then test rows, which also sums each column for widestFirst)
  if (!kernel.columnStats()) return undefined;
  let largest = kernel.largest;
  const extras = kernel.extras.view;
  if (extra) for (let j = 0; j < train.rows; j++) {
    if (!Number.isInteger(extra[j])) return undefined;
    largest = Math.max(largest, Math.abs(extra[j]));
    extras[j] = extra[j] * extra[j];
  }
  // Every partial sum of squared differences is at most (cols + 1)·4·largest², below 2^53.
  if ((train.cols + 1) * 4 * largest * largest >= 2 ** 53) return undefined;
  // Distinct rows (the same extra term and values), numbered by first appearance (knn-kernel.ts: by hash, then
  // compared in full), each with its copies, ascending.
  const groups = kernel.groupRows();
  const groupOf = kernel.groupOf.view, firsts = kernel.firsts.view;
  // Squared norms (extra term, then each column's square, in order) of the first copies
  const rowList = kernel.rowList.view;
  rowList.set(firsts.subarray(0, groups));
  kernel.squaredNorms(groups);
  const squared = kernel.squared.view;
  const order = Array.from({ length: groups }, (_, g) => g).sort((a, b) => squared[a] - squared[b] || firsts[a] - firsts[b]);
  const { rank, byNorm } = rankByNorm(kernel, order);
  const copyStart = kernel.copyStart.view;
  const copies = kernel.copies.view;
  listCopies(rank, groupOf, train.rows, copyStart, copies);
  const columns = widestFirst(kernel, train.rows + test.rows);
  kernel.columns.view.set(columns);
  // byNorm's rows, packed on those columns (rowList now in norm order)
  rowList.set(byNorm);
  kernel.shape(byNorm.length, columns.length);
  return { train, byNorm, copyStart, copies, columns, kernel };
}

// prepare's loops are functions of their own: prepare runs twice per frame, so V8 compiled it on stack replacement
// inside its first loop, without feedback for the code after it yet, and again once that ran; alone, each loop
// compiles small and once.

/** Each group's place in norm order (`order`), and its first row, norm and extra term in that order. */
function rankByNorm(kernel: NearestKernel, order: number[]): { rank: Int32Array; byNorm: Int32Array } {
  const groups = order.length;
  const firsts = kernel.firsts.view, squared = kernel.squared.view, extras = kernel.extras.view;
  const norms = kernel.norms.view, packedExtra = kernel.packedExtra.view;
  const rank = new Int32Array(groups);
  const byNorm = new Int32Array(groups);
  for (let k = 0; k < groups; k++) {
    rank[order[k]] = k;
    byNorm[k] = firsts[order[k]];
    norms[k] = Math.sqrt(squared[order[k]]);
    packedExtra[k] = extras[byNorm[k]];
  }
  return { rank, byNorm };
}

/** The copies of each group in norm order, each group's rows ascending (copyStart starts zeroed). */
function listCopies(rank: Int32Array, groupOf: Int32Array, rows: number, copyStart: Int32Array, copies: Int32Array): void {
  const groups = rank.length;
  for (let j = 0; j < rows; j++) copyStart[rank[groupOf[j]] + 1]++;
  for (let k = 0; k < groups; k++) copyStart[k + 1] += copyStart[k];
  const next = copyStart.slice(0, groups);
  for (let j = 0; j < rows; j++) copies[next[rank[groupOf[j]]]++] = j;
}

/**
 * Columns by descending variance over the training and test rows (`n` of them), from the kernel's column
 * statistics; constant ones (adding 0) left out.
 */
function widestFirst(kernel: NearestKernel, n: number): Int32Array {
  const sum = kernel.sum.view, squares = kernel.squares.view, min = kernel.min.view, max = kernel.max.view;
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
 * The training rows within a relative `eps` of test row t's nearest one: how many, ascending in
 * exact.kernel.tied (knn-kernel.ts: the search, then the copies of the distinct rows within its final bound).
 */
export function exactNearest(exact: ExactTrain, t: number, eps: number): number {
  return exact.kernel.nearestRows(t, eps);
}
