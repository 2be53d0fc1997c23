// The boosted trees' two sweeps over every feature's sorted rows, in WebAssembly (wasm.ts): the partition of a
// node's segments into its children's, and the split search's first pass (the running gradient sums and their
// bounds per block of 8 entries, boosting-split.ts). They are the same operations in the same order as the
// JavaScript loops they replace (integer moves; IEEE double additions, one after the other), so the trees are the
// same to the bit, without a bounds check per read and with one call per node rather than per feature.
import { address, type Block, type Code, countUp, encodeModule, exitable, loopWhile, op, WasmMemory } from './wasm.ts';

/** Entries per block of the split search's first pass: 8 ruled out more candidates than 16 and cost less than 4 (measured). */
export const BLOCK = 8;

// partition(node, l, r, fromRows, rows, spare, goLeft, lo, hi, cols, stride): for every feature f, the entries
// lo[f·stride + node] … hi[…]−1 of fromRows, rows in value order, are written to the same range of rows, those
// with goLeft[row] = 1 first (node l's segment), then the others (node r's), each in their order.
const partition = (() => {
  const [NODE, L, R, FROM_ROWS, ROWS, SPARE, GO_LEFT, LO, HI, COLS, STRIDE] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const [F, BASE, K, FROM, TO, KEPT, MOVED, ROW, LEFT] = [11, 12, 13, 14, 15, 16, 17, 18, 19];
  const segment = (array: number, node: number) => [...op.get(array), ...op.get(BASE), ...op.get(node), ...op.add, ...op.i32(2), ...op.shl, ...op.add];
  return [
    ...op.i32(0), ...op.set(F),
    ...countUp(F, COLS, [
      ...op.get(F), ...op.get(STRIDE), ...op.mul, ...op.set(BASE),
      ...segment(LO, NODE), ...op.i32Load(), ...op.tee(FROM), ...op.tee(K), ...op.set(KEPT),
      ...segment(HI, NODE), ...op.i32Load(), ...op.set(TO),
      ...op.i32(0), ...op.set(MOVED),
      ...countUp(K, TO, [
        ...address(FROM_ROWS, K, 4), ...op.i32Load(), ...op.set(ROW),
        ...address(GO_LEFT, ROW, 1), ...op.i32Load8U(), ...op.set(LEFT),
        // both written, one kept: no branch to mispredict
        ...address(ROWS, KEPT, 4), ...op.get(ROW), ...op.i32Store(),
        ...address(SPARE, MOVED, 4), ...op.get(ROW), ...op.i32Store(),
        ...op.get(KEPT), ...op.get(LEFT), ...op.add, ...op.set(KEPT),
        ...op.get(MOVED), ...op.i32(1), ...op.get(LEFT), ...op.sub, ...op.add, ...op.set(MOVED),
      ]),
      ...address(ROWS, KEPT, 4), ...op.get(SPARE), ...op.get(MOVED), ...op.i32(2), ...op.shl, ...op.memoryCopy,
      ...segment(LO, L), ...op.get(FROM), ...op.i32Store(),
      ...segment(HI, L), ...op.get(KEPT), ...op.i32Store(),
      ...segment(LO, R), ...op.get(KEPT), ...op.i32Store(),
      ...segment(HI, R), ...op.get(TO), ...op.i32Store(),
    ]),
  ];
})();

