// The boosted trees' softmax gradients in WebAssembly: each round's class probabilities from the margins (with
// fdlibm's exp inlined, Math.exp's bits: fdlibm.ts), then per class the gradients and hessians a tree is grown on.
// The same operations in the same order as the JavaScript loops they replace (f64.max is Math.max), so the same bits.
import { expBlock } from './fdlibm.ts';
import { address, type Block, countUp, encodeModule, i32s, op, WasmMemory } from './wasm.ts';

// probabilities(margin, prob, rows, classes): per row i, over its classes c (at i·classes + c):
// max = Math.max(…Math.max(−∞, m_0)…, m_last), e_c = exp(m_c − max) summed from 0 in class order, p_c = e_c / sum.
const probabilities = (() => {
  const [MARGIN, PROB, ROWS, CLASSES] = [0, 1, 2, 3];
  const [I, C, M_AT, P_AT] = [4, 5, 6, 7]; // i32, then exp's (8 … 11)
  const [MAX, SUM, E] = [12, 13, 14]; // f64, then exp's (15 … 21)
  const expAt = { hx: 8, xsb: 9, k: 10, lx: 11, x: 15, hi: 16, lo: 17, c: 18, t: 19, twopk: 20, y: 21 };
  return [
    ...op.i32(0), ...op.set(I),
    ...countUp(I, ROWS, [
      ...op.get(I), ...op.get(CLASSES), ...op.mul, ...op.i32(3), ...op.shl, ...op.tee(P_AT), ...op.get(MARGIN), ...op.add, ...op.set(M_AT),
      ...op.get(P_AT), ...op.get(PROB), ...op.add, ...op.set(P_AT),
      ...op.f64(-Infinity), ...op.set(MAX),
      ...op.i32(0), ...op.set(C),
      ...countUp(C, CLASSES, [...op.get(MAX), ...address(M_AT, C, 8), ...op.f64Load(), ...op.f64Max, ...op.set(MAX)]),
      ...op.f64(0), ...op.set(SUM),
      ...op.i32(0), ...op.set(C),
      ...countUp(C, CLASSES, [
        ...address(M_AT, C, 8), ...op.f64Load(), ...op.get(MAX), ...op.f64Sub, ...op.set(expAt.x),
        ...address(P_AT, C, 8), ...expBlock(expAt), ...op.tee(E), ...op.f64Store(),
        ...op.get(SUM), ...op.get(E), ...op.f64Add, ...op.set(SUM),
      ]),
      ...op.i32(0), ...op.set(C),
      ...countUp(C, CLASSES, [...address(P_AT, C, 8), ...address(P_AT, C, 8), ...op.f64Load(), ...op.get(SUM), ...op.f64Div, ...op.f64Store()]),
    ]),
  ];
})();

// gradients(prob, labels, rows, classes, c, grad, hess): per row i, with p = prob[i·classes + c],
// grad[i] = p − (labels[i] = c ? 1 : 0), hess[i] = Math.max(2·p·(1 − p), 1e-16).
const gradients = (() => {
  const [PROB, LABELS, ROWS, CLASSES, CLASS, GRAD, HESS] = [0, 1, 2, 3, 4, 5, 6];
  const I = 7; // i32
  const P = 8; // f64
  return [
    ...op.i32(0), ...op.set(I),
    ...countUp(I, ROWS, [
      ...op.get(PROB), ...op.get(I), ...op.get(CLASSES), ...op.mul, ...op.get(CLASS), ...op.add, ...op.i32(3), ...op.shl, ...op.add,
      ...op.f64Load(), ...op.set(P),
      ...address(GRAD, I, 8),
      ...op.get(P), ...op.f64(1), ...op.f64(0), ...address(LABELS, I, 4), ...op.i32Load(), ...op.get(CLASS), ...op.eq, ...op.select, ...op.f64Sub,
      ...op.f64Store(),
      ...address(HESS, I, 8),
      ...op.f64(2), ...op.get(P), ...op.f64Mul, ...op.f64(1), ...op.get(P), ...op.f64Sub, ...op.f64Mul, ...op.f64(1e-16), ...op.f64Max,
      ...op.f64Store(),
    ]),
  ];
})();

