// Every column's rows in (value, row) order, computed once per matrix and shared by the tree models that
// fit on it (CART, the boosted trees): a WeakMap keyed by the matrix, so it lives as long as the matrix does.
import { type Matrix } from './matrix.ts';
import { address, type Block, countUp, encodeModule, i32s, loopWhile, op, WasmMemory } from './wasm.ts';

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
    const kernel = new OrderKernel(x.rows, x.cols);
    const ordered = kernel.order(x, order);
    kernel.release();
    for (let f = 0; f < x.cols; f++) if (!ordered[f]) sortColumn(x, f, order.subarray(f * x.rows, (f + 1) * x.rows));
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

// order(values, rows, cols, out, ordered, keys, spareKeys, list, spareList, counts): every column f of the row-major
// matrix `values` whose values are all integers in [0, 2³¹) (−0 as 0), ordered into out[f·rows …] and ordered[f] = 1:
// its zeros first, in row order, then its other rows listed in row order and sorted by a least-significant-digit
// radix sort on the value, a byte per pass (as many passes as the largest value has bytes; each pass stable, so
// ties stay in row order): the (value, row) order of the comparator sort. Other columns get ordered[f] = 0 (left
// to sortColumn). In WebAssembly because the typed array's own sort took some 70 ns an entry here, and a radix sort
// in JavaScript ran mostly before the engine had optimised it (one call per matrix).
const orderBody = (() => {
  const [VALUES, ROWS, COLS, OUT, ORDERED, KEYS, SPARE_KEYS, LIST, SPARE_LIST, COUNTS] = Array.from({ length: 10 }, (_, i) => i);
  const [F, I, ZEROS, OTHERS, GOOD, LARGEST, KEY, SHIFT, K, D, AT, T, COLUMN, IN_RANGE] = Array.from({ length: 14 }, (_, i) => 10 + i);
  const V = 24; // f64
  const digit = [...address(KEYS, K, 4), ...op.i32Load(), ...op.get(SHIFT), ...op.shrU, ...op.i32(255), ...op.and];
  const swap = (a: number, b: number) => [...op.get(a), ...op.set(T), ...op.get(b), ...op.set(a), ...op.get(T), ...op.set(b)];
  return [
    ...op.i32(0), ...op.set(F),
    ...countUp(F, COLS, [
      ...op.get(OUT), ...op.get(F), ...op.get(ROWS), ...op.mul, ...op.i32(2), ...op.shl, ...op.add, ...op.set(COLUMN),
      ...op.i32(0), ...op.set(ZEROS), ...op.i32(0), ...op.set(OTHERS), ...op.i32(1), ...op.set(GOOD), ...op.i32(0), ...op.set(LARGEST),
      ...op.i32(0), ...op.set(I),
      ...countUp(I, ROWS, [
        ...op.get(VALUES), ...op.get(I), ...op.get(COLS), ...op.mul, ...op.get(F), ...op.add, ...op.i32(3), ...op.shl, ...op.add,
        ...op.f64Load(), ...op.set(V),
        // key = v as an i32 when 0 ≤ v < 2³¹ (else 0: no trap); good while every v is such an integer (NaN is not)
        ...op.get(V), ...op.f64(0), ...op.f64Ge, ...op.get(V), ...op.f64(2 ** 31), ...op.f64Lt, ...op.and, ...op.set(IN_RANGE),
        ...op.get(V), ...op.f64(0), ...op.get(IN_RANGE), ...op.select, ...op.i32FromF64, ...op.set(KEY),
        ...op.get(GOOD), ...op.get(IN_RANGE), ...op.and, ...op.get(KEY), ...op.f64FromI32, ...op.get(V), ...op.f64Eq, ...op.and, ...op.set(GOOD),
        ...op.get(V), ...op.f64(0), ...op.f64Eq, ...op.if(),
        ...address(COLUMN, ZEROS, 4), ...op.get(I), ...op.i32Store(),
        ...op.get(ZEROS), ...op.i32(1), ...op.add, ...op.set(ZEROS),
        ...op.else,
        ...address(KEYS, OTHERS, 4), ...op.get(KEY), ...op.i32Store(),
        ...address(LIST, OTHERS, 4), ...op.get(I), ...op.i32Store(),
        ...op.get(OTHERS), ...op.i32(1), ...op.add, ...op.set(OTHERS),
        ...op.get(LARGEST), ...op.get(KEY), ...op.or, ...op.set(LARGEST),
        ...op.end,
      ]),
      ...address(ORDERED, F, 1), ...op.get(GOOD), ...op.i32Store8(),
      ...op.get(GOOD), ...op.if(),
      ...op.i32(0), ...op.set(SHIFT),
      ...loopWhile([...op.get(SHIFT), ...op.i32(32), ...op.ltU, ...op.get(LARGEST), ...op.get(SHIFT), ...op.shrU, ...op.i32(0), ...op.ne, ...op.and], [
        ...op.i32(0), ...op.set(D), ...op.i32(257), ...op.set(AT),
        ...countUp(D, AT, [...address(COUNTS, D, 4), ...op.i32(0), ...op.i32Store()]),
        ...op.i32(0), ...op.set(K),
        ...countUp(K, OTHERS, [
          ...digit, ...op.i32(1), ...op.add, ...op.set(D),
          ...address(COUNTS, D, 4), ...address(COUNTS, D, 4), ...op.i32Load(), ...op.i32(1), ...op.add, ...op.i32Store(),
        ]),
        ...op.i32(0), ...op.set(D), ...op.i32(256), ...op.set(AT),
        ...countUp(D, AT, [
          ...address(COUNTS, D, 4), ...address(COUNTS, D, 4), ...op.i32Load(4), ...op.get(COUNTS), ...op.get(D), ...op.i32(2), ...op.shl,
          ...op.add, ...op.i32Load(), ...op.add, ...op.i32Store(4),
        ]),
        ...op.i32(0), ...op.set(K),
        ...countUp(K, OTHERS, [
          ...digit, ...op.set(D),
          ...address(COUNTS, D, 4), ...op.i32Load(), ...op.set(AT),
          ...address(COUNTS, D, 4), ...op.get(AT), ...op.i32(1), ...op.add, ...op.i32Store(),
          ...address(SPARE_KEYS, AT, 4), ...address(KEYS, K, 4), ...op.i32Load(), ...op.i32Store(),
          ...address(SPARE_LIST, AT, 4), ...address(LIST, K, 4), ...op.i32Load(), ...op.i32Store(),
        ]),
        ...swap(KEYS, SPARE_KEYS), ...swap(LIST, SPARE_LIST),
        ...op.get(SHIFT), ...op.i32(8), ...op.add, ...op.set(SHIFT),
      ]),
      ...address(COLUMN, ZEROS, 4), ...op.get(LIST), ...op.get(OTHERS), ...op.i32(2), ...op.shl, ...op.memoryCopy,
      ...op.end,
    ]),
  ];
})();

