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

export function presortColumns(x: Matrix): SortedColumns {
  const start = new Int32Array(x.cols + 1);
  const byColumn = new Float64Array(x.rows * x.cols);
  let nonZero = 0;
  for (let i = 0; i < x.rows; i++) {
    for (let f = 0; f < x.cols; f++) {
      const v = x.values[i * x.cols + f];
      byColumn[f * x.rows + i] = v;
      if (v !== 0) nonZero++;
    }
  }
  const rows = new Int32Array(nonZero);
  const order = columnOrder(x); // the non-zero rows keep this order
  let k = 0;
  for (let f = 0; f < x.cols; f++) {
    for (let j = f * x.rows; j < (f + 1) * x.rows; j++) {
      const r = order[j];
      if (byColumn[f * x.rows + r] !== 0) rows[k++] = r;
    }
    start[f + 1] = k;
  }
  return { start, rows, byColumn };
}