// blockBounds(node, entries, lo, hi, cols, stride, grad, hess, blockStart, startG, startH, minG, maxG, endH, present):
// for every feature f with entries lo[f·stride + node] … hi[…]−1 (rows in value order), the running sums of
// grad and hess over them, in order, from the first entry; per block of BLOCK candidates after it (numbered on
// from blockStart[f], blockStart[cols] = their total): the sums at its start (startG, startH), bounds on the
// gradient sum within it (minG, maxG: it rises by at most the block's positive gradients and falls by at most its
// negative ones, with a slack far above the rounding of its additions) and the hessian sum at its end (endH);
// and the sums over all the entries in present[2f], present[2f + 1].
const blockBounds = (() => {
  const [NODE, ENTRIES, LO, HI, COLS, STRIDE, GRAD, HESS, BLOCK_START, START_G, START_H, MIN_G, MAX_G, END_H, PRESENT] =
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14];
  const [F, AT, FROM, TO, K0, K1, K, R, BLOCKS] = [15, 16, 17, 18, 19, 20, 21, 22, 23];
  const [ACC_G, ACC_H, S, MASS, G] = [24, 25, 26, 27, 28]; // f64
  const store = (array: number, value: Code) => [...address(array, BLOCKS, 8), ...value, ...op.f64Store()];
  return [
    ...op.i32(0), ...op.set(F), ...op.i32(0), ...op.set(BLOCKS),
    ...countUp(F, COLS, [
      ...address(BLOCK_START, F, 4), ...op.get(BLOCKS), ...op.i32Store(),
      ...op.get(F), ...op.get(STRIDE), ...op.mul, ...op.get(NODE), ...op.add, ...op.i32(2), ...op.shl, ...op.set(AT),
      ...op.get(LO), ...op.get(AT), ...op.add, ...op.i32Load(), ...op.set(FROM),
      ...op.get(HI), ...op.get(AT), ...op.add, ...op.i32Load(), ...op.set(TO),
      ...exitable([
        ...op.get(FROM), ...op.get(TO), ...op.eq, 0x0d, 0, // an empty segment: nothing to sum
        // accG = 0 + grad[first], accH = 0 + hess[first]
        ...address(ENTRIES, FROM, 4), ...op.i32Load(), ...op.set(R),
        ...op.f64(0), ...address(GRAD, R, 8), ...op.f64Load(), ...op.f64Add, ...op.set(ACC_G),
        ...op.f64(0), ...address(HESS, R, 8), ...op.f64Load(), ...op.f64Add, ...op.set(ACC_H),
        ...op.get(FROM), ...op.i32(1), ...op.add, ...op.set(K0),
        ...loopWhile([...op.get(K0), ...op.get(TO), ...op.ltU], [
          // k1 = min(k0 + BLOCK, to)
          ...op.get(K0), ...op.i32(BLOCK), ...op.add, ...op.get(TO),
          ...op.get(K0), ...op.i32(BLOCK), ...op.add, ...op.get(TO), ...op.ltU, ...op.select, ...op.set(K1),
          ...op.get(ACC_G), ...op.set(S),
          ...store(START_G, op.get(ACC_G)), ...store(START_H, op.get(ACC_H)),
          ...op.f64(0), ...op.set(MASS),
          ...op.get(K0), ...op.set(K),
          ...countUp(K, K1, [
            ...address(ENTRIES, K, 4), ...op.i32Load(), ...op.set(R),
            ...address(GRAD, R, 8), ...op.f64Load(), ...op.set(G),
            ...op.get(ACC_G), ...op.get(G), ...op.f64Add, ...op.set(ACC_G),
            ...op.get(ACC_H), ...address(HESS, R, 8), ...op.f64Load(), ...op.f64Add, ...op.set(ACC_H),
            ...op.get(MASS), ...op.get(G), ...op.f64Abs, ...op.f64Add, ...op.set(MASS),
          ]),
          // minG = s − (mass − (accG − s)) / 2 − slack, maxG = s + (mass + (accG − s)) / 2 + slack,
          // slack = 1e-12 · (|s| + mass)
          ...store(MIN_G, [
            ...op.get(S), ...op.get(MASS), ...op.get(ACC_G), ...op.get(S), ...op.f64Sub, ...op.f64Sub, ...op.f64(2), ...op.f64Div, ...op.f64Sub,
            ...op.f64(1e-12), ...op.get(S), ...op.f64Abs, ...op.get(MASS), ...op.f64Add, ...op.f64Mul, ...op.f64Sub,
          ]),
          ...store(MAX_G, [
            ...op.get(S), ...op.get(MASS), ...op.get(ACC_G), ...op.get(S), ...op.f64Sub, ...op.f64Add, ...op.f64(2), ...op.f64Div, ...op.f64Add,
            ...op.f64(1e-12), ...op.get(S), ...op.f64Abs, ...op.get(MASS), ...op.f64Add, ...op.f64Mul, ...op.f64Add,
          ]),
          ...store(END_H, op.get(ACC_H)),
          ...op.get(BLOCKS), ...op.i32(1), ...op.add, ...op.set(BLOCKS),
          ...op.get(K0), ...op.i32(BLOCK), ...op.add, ...op.set(K0),
        ]),
        ...op.get(PRESENT), ...op.get(F), ...op.i32(4), ...op.shl, ...op.add, ...op.get(ACC_G), ...op.f64Store(0),
        ...op.get(PRESENT), ...op.get(F), ...op.i32(4), ...op.shl, ...op.add, ...op.get(ACC_H), ...op.f64Store(8),
      ]),
    ]),
    ...address(BLOCK_START, COLS, 4), ...op.get(BLOCKS), ...op.i32Store(),
  ];
})();

let compiled: WebAssembly.Module | undefined;