// addLeaves(margin, rows, classes, c, leaf, value): margin[i·classes + c] += value[leaf[i]] for every row i, as
// fitBoosting's JavaScript loop added them (one IEEE addition per margin).
const addLeaves = (() => {
  const [MARGIN, ROWS, CLASSES, CLASS, LEAF, VALUE] = [0, 1, 2, 3, 4, 5];
  const [I, AT] = [6, 7]; // i32
  return [
    ...op.i32(0), ...op.set(I),
    ...countUp(I, ROWS, [
      ...op.get(MARGIN), ...op.get(I), ...op.get(CLASSES), ...op.mul, ...op.get(CLASS), ...op.add, ...op.i32(3), ...op.shl, ...op.add,
      ...op.tee(AT), ...op.get(AT), ...op.f64Load(),
      ...op.get(VALUE), ...address(LEAF, I, 4), ...op.i32Load(), ...op.i32(3), ...op.shl, ...op.add, ...op.f64Load(),
      ...op.f64Add, ...op.f64Store(),
    ]),
  ];
})();

let compiled: WebAssembly.Module | undefined;

/** The margins, probabilities, labels, gradients and hessians of `rows` training rows and `classes` classes. */
export class BoostingSoftmax extends WasmMemory {
  /** per row, its classes' margins and probabilities (row-major) */
  readonly margin: Block<Float64Array>;
  private readonly prob: Block<Float64Array>;
  private readonly labels: Block<Int32Array>;
  /** one class's gradients and hessians, by row */
  readonly grad: Block<Float64Array>;
  readonly hess: Block<Float64Array>;
  /** a tree's leaf of every row and value of every node, for addLeaves */
  private readonly leaf: Block<Int32Array>;
  private readonly leafValue: Block<Float64Array>;
  private readonly addLeavesKernel: (margin: number, rows: number, classes: number, c: number, leaf: number, value: number) => void;
  private readonly probabilitiesKernel: (margin: number, prob: number, rows: number, classes: number) => void;
  private readonly gradientsKernel: (prob: number, labels: number, rows: number, classes: number, c: number, grad: number, hess: number) => void;

  constructor(private readonly rows: number, private readonly classes: number, labels: ArrayLike<number>, leaves: number) {
    compiled ??= new WebAssembly.Module(encodeModule([
      { name: 'probabilities', params: i32s(4), i32: 4 + 4, f64: 3 + 7, body: probabilities },
      { name: 'gradients', params: i32s(7), i32: 1, f64: 1, body: gradients },
      { name: 'addLeaves', params: i32s(6), i32: 2, body: addLeaves },
    ]));
    super(compiled, WasmMemory.total([rows * classes * 8, rows * classes * 8, rows * 4, rows * 8, rows * 8, rows * 4, leaves * 8]));
    this.margin = this.f64(rows * classes);
    this.prob = this.f64(rows * classes);
    this.labels = this.i32(rows);
    this.grad = this.f64(rows);
    this.hess = this.f64(rows);
    this.leaf = this.i32(rows);
    this.leafValue = this.f64(leaves);
    this.labels.view.set(labels);
    this.probabilitiesKernel = this.exports.probabilities as BoostingSoftmax['probabilitiesKernel'];
    this.gradientsKernel = this.exports.gradients as BoostingSoftmax['gradientsKernel'];
    this.addLeavesKernel = this.exports.addLeaves as BoostingSoftmax['addLeavesKernel'];
  }

  /** Class c's margins take a tree's leaves: row i's leaf is leaf[i], leaf n's value is value[n] (see addLeaves). */
  addLeaves(c: number, leaf: Int32Array, value: readonly number[]): void {
    this.leaf.view.set(leaf);
    this.leafValue.view.set(value);
    this.addLeavesKernel(this.margin.at, this.rows, this.classes, c, this.leaf.at, this.leafValue.at);
  }

  /** Every row's class probabilities from its margins. */
  probabilities(): void {
    this.probabilitiesKernel(this.margin.at, this.prob.at, this.rows, this.classes);
  }

  /** Class c's gradients and hessians, in grad and hess. */
  gradients(c: number): void {
    this.gradientsKernel(this.prob.at, this.labels.at, this.rows, this.classes, c, this.grad.at, this.hess.at);
  }
}
