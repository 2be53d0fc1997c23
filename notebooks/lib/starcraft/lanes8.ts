// Sparse rows times an 8-column dense matrix, in WebAssembly SIMD: the softmax regression's hot loops (its
// class scores and its gradient's column sums are both of this shape, with 8 class lanes). Each output lane is
// the same sum as the JavaScript loop `s = init; for each entry: s += matrix[index][lane] * value`, the same
// roundings in the same order (two lanes per f64x2 operation), but with no bounds check per read: about 4–5
// times faster than the JavaScript loop on this machine. With them, the softmax of each row of 8 lanes and the
// log-likelihood, whose Math.exp and Math.log are fdlibm's (fdlibm.ts), in the kernel with no call out to
// JavaScript; the same operations in the same order as softmax-loss.ts's loops for more than 8 classes.
import { expBlock, logFunc } from './fdlibm.ts';
import { address, type Code, countUp, encodeModule, F64, i32s, loopWhile, op, WasmMemory } from './wasm.ts';

/** Bytes per row of the dense matrix and of the output: 8 doubles. */
export const ROW_BYTES = 64;

// multiply(start, index, value, matrix, init, out, rows), all byte addresses in the memory:
// for k < rows: out[k] = init + Σ over e in start[k] … start[k+1]−1, in order, of matrix[index[e]] · value[e],
// where start and index are i32 (index already in bytes from `matrix`), value f64, the rest 8 f64 lanes.
const [START, INDEX, VALUE, MATRIX, INIT, OUT, ROWS] = [0, 1, 2, 3, 4, 5, 6];
const [K, E, END, AT] = [7, 8, 9, 10]; // i32 locals
const [V, S] = [11, 12]; // v128 locals: the entry's value in both lanes, the four running sums S … S+3
const QUARTERS = [0, 1, 2, 3];

const multiply = [
  ...op.i32(0), ...op.set(K),
  ...countUp(K, ROWS, [
    ...op.get(START), ...op.get(K), ...op.i32(2), ...op.shl, ...op.add, ...op.tee(AT),
    ...op.i32Load(0), ...op.set(E), ...op.get(AT), ...op.i32Load(4), ...op.set(END),
    ...QUARTERS.flatMap((q) => [...op.get(INIT), ...op.v128Load(16 * q), ...op.set(S + q)]),
    ...countUp(E, END, [
      ...op.get(VALUE), ...op.get(E), ...op.i32(3), ...op.shl, ...op.add, ...op.f64Load(), ...op.f64x2Splat, ...op.set(V),
      ...op.get(MATRIX), ...op.get(INDEX), ...op.get(E), ...op.i32(2), ...op.shl, ...op.add, ...op.i32Load(), ...op.add, ...op.set(AT),
      // s += row · value, lane by lane
      ...QUARTERS.flatMap((q) => [
        ...op.get(S + q), ...op.get(AT), ...op.v128Load(16 * q), ...op.get(V), ...op.f64x2Mul, ...op.f64x2Add, ...op.set(S + q),
      ]),
    ]),
    ...op.get(OUT), ...op.get(K), ...op.i32(6), ...op.shl, ...op.add, ...op.set(AT),
    ...QUARTERS.flatMap((q) => [...op.get(AT), ...op.get(S + q), ...op.v128Store(16 * q)]),
  ]),
];

const LOG = 1; // its index in the module

// softmax(rows, out, classes): for k < rows, the lanes 0 … classes−1 of out[k] replaced by their softmax:
// max = the largest (the first of −∞ and the lanes that exceed it), e_c = exp(s_c − max) summed from 0 in lane
// order, each e_c divided by the sum.
const softmax = (() => {
  const [ROWS, OUT, CLASSES] = [0, 1, 2];
  const [K, C, AT] = [3, 4, 5]; // i32
  const [MAX, SUM, E] = [10, 11, 12]; // f64
  // exp inlined (no call per class): its argument and scratch, i32 (6 … 9) then f64 (13 … 19)
  const expAt = { hx: 6, xsb: 7, k: 8, lx: 9, x: 13, hi: 14, lo: 15, c: 16, t: 17, twopk: 18, y: 19 };
  const lane = [...address(AT, C, 8)];
  return [
    ...op.i32(0), ...op.set(K),
    ...countUp(K, ROWS, [
      ...op.get(OUT), ...op.get(K), ...op.i32(6), ...op.shl, ...op.add, ...op.set(AT),
      ...op.f64(-Infinity), ...op.set(MAX),
      ...op.i32(0), ...op.set(C),
      ...countUp(C, CLASSES, [
        ...lane, ...op.f64Load(), ...op.tee(E), ...op.get(MAX), ...op.get(E), ...op.get(MAX), ...op.f64Gt, ...op.select, ...op.set(MAX),
      ]),
      ...op.f64(0), ...op.set(SUM),
      ...op.i32(0), ...op.set(C),
      ...countUp(C, CLASSES, [
        ...lane, ...lane, ...op.f64Load(), ...op.get(MAX), ...op.f64Sub, ...op.set(expAt.x), ...expBlock(expAt), ...op.tee(E), ...op.f64Store(),
        ...op.get(SUM), ...op.get(E), ...op.f64Add, ...op.set(SUM),
      ]),
      ...op.i32(0), ...op.set(C),
      ...countUp(C, CLASSES, [...lane, ...lane, ...op.f64Load(), ...op.get(SUM), ...op.f64Div, ...op.f64Store()]),
    ]),
  ];
})();