let compiled: WebAssembly.Module | undefined;

/** The memory of `order` for a matrix of `rows` × `cols`. */
class OrderKernel extends WasmMemory {
  private readonly values: Block<Float64Array>;
  private readonly out: Block<Int32Array>;
  private readonly ordered: Block<Uint8Array>;
  private readonly scratch: Block<Int32Array>[];
  private readonly counts: Block<Int32Array>;
  private readonly kernel: (
    values: number, rows: number, cols: number, out: number, ordered: number, keys: number, spareKeys: number, list: number,
    spareList: number, counts: number,
  ) => void;

  constructor(private readonly rows: number, private readonly cols: number) {
    compiled ??= new WebAssembly.Module(encodeModule([{ name: 'order', params: i32s(10), i32: 14, f64: 1, body: orderBody }]));
    const bytes = [rows * cols * 8, rows * cols * 4, cols, rows * 4, rows * 4, rows * 4, rows * 4, 257 * 4];
    super(compiled, WasmMemory.total(bytes));
    this.values = this.f64(rows * cols);
    this.out = this.i32(rows * cols);
    this.ordered = this.u8(cols);
    this.scratch = Array.from({ length: 4 }, () => this.i32(rows));
    this.counts = this.i32(257);
    this.kernel = this.exports.order as OrderKernel['kernel'];
  }

  /** Orders x's integer columns into `order` (see `order` above); which columns it ordered. */
  order(x: Matrix, order: Int32Array): Uint8Array {
    this.values.view.set(x.values);
    const [keys, spareKeys, list, spareList] = this.scratch.map((b) => b.at);
    this.kernel(this.values.at, this.rows, this.cols, this.out.at, this.ordered.at, keys, spareKeys, list, spareList, this.counts.at);
    order.set(this.out.view);
    return this.ordered.view.slice();
  }
}
