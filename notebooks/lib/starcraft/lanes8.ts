// Sparse rows times an 8-column dense matrix, in WebAssembly SIMD: the softmax regression's hot loops (its
// class scores and its gradient's column sums are both of this shape, with 8 class lanes). Each output lane is
// the same sum as the JavaScript loop `s = init; for each entry: s += matrix[index][lane] * value`, the same
// roundings in the same order (two lanes per f64x2 operation), but with no bounds check per read: about 4–5
// times faster than the JavaScript loop on this machine.
import { countUp, encodeModule, i32s, op, WasmMemory } from './wasm.ts';

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

let compiled: WebAssembly.Module | undefined;

/** A memory of `bytes` (blocks for the kernel's arrays are taken from it in order) with the kernel bound to it. */
export class Lanes8 extends WasmMemory {
  readonly multiply: (start: number, index: number, value: number, matrix: number, init: number, out: number, rows: number) => void;

  constructor(bytes: number) {
    compiled ??= new WebAssembly.Module(encodeModule([{ name: 'multiply', params: i32s(7), i32: 4, v128: 5, body: multiply }]));
    super(compiled, bytes);
    this.multiply = this.exports.multiply as Lanes8['multiply'];
  }
}