// negativeLogLikelihood(probability, groups, logLikelihood, rowAt, rows) → f64: logLikelihood[g] = log of the f64
// at address probability[g], for g < groups; then 0 − the f64 at address rowAt[i] for each i < rows, in order.
const negativeLogLikelihood = (() => {
  const [PROBABILITY, GROUPS, LOG_LIKELIHOOD, ROW_AT, ROWS] = [0, 1, 2, 3, 4];
  const I = 5; // i32
  const LOSS = 6; // f64
  return [
    ...op.i32(0), ...op.set(I),
    ...countUp(I, GROUPS, [
      ...address(LOG_LIKELIHOOD, I, 8), ...address(PROBABILITY, I, 4), ...op.i32Load(), ...op.f64Load(), ...op.call(LOG), ...op.f64Store(),
    ]),
    ...op.f64(0), ...op.set(LOSS),
    ...op.i32(0), ...op.set(I),
    ...countUp(I, ROWS, [...op.get(LOSS), ...address(ROW_AT, I, 4), ...op.i32Load(), ...op.f64Load(), ...op.f64Sub, ...op.set(LOSS)]),
    ...op.get(LOSS),
  ];
})();

// residuals(rowAt, label, groups, out): for g < groups, out[g] = the 8 lanes at address rowAt[g], less 1 in lane
// label[g] (x − 0 is x to the bit, so the copy of the other lanes is the JavaScript's p − 0).
const residuals = (() => {
  const [ROW_AT, LABEL, GROUPS, OUT] = [0, 1, 2, 3];
  const [G, FROM, TO, AT] = [4, 5, 6, 7]; // i32
  return [
    ...op.i32(0), ...op.set(G),
    ...countUp(G, GROUPS, [
      ...address(ROW_AT, G, 4), ...op.i32Load(), ...op.set(FROM),
      ...op.get(OUT), ...op.get(G), ...op.i32(6), ...op.shl, ...op.add, ...op.set(TO),
      ...QUARTERS.flatMap((q) => [...op.get(TO), ...op.get(FROM), ...op.v128Load(16 * q), ...op.v128Store(16 * q)]),
      ...address(LABEL, G, 4), ...op.i32Load(), ...op.i32(3), ...op.shl, ...op.tee(AT), ...op.get(TO), ...op.add,
      ...op.get(AT), ...op.get(FROM), ...op.add, ...op.f64Load(), ...op.f64(1), ...op.f64Sub, ...op.f64Store(),
    ]),
  ];
})();

