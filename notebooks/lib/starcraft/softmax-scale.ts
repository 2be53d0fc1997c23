// The softmax regression's passes over every input value in WebAssembly (wasm.ts): each column's mean and squared
// deviations, the scaled sparse copy of the rows, and the rows' numbering by their entries. The same operations in the same order as the JavaScript
// loops they replace (sums row by row from 0, d·d, v / scale), without a JavaScript loop over every value that V8
// would first run unoptimised on each of the 49 frames.
import { type Matrix } from './matrix.ts';
import { type RowPatterns } from './softmax-loss.ts';
import { address, type Block, countUp, encodeModule, I32, i32s, loopWhile, op, WasmMemory } from './wasm.ts';

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

// patterns(start, column, value, rows, table, mask, pattern, firsts, firstHash) → count: softmax-loss.ts's rowPatterns
// on the scaled rows: rows numbered by their entries (the same columns and values, compared as numbers), in order of
// first appearance, pattern[i] being row i's. A row's hash is rowPatterns' (its entry count, then per entry
// imul(imul(h, 31) ^ column, 0x9e3779b1) ^ the value's low and high words), and a row joins a pattern only with
// the same hash, as rowPatterns compares only rows of the same hash: the same numbering. The open-addressing
// table (mask + 1 slots, a power of two above the rows; filled with −1 here) holds the patterns by hash, probed
// linearly; firsts and firstHash give each pattern's first row and its hash.
const patterns = (() => {
  const [START, COLUMN, VALUE, ROWS, TABLE, MASK, PATTERN, FIRSTS, FIRST_HASH] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [I, E, END, H, SLOT, G, COUNT, A, B, A_END, EQUAL, BITS] = Array.from({ length: 12 }, (_, i) => 9 + i); // i32
  return [
    ...op.i32(0), ...op.set(SLOT),
    ...loopWhile([...op.get(SLOT), ...op.get(MASK), ...op.leS], [
      ...address(TABLE, SLOT, 4), ...op.i32(-1), ...op.i32Store(), ...op.get(SLOT), ...op.i32(1), ...op.add, ...op.set(SLOT),
    ]),
    ...op.i32(0), ...op.set(COUNT), ...op.i32(0), ...op.set(I),
    ...countUp(I, ROWS, [
      ...address(START, I, 4), ...op.tee(A), ...op.i32Load(), ...op.set(E), ...op.get(A), ...op.i32Load(4), ...op.tee(END),
      ...op.get(E), ...op.sub, ...op.set(H),
      ...countUp(E, END, [
        ...op.get(H), ...op.i32(31), ...op.mul, ...address(COLUMN, E, 4), ...op.i32Load(), ...op.xor, ...op.i32(0x9e3779b1 | 0), ...op.mul,
        ...address(VALUE, E, 8), ...op.i32Load(0), ...op.xor, ...address(VALUE, E, 8), ...op.i32Load(4), ...op.xor, ...op.set(H),
      ]),
      ...op.get(H), ...op.get(MASK), ...op.and, ...op.set(SLOT),
      ...op.block(), ...op.loop, // probe until row i's pattern or an empty slot
      ...address(TABLE, SLOT, 4), ...op.i32Load(), ...op.tee(G), ...op.i32(-1), ...op.eq, ...op.if(),
      // a new pattern
      ...address(TABLE, SLOT, 4), ...op.get(COUNT), ...op.i32Store(),
      ...address(FIRSTS, COUNT, 4), ...op.get(I), ...op.i32Store(),
      ...address(FIRST_HASH, COUNT, 4), ...op.get(H), ...op.i32Store(),
      ...address(PATTERN, I, 4), ...op.get(COUNT), ...op.i32Store(),
      ...op.get(COUNT), ...op.i32(1), ...op.add, ...op.set(COUNT),
      ...op.br(2), // out of the probe
      ...op.end,
      // the same hash, the same entries as pattern g's first row?
      ...address(FIRST_HASH, G, 4), ...op.i32Load(), ...op.get(H), ...op.eq, ...op.set(EQUAL),
      ...op.get(EQUAL), ...op.if(),
      ...address(FIRSTS, G, 4), ...op.i32Load(), ...op.set(A),
      ...address(START, A, 4), ...op.tee(BITS), ...op.i32Load(4), ...op.set(A_END), ...op.get(BITS), ...op.i32Load(), ...op.set(A),
      ...address(START, I, 4), ...op.i32Load(), ...op.set(B),
      // the same count of entries
      ...op.get(A_END), ...op.get(A), ...op.sub, ...op.get(END), ...op.get(B), ...op.sub, ...op.eq, ...op.set(EQUAL),
      ...loopWhile([...op.get(EQUAL), ...op.get(A), ...op.get(A_END), ...op.ltU, ...op.and], [
        ...address(COLUMN, A, 4), ...op.i32Load(), ...address(COLUMN, B, 4), ...op.i32Load(), ...op.eq,
        ...address(VALUE, A, 8), ...op.f64Load(), ...address(VALUE, B, 8), ...op.f64Load(), ...op.f64Eq, ...op.and, ...op.set(EQUAL),
        ...op.get(A), ...op.i32(1), ...op.add, ...op.set(A), ...op.get(B), ...op.i32(1), ...op.add, ...op.set(B),
      ]),
      ...op.end,
      ...op.get(EQUAL), ...op.if(), ...address(PATTERN, I, 4), ...op.get(G), ...op.i32Store(), ...op.br(2), ...op.end,
      ...op.get(SLOT), ...op.i32(1), ...op.add, ...op.get(MASK), ...op.and, ...op.set(SLOT),
      ...op.br(0),
      ...op.end, ...op.end,
    ]),
    ...op.get(COUNT),
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
  private readonly table: Block<Int32Array>;
  private readonly pattern: Block<Int32Array>;
  private readonly firsts: Block<Int32Array>;
  private readonly firstHash: Block<Int32Array>;
  private readonly patternsKernel: (
    start: number, column: number, value: number, rows: number, table: number, mask: number, pattern: number, firsts: number, firstHash: number,
  ) => number;
  private readonly moments: (values: number, rows: number, cols: number, means: number, out: number, squared: number) => void;
  private readonly scale: (
    values: number, rows: number, cols: number, columns: number, p: number, scale: number, start: number, column: number, value: number,
  ) => number;

  constructor(private readonly x: Matrix) {
    compiled ??= new WebAssembly.Module(encodeModule([
      { name: 'moments', params: i32s(6), i32: 3, f64: 1, body: moments },
      { name: 'scale', params: i32s(9), result: I32, i32: 4, f64: 1, body: scale },
      { name: 'patterns', params: i32s(9), result: I32, i32: 12, body: patterns },
    ]));
    const { rows, cols } = x;
    const tableSize = 2 ** Math.ceil(Math.log2(2 * rows + 2));
    const bytes = [
      rows * cols * 8, cols * 8, cols * 8, cols * 8, cols * 4, cols * 8, (rows + 1) * 4, rows * cols * 4, rows * cols * 8,
      tableSize * 4, rows * 4, rows * 4, rows * 4,
    ];
    super(compiled, WasmMemory.total(bytes));
    this.values = this.f64(rows * cols);
    this.means = this.f64(cols);
    this.sums = this.f64(cols);
    this.squares = this.f64(cols);
    this.columns = this.i32(cols);
    this.scales = this.f64(cols);
    this.start = this.i32(rows + 1);
    this.column = this.i32(rows * cols);
    this.value = this.f64(rows * cols);
    this.table = this.i32(tableSize);
    this.pattern = this.i32(rows);
    this.firsts = this.i32(rows);
    this.firstHash = this.i32(rows);
    this.values.view.set(x.values);
    this.patternsKernel = this.exports.patterns as ScaleKernel['patternsKernel'];
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

  /** The last scaleSparse's rows numbered by their entries, as softmax-loss.ts's rowPatterns numbers them (copied out). */
  rowPatterns(): RowPatterns {
    const rows = this.x.rows;
    const patterns = this.patternsKernel(
      this.start.at, this.column.at, this.value.at, rows, this.table.at, this.table.view.length - 1, this.pattern.at, this.firsts.at,
      this.firstHash.at,
    );
    return { pattern: this.pattern.view.slice(), patterns };
  }
}
