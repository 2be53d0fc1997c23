// The boosted trees' input: every feature's non-zero rows in value order, computed once per fit, and the
// matrix column by column (a feature's values side by side, for the split search to read by row).
import { columnOrder } from './column-order.ts';
import { type Matrix } from './matrix.ts';

/** Every feature's rows with a non-zero value, by ascending value (ties by row), one feature after another. */
export interface SortedColumns {
  /** feature f's entries are start[f] … start[f+1]−1 */
  start: Int32Array;
  rows: Int32Array;
  /** feature f's value of row r at f·x.rows + r */
  byColumn: Float64Array;
}

// Two small functions rather than one: each is called once per fit, so V8 compiles their loops on stack
// replacement; in one function the first loop's compilation had no feedback for the code after it yet and
// deoptimised there, every call for the first frames of a fresh isolate (a worker's), recompiling each time.
export function presortColumns(x: Matrix): SortedColumns {
  const byColumn = new Float64Array(x.rows * x.cols);
  const nonZero = transpose(x, byColumn);
  return nonZeroRows(x, byColumn, nonZero);
}

/** x column by column into byColumn; how many of its entries are non-zero. */
function transpose(x: Matrix, byColumn: Float64Array): number {
  const { rows, cols, values } = x;
  let nonZero = 0;
  for (let i = 0; i < rows; i++) {
    for (let f = 0; f < cols; f++) {
      const v = values[i * cols + f];
      byColumn[f * rows + i] = v;
      if (v !== 0) nonZero++;
    }
  }
  return nonZero;
}

/** Every column's non-zero rows in columnOrder's order. */
function nonZeroRows(x: Matrix, byColumn: Float64Array, nonZero: number): SortedColumns {
  const n = x.rows;
  const start = new Int32Array(x.cols + 1);
  const rows = new Int32Array(nonZero);
  const order = columnOrder(x); // the non-zero rows keep this order
  let k = 0;
  for (let f = 0; f < x.cols; f++) {
    for (let j = f * n; j < (f + 1) * n; j++) {
      const r = order[j];
      if (byColumn[f * n + r] !== 0) rows[k++] = r;
    }
    start[f + 1] = k;
  }
  return { start, rows, byColumn };
}