// build(start, column, value, rows, group, firstRow, patterns, p, patternStart, patternIndex, patternValue,
// columnStart, entryIndex, entryValue, fill): softmax-loss.ts's arrays for the kernel from the sparse rows
// (start, column, value: CSR), their groups and each pattern's first row, as its JavaScript loops build them:
// - pattern k's entries, those of its first row in order, as (column · 64, value), patternStart[k+1] their end;
// - columnStart: each column's entry count, the intercept's (rows), summed into starts (it starts zeroed);
// - the entries column by column (CSC; the intercept's last, value 1), each column's in row order, as
//   (group · 64, value), placed through `fill` (scratch, p + 1 starts).
// Values are copied as bytes.
const build = (() => {
  const [START, COLUMN, VALUE, ROWS, GROUP, FIRST_ROW, PATTERNS, P, PATTERN_START, PATTERN_INDEX, PATTERN_VALUE, COLUMN_START,
    ENTRY_INDEX, ENTRY_VALUE, FILL] = Array.from({ length: 15 }, (_, i) => i);
  const [K, E, END, AT, I, INDEX, C, SLOT] = Array.from({ length: 8 }, (_, i) => 15 + i); // i32
  /** the entries of row `row`: e … end */
  const rowEntries = (row: Code): Code => [
    ...op.get(START), ...row, ...op.i32(2), ...op.shl, ...op.add, ...op.tee(SLOT), ...op.i32Load(), ...op.set(E),
    ...op.get(SLOT), ...op.i32Load(4), ...op.set(END),
  ];
  /** address of i32 element `index` (code leaving an i32) of `base` */
  const at4 = (base: number, index: Code): Code => [...op.get(base), ...index, ...op.i32(2), ...op.shl, ...op.add];
  return [
    // 1. the patterns' entries
    ...op.i32(0), ...op.set(AT), ...op.i32(0), ...op.set(K),
    ...countUp(K, PATTERNS, [
      ...rowEntries([...address(FIRST_ROW, K, 4), ...op.i32Load()]),
      ...countUp(E, END, [
        ...address(PATTERN_INDEX, AT, 4), ...address(COLUMN, E, 4), ...op.i32Load(), ...op.i32(6), ...op.shl, ...op.i32Store(),
        ...address(PATTERN_VALUE, AT, 8), ...address(VALUE, E, 8), ...op.i64Load(), ...op.i64Store(),
        ...op.get(AT), ...op.i32(1), ...op.add, ...op.set(AT),
      ]),
      ...address(PATTERN_START, K, 4), ...op.get(AT), ...op.i32Store(4),
    ]),
    // 2. the columns' starts: counts (column j's at j + 1), the intercept's, then running sums
    ...op.i32(0), ...op.set(E), ...at4(START, op.get(ROWS)), ...op.i32Load(), ...op.set(END),
    ...countUp(E, END, [
      ...at4(COLUMN_START, [...address(COLUMN, E, 4), ...op.i32Load()]), ...op.tee(SLOT), ...op.get(SLOT), ...op.i32Load(4), ...op.i32(1),
      ...op.add, ...op.i32Store(4),
    ]),
    ...address(COLUMN_START, P, 4), ...op.get(ROWS), ...op.i32Store(4),
    ...op.i32(0), ...op.set(C),
    ...loopWhile([...op.get(C), ...op.get(P), ...op.leS], [
      ...address(COLUMN_START, C, 4), ...op.tee(SLOT), ...op.get(SLOT), ...op.i32Load(4), ...op.get(SLOT), ...op.i32Load(), ...op.add,
      ...op.i32Store(4),
      ...op.get(C), ...op.i32(1), ...op.add, ...op.set(C),
    ]),
    // 3. the entries by column, row by row
    ...op.get(FILL), ...op.get(COLUMN_START), ...op.get(P), ...op.i32(1), ...op.add, ...op.i32(2), ...op.shl, ...op.memoryCopy,
    ...op.i32(0), ...op.set(I),
    ...countUp(I, ROWS, [
      ...address(GROUP, I, 4), ...op.i32Load(), ...op.i32(6), ...op.shl, ...op.set(INDEX),
      ...rowEntries(op.get(I)),
      ...countUp(E, END, [
        ...at4(FILL, [...address(COLUMN, E, 4), ...op.i32Load()]), ...op.tee(SLOT), ...op.i32Load(), ...op.set(AT),
        ...op.get(SLOT), ...op.get(AT), ...op.i32(1), ...op.add, ...op.i32Store(),
        ...address(ENTRY_INDEX, AT, 4), ...op.get(INDEX), ...op.i32Store(),
        ...address(ENTRY_VALUE, AT, 8), ...address(VALUE, E, 8), ...op.i64Load(), ...op.i64Store(),
      ]),
      ...address(FILL, P, 4), ...op.tee(SLOT), ...op.i32Load(), ...op.set(AT),
      ...op.get(SLOT), ...op.get(AT), ...op.i32(1), ...op.add, ...op.i32Store(),
      ...address(ENTRY_INDEX, AT, 4), ...op.get(INDEX), ...op.i32Store(),
      ...address(ENTRY_VALUE, AT, 8), ...op.f64(1), ...op.f64Store(),
    ]),
  ];
})();

let compiled: WebAssembly.Module | undefined;

/** A memory of `bytes` (blocks for the kernel's arrays are taken from it in order) with the kernel bound to it. */
export class Lanes8 extends WasmMemory {
  readonly multiply: (start: number, index: number, value: number, matrix: number, init: number, out: number, rows: number) => void;
  readonly softmax: (rows: number, out: number, classes: number) => void;
  readonly negativeLogLikelihood: (probability: number, groups: number, logLikelihood: number, rowAt: number, rows: number) => number;
  readonly residuals: (rowAt: number, label: number, groups: number, out: number) => void;
  readonly build: (
    start: number, column: number, value: number, rows: number, group: number, firstRow: number, patterns: number, p: number,
    patternStart: number, patternIndex: number, patternValue: number, columnStart: number, entryIndex: number, entryValue: number, fill: number,
  ) => void;

  constructor(bytes: number) {
    compiled ??= new WebAssembly.Module(encodeModule([
      { name: 'multiply', params: i32s(7), i32: 4, v128: 5, body: multiply },
      logFunc,
      { name: 'softmax', params: i32s(3), i32: 3 + 4, f64: 3 + 7, body: softmax },
      { name: 'negativeLogLikelihood', params: i32s(5), result: F64, i32: 1, f64: 1, body: negativeLogLikelihood },
      { name: 'residuals', params: i32s(4), i32: 4, body: residuals },
      { name: 'build', params: i32s(15), i32: 8, body: build },
    ]));
    super(compiled, bytes);
    this.multiply = this.exports.multiply as Lanes8['multiply'];
    this.softmax = this.exports.softmax as Lanes8['softmax'];
    this.negativeLogLikelihood = this.exports.negativeLogLikelihood as Lanes8['negativeLogLikelihood'];
    this.residuals = this.exports.residuals as Lanes8['residuals'];
    this.build = this.exports.build as Lanes8['build'];
  }
}