/**
 * The memory the two sweeps work in, for trees on a matrix of `rows` × `cols` with `nonZero` non-zero entries and
 * at most `maxNodes` nodes per tree: every feature's non-zero rows in value order (the presorted lists and the
 * working copy partitioned by node), the segments, the rows' routing and gradients, and the first pass's blocks.
 */
export class BoostingKernels extends WasmMemory {
  /** the presorted lists (read by the root), their working copy partitioned by node below it, and spare room */
  readonly sortedRows: Block<Int32Array>;
  readonly rows: Block<Int32Array>;
  private readonly spareRows: Block<Int32Array>;
  /** segment of node n in feature f: lo[f · maxNodes + n] … hi[…]−1 */
  readonly lo: Block<Int32Array>;
  readonly hi: Block<Int32Array>;
  /** per row, 1 when its node sends it left */
  readonly goLeft: Block<Uint8Array>;
  readonly grad: Block<Float64Array>;
  readonly hess: Block<Float64Array>;
  /** the first pass's blocks of one node: feature f's are blockStart[f] … blockStart[f+1]−1 */
  readonly blockStart: Block<Int32Array>;
  readonly startG: Block<Float64Array>;
  readonly startH: Block<Float64Array>;
  readonly minG: Block<Float64Array>;
  readonly maxG: Block<Float64Array>;
  readonly endH: Block<Float64Array>;
  /** per feature, the gradient and hessian sums of the node's non-zero rows */
  readonly present: Block<Float64Array>;
  private readonly partitionKernel: (
    node: number, l: number, r: number, fromRows: number, rows: number, spare: number, goLeft: number, lo: number, hi: number,
    cols: number, stride: number,
  ) => void;
  private readonly blockBoundsKernel: (
    node: number, entries: number, lo: number, hi: number, cols: number, stride: number, grad: number, hess: number,
    blockStart: number, startG: number, startH: number, minG: number, maxG: number, endH: number, present: number,
  ) => void;

  constructor(rows: number, private readonly cols: number, nonZero: number, private readonly maxNodes: number) {
    // A feature's b entries make ⌈(b − 1) / BLOCK⌉ ≤ b / BLOCK + 1 blocks.
    const blocks = Math.ceil(nonZero / BLOCK) + cols;
    const bytes = [
      ...[nonZero, nonZero, nonZero, cols * maxNodes, cols * maxNodes].map((n) => n * 4), rows, rows * 8, rows * 8,
      (cols + 1) * 4, ...Array.from({ length: 5 }, () => blocks * 8), cols * 16,
    ];
    compiled ??= new WebAssembly.Module(encodeModule([
      { name: 'partition', params: 11, i32: 9, body: partition },
      { name: 'blockBounds', params: 15, i32: 9, f64: 5, body: blockBounds },
    ]));
    super(compiled, bytes.reduce((sum, b) => sum + WasmMemory.bytes(b), 0));
    this.sortedRows = this.i32(nonZero);
    this.rows = this.i32(nonZero);
    this.spareRows = this.i32(nonZero);
    this.lo = this.i32(cols * maxNodes);
    this.hi = this.i32(cols * maxNodes);
    this.goLeft = this.u8(rows);
    this.grad = this.f64(rows);
    this.hess = this.f64(rows);
    this.blockStart = this.i32(cols + 1);
    this.startG = this.f64(blocks);
    this.startH = this.f64(blocks);
    this.minG = this.f64(blocks);
    this.maxG = this.f64(blocks);
    this.endH = this.f64(blocks);
    this.present = this.f64(cols * 2);
    this.partitionKernel = this.exports.partition as BoostingKernels['partitionKernel'];
    this.blockBoundsKernel = this.exports.blockBounds as BoostingKernels['blockBoundsKernel'];
  }

  /** Splits every feature's segment of `node`, read from `from` (sortedRows or rows), into l's and r's in rows, by goLeft. */
  partition(node: number, l: number, r: number, from: Block<Int32Array>): void {
    this.partitionKernel(node, l, r, from.at, this.rows.at, this.spareRows.at, this.goLeft.at, this.lo.at, this.hi.at, this.cols, this.maxNodes);
  }

  /** The first pass of the split search of `node`, on the entries of `entries` (sortedRows or rows), into the blocks. */
  firstPass(node: number, entries: Block<Int32Array>): void {
    this.blockBoundsKernel(
      node, entries.at, this.lo.at, this.hi.at, this.cols, this.maxNodes, this.grad.at, this.hess.at, this.blockStart.at,
      this.startG.at, this.startH.at, this.minG.at, this.maxG.at, this.endH.at, this.present.at,
    );
  }
}
