// Every column's rows in (value, row) order, computed once per matrix and shared by the tree models that
// fit on it (CART, the boosted trees): a WeakMap keyed by the matrix, so it lives as long as the matrix does.
import { type Matrix } from './matrix.ts';

const cache = new WeakMap<Matrix, Int32Array>();

/**
 * Column f's rows by ascending value, ties by ascending row, at f·rows … (f+1)·rows−1. The same order as
 * sorting with (a, b) => value(a) − value(b) || a − b (−0 and 0 are one value); the matrix must not change
 * after the first call.
 */
export function columnOrder(x: Matrix): Int32Array {
  let order = cache.get(x);
  if (!order) {
    order = new Int32Array(x.rows * x.cols);
    for (let f = 0; f < x.cols; f++) sortColumn(x, f, order.subarray(f * x.rows, (f + 1) * x.rows));
    cache.set(x, order);
  }
  return order;
}

/**
 * Non-negative integer columns (the StarCraft frames) sort their non-zero rows as one key each, value·rows + row,
 * with the typed array's own sort; other columns rank their distinct values, then count rows into place by rank
 * (stable).
 */
function sortColumn(x: Matrix, f: number, out: Int32Array): void {
  const n = x.rows;
  const keys = new Float64Array(n);
  const largest = Math.floor(2 ** 52 / Math.max(n, 1)); // value·n + row stays an exact integer below this
  let integral = true;
  let nan = false;
  for (let i = 0; i < n; i++) {
    const v = x.values[i * x.cols + f] + 0; // −0 + 0 is 0
    keys[i] = v;
    if (Number.isNaN(v)) nan = true;
    else if (integral && !(Number.isInteger(v) && v >= 0 && v < largest)) integral = false;
  }
  if (nan) {
    const rows = [...Array(n).keys()].sort((a, b) => keys[a] - keys[b] || a - b);
    out.set(rows);
    return;
  }
  if (integral) {
    // The zeros (most of a censored column) come first in row order; only the others are sorted.
    let zeros = 0;
    let others = 0;
    for (let i = 0; i < n; i++) {
      if (keys[i] === 0) out[zeros++] = i;
      else keys[others++] = keys[i] * n + i;
    }
    const sorted = keys.subarray(0, others).sort();
    // key % n without %, which on doubles calls out of the compiled code (half of this function's time): the keys
    // are integers below largest·n ≤ 2⁵², so key / n rounded down is exact, and so is key − ⌊key / n⌋·n
    for (let k = 0; k < others; k++) out[zeros + k] = sorted[k] - Math.floor(sorted[k] / n) * n;
    return;
  }
  const distinct = keys.slice().sort();
  let m = 0;
  for (let k = 0; k < n; k++) if (k === 0 || distinct[k] !== distinct[m - 1]) distinct[m++] = distinct[k];
  const rank = new Int32Array(n);
  const starts = new Int32Array(m + 1);
  for (let i = 0; i < n; i++) {
    let lo = 0;
    let hi = m - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (distinct[mid] < keys[i]) lo = mid + 1; else hi = mid;
    }
    rank[i] = lo;
    starts[lo + 1]++;
  }
  for (let r = 0; r < m; r++) starts[r + 1] += starts[r];
  for (let i = 0; i < n; i++) out[starts[rank[i]]++] = i;
}
