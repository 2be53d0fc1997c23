// The softmax regression's passes over every input value in WebAssembly (wasm.ts): each column's mean and squared
// deviations, and the scaled sparse copy of the rows. The same operations in the same order as the JavaScript
// loops they replace (sums row by row from 0, d·d, v / scale), without a JavaScript loop over every value that V8
// would first run unoptimised on each of the 49 frames.
import { type Matrix } from './matrix.ts';
import { address, type Block, countUp, encodeModule, I32, i32s, op, WasmMemory } from './wasm.ts';

// moments(values, rows, cols, means, out, squared): over the rows in order, for each column j, out[j] += v when
// `squared` is 0 (the sums), else out[j] += d·d with d = v − means[j] (the squared deviations).
const moments = (() => {
  const [VALUES, ROWS, COLS, MEANS, OUT, SQUARED] = [0, 1, 2, 3, 4, 5];
  const [I, J, AT] = [6, 7, 8]; // i32
  const D = 9; // f64
  return [
    ...op.get(VALUES), ...op.set(AT),
    ...op.i32(0), ...op.set(I),
    ...countUp(I, ROWS, [
      ...op.i32(0), ...op.set(J),
      ...countUp(J, COLS, [
        ...op.get(AT), ...op.f64Load(), ...op.set(D),
        ...op.get(SQUARED), ...op.if(),
        ...op.get(D), ...address(MEANS, J, 8), ...op.f64Load(), ...op.f64Sub, ...op.tee(D), ...op.get(D), ...op.f64Mul, ...op.set(D),
        ...op.end,
        ...address(OUT, J, 8), ...address(OUT, J, 8), ...op.f64Load(), ...op.get(D), ...op.f64Add, ...op.f64Store(),
        ...op.get(AT), ...op.i32(8), ...op.add, ...op.set(AT),
      ]),
    ]),
  ];
})();

// scale(values, rows, cols, columns, p, scale, start, column, value) → entries: for each row i, for j < p in order,
// v = values[i·cols + columns[j]]; if v ≠ 0 (NaN included, −0 not), column[e] = j and value[e] = v / scale[j], e++;
// start[i+1] = e.
const scale = (() => {
  const [VALUES, ROWS, COLS, COLUMNS, P, SCALE, START, COLUMN, VALUE] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [I, J, E, ROW] = [9, 10, 11, 12]; // i32
  const V = 13; // f64
  return [
    ...op.i32(0), ...op.set(E),
    ...op.i32(0), ...op.set(I),
    ...countUp(I, ROWS, [
      ...op.get(VALUES), ...op.get(I), ...op.get(COLS), ...op.mul, ...op.i32(3), ...op.shl, ...op.add, ...op.set(ROW),
      ...op.i32(0), ...op.set(J),
      ...countUp(J, P, [
        ...op.get(ROW), ...address(COLUMNS, J, 4), ...op.i32Load(), ...op.i32(3), ...op.shl, ...op.add, ...op.f64Load(), ...op.tee(V),
        ...op.f64(0), ...op.f64Ne, ...op.if(),
        ...address(COLUMN, E, 4), ...op.get(J), ...op.i32Store(),
        ...address(VALUE, E, 8), ...op.get(V), ...address(SCALE, J, 8), ...op.f64Load(), ...op.f64Div, ...op.f64Store(),
        ...op.get(E), ...op.i32(1), ...op.add, ...op.set(E),
        ...op.end,
      ]),
      ...op.get(START), ...op.get(I), ...op.i32(2), ...op.shl, ...op.add, ...op.get(E), ...op.i32Store(4),
    ]),
    ...op.get(E),
  ];
})();

let compiled: WebAssembly.Module | undefined;

/** A copy of a matrix's values in a kernel's memory, with room for its column statistics and its scaled sparse rows. */
export class ScaleKernel extends WasmMemory {
  private readonly values: Block<Float64Array>;
  private readonly means: Block<Float64Array>;
  private readonly sums: Block<Float64Array>;
  private readonly squares: Block<Float64Array>;
  private readonly columns: Block<Int32Array>;
  private readonly scales: Block<Float64Array>;
  private readonly start: Block<Int32Array>;
  private readonly column: Block<Int32Array>;
  private readonly value: Block<Float64Array>;
  private readonly moments: (values: number, rows: number, cols: number, means: number, out: number, squared: number) => void;
  private readonly scale: (
    values: number, rows: number, cols: number, columns: number, p: number, scale: number, start: number, column: number, value: number,
  ) => number;

  constructor(private readonly x: Matrix) {
    compiled ??= new WebAssembly.Module(encodeModule([
      { name: 'moments', params: i32s(6), i32: 3, f64: 1, body: moments },
      { name: 'scale', params: i32s(9), result: I32, i32: 4, f64: 1, body: scale },
    ]));
    const { rows, cols } = x;
    const bytes = [rows * cols * 8, cols * 8, cols * 8, cols * 8, cols * 4, cols * 8, (rows + 1) * 4, rows * cols * 4, rows * cols * 8];
    super(compiled, bytes.reduce((sum, b) => sum + WasmMemory.bytes(b), 0));
    this.values = this.f64(rows * cols);
    this.means = this.f64(cols);
    this.sums = this.f64(cols);
    this.squares = this.f64(cols);
    this.columns = this.i32(cols);
    this.scales = this.f64(cols);
    this.start = this.i32(rows + 1);
    this.column = this.i32(rows * cols);
    this.value = this.f64(rows * cols);
    this.values.view.set(x.values);
    this.moments = this.exports.moments as ScaleKernel['moments'];
    this.scale = this.exports.scale as ScaleKernel['scale'];
  }

  /**
   * Each column's mean (its sum over the rows in order, divided by rows) and the sum of its squared deviations
   * from it, over the rows in order.
   */
  columnMoments(): { means: Float64Array; squares: Float64Array } {
    const { rows, cols } = this.x;
    this.moments(this.values.at, rows, cols, 0, this.sums.at, 0);
    const means = this.means.view;
    for (let j = 0; j < cols; j++) means[j] = this.sums.view[j] / rows;
    this.moments(this.values.at, rows, cols, this.means.at, this.squares.at, 1);
    return { means: means.slice(), squares: this.squares.view.slice() };
  }

  /** The rows' non-zero values of `columns`, each divided by its column's scale, row-compressed (copied out). */
  scaleSparse(columns: readonly number[], scale: Float64Array): { start: Int32Array; column: Int32Array; value: Float64Array } {
    const { rows, cols } = this.x;
    this.columns.view.set(columns);
    this.scales.view.set(scale);
    const entries = this.scale(
      this.values.at, rows, cols, this.columns.at, columns.length, this.scales.at, this.start.at, this.column.at, this.value.at,
    );
    return { start: this.start.view.slice(), column: this.column.view.slice(0, entries), value: this.value.view.slice(0, entries) };
  }
}
