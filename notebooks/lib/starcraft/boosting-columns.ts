// The boosted trees' input: every feature's non-zero rows in value order, computed once per fit.
import { columnOrder } from './column-order.ts';
import { type Matrix } from './matrix.ts';

/** Every feature's rows with a non-zero value, by ascending value (ties by row), one feature after another. */
export interface SortedColumns {
  /** feature f's entries are start[f] … start[f+1]−1 */
  start: Int32Array;
  rows: Int32Array;
  values: Float64Array;
}

export function presortColumns(x: Matrix): SortedColumns {
  const start = new Int32Array(x.cols + 1);
  const rows: number[] = [];
  const values: number[] = [];
  const order = columnOrder(x); // the non-zero rows keep this order
  for (let f = 0; f < x.cols; f++) {
    for (let k = f * x.rows; k < (f + 1) * x.rows; k++) {
      const r = order[k];
      const v = x.values[r * x.cols + f];
      if (v !== 0) { rows.push(r); values.push(v); }
    }
    start[f + 1] = rows.length;
  }
  return { start, rows: Int32Array.from(rows), values: Float64Array.from(values) };
}
