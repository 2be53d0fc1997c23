// The CART split search of one node (cart.ts) in WebAssembly (wasm.ts): every feature's rows of the node in
// value order, the class counts left of each candidate updated row by row, the Gini improvement of each candidate
// between two values that leaves at least minBucket rows on each side. The counts and their sums of squares are
// exact integers (i32 here, doubles there, converted exactly for the divisions), and the improvement is the same
// double operations in the same order, so the same splits to the bit. With it, the partition of the node's lists
// into its children's (moves of rows and of the values' bytes only), a node's class counts and which rows go left.
import { address, type Block, encodeModule, exitable, F64, I32, i32s, countUp, op, opMore, WasmMemory } from './wasm.ts';

// scan(parentImpurity, best, from, to, size, minBucket, classes, totalSquares, cols, n, rows, values, labels,
// counts, left, out) → the best feature, or −1 when no candidate improves on `best`; writes the best improvement
// and threshold (f64) at out, out + 8. Feature f's list is rows/values[f·n + from … f·n + to−1]; counts holds the
// node's class counts, left is scratch for `classes` counts.
const scan = (() => {
  const [PARENT, BEST, FROM, TO, SIZE, MIN_BUCKET, CLASSES, TOTAL_SQUARES, COLS, N, ROWS, VALUES, LABELS, COUNTS, LEFT, OUT] =
    Array.from({ length: 16 }, (_, i) => i);
  const [F, K, END, N_LEFT, SQUARES_LEFT, SQUARES_RIGHT, LABEL, AT, BEST_FEATURE, C, LEFT_COUNT] = Array.from({ length: 11 }, (_, i) => 16 + i);
  const [V, PREVIOUS, IMPROVEMENT, BEST_THRESHOLD] = [27, 28, 29, 30]; // f64
  /** count − squares / count, as doubles */
  const term = (count: number[], squares: number[]) => [
    ...count, ...op.f64FromI32, ...squares, ...op.f64FromI32, ...count, ...op.f64FromI32, ...op.f64Div, ...op.f64Sub,
  ];
  const nRight = [...op.get(SIZE), ...op.get(N_LEFT), ...op.sub];
  return [
    ...op.i32(-1), ...op.set(BEST_FEATURE), ...op.f64(0), ...op.set(BEST_THRESHOLD),
    ...op.i32(0), ...op.set(F),
    ...countUp(F, COLS, [
      ...op.i32(0), ...op.set(C),
      ...countUp(C, CLASSES, [...address(LEFT, C, 4), ...op.i32(0), ...op.i32Store()]),
      ...op.i32(0), ...op.set(N_LEFT), ...op.i32(0), ...op.set(SQUARES_LEFT), ...op.get(TOTAL_SQUARES), ...op.set(SQUARES_RIGHT),
      ...op.f64(Number.NaN), ...op.set(PREVIOUS),
      ...op.get(F), ...op.get(N), ...op.mul, ...op.tee(K), ...op.get(TO), ...op.add, ...op.set(END),
      ...op.get(K), ...op.get(FROM), ...op.add, ...op.set(K),
      ...countUp(K, END, [
        ...address(VALUES, K, 8), ...op.f64Load(), ...op.set(V),
        // a candidate: at least minBucket rows each side, between two values
        ...op.get(N_LEFT), ...op.get(MIN_BUCKET), ...op.geS, ...nRight, ...op.get(MIN_BUCKET), ...op.geS, ...op.and,
        ...op.get(V), ...op.get(PREVIOUS), ...op.f64Ne, ...op.and,
        ...op.if(),
        // parentImpurity − (nLeft − squaresLeft / nLeft) − (nRight − squaresRight / nRight)
        ...op.get(PARENT), ...term(op.get(N_LEFT), op.get(SQUARES_LEFT)), ...op.f64Sub,
        ...term(nRight, op.get(SQUARES_RIGHT)), ...op.f64Sub, ...op.tee(IMPROVEMENT),
        ...op.get(BEST), ...op.f64Gt, ...op.if(),
        ...op.get(IMPROVEMENT), ...op.set(BEST), ...op.get(F), ...op.set(BEST_FEATURE),
        ...op.get(PREVIOUS), ...op.get(V), ...op.f64Add, ...op.f64(2), ...op.f64Div, ...op.set(BEST_THRESHOLD),
        ...op.end,
        ...op.end,
        // the row moves left: squaresLeft += 2·left + 1, squaresRight −= 2·(count − left) − 1, left + 1
        ...address(ROWS, K, 4), ...op.i32Load(), ...op.set(LABEL), ...address(LABELS, LABEL, 4), ...op.i32Load(), ...op.set(LABEL),
        ...address(LEFT, LABEL, 4), ...op.tee(AT), ...op.i32Load(), ...op.set(LEFT_COUNT),
        ...op.get(SQUARES_LEFT), ...op.get(LEFT_COUNT), ...op.i32(1), ...op.shl, ...op.add, ...op.i32(1), ...op.add, ...op.set(SQUARES_LEFT),
        ...op.get(SQUARES_RIGHT), ...address(COUNTS, LABEL, 4), ...op.i32Load(), ...op.get(LEFT_COUNT), ...op.sub, ...op.i32(1), ...op.shl,
        ...op.i32(1), ...op.sub, ...op.sub, ...op.set(SQUARES_RIGHT),
        ...op.get(AT), ...op.get(LEFT_COUNT), ...op.i32(1), ...op.add, ...op.i32Store(),
        ...op.get(N_LEFT), ...op.i32(1), ...op.add, ...op.set(N_LEFT),
        ...op.get(V), ...op.set(PREVIOUS),
      ]),
    ]),
    ...op.get(OUT), ...op.get(BEST), ...op.f64Store(0), ...op.get(OUT), ...op.get(BEST_THRESHOLD), ...op.f64Store(8),
    ...op.get(BEST_FEATURE),
  ];
})();

// partition(from, to, cols, n, rows, values, goLeft, spareRows, spareValues): in every feature's list, the entries
// from … to−1 whose row has goLeft[row] = 1 moved to the front, the others after them, each in their order (both
// written, one kept: no branch to mispredict).
const partition = (() => {
  const [FROM, TO, COLS, N, ROWS, VALUES, GO_LEFT, SPARE_ROWS, SPARE_VALUES] = Array.from({ length: 9 }, (_, i) => i);
  const [F, K, END, KEPT, MOVED, ROW, LEFT] = Array.from({ length: 7 }, (_, i) => 9 + i);
  return [
    ...op.i32(0), ...op.set(F),
    ...countUp(F, COLS, [
      ...op.get(F), ...op.get(N), ...op.mul, ...op.tee(END), ...op.get(FROM), ...op.add, ...op.tee(K), ...op.set(KEPT),
      ...op.get(END), ...op.get(TO), ...op.add, ...op.set(END),
      ...op.i32(0), ...op.set(MOVED),
      ...countUp(K, END, [
        ...address(ROWS, K, 4), ...op.i32Load(), ...op.set(ROW),
        ...address(GO_LEFT, ROW, 1), ...op.i32Load8U(), ...op.set(LEFT),
        ...address(ROWS, KEPT, 4), ...op.get(ROW), ...op.i32Store(),
        ...address(VALUES, KEPT, 8), ...address(VALUES, K, 8), ...op.i64Load(), ...op.i64Store(),
        ...address(SPARE_ROWS, MOVED, 4), ...op.get(ROW), ...op.i32Store(),
        ...address(SPARE_VALUES, MOVED, 8), ...address(VALUES, K, 8), ...op.i64Load(), ...op.i64Store(),
        ...op.get(KEPT), ...op.get(LEFT), ...op.add, ...op.set(KEPT),
        ...op.get(MOVED), ...op.i32(1), ...op.get(LEFT), ...op.sub, ...op.add, ...op.set(MOVED),
      ]),
      ...address(ROWS, KEPT, 4), ...op.get(SPARE_ROWS), ...op.get(MOVED), ...op.i32(2), ...op.shl, ...op.memoryCopy,
      ...address(VALUES, KEPT, 8), ...op.get(SPARE_VALUES), ...op.get(MOVED), ...op.i32(3), ...op.shl, ...op.memoryCopy,
    ]),
  ];
})();

// countClasses(from, to, rows, labels, counts, classes): counts[c] = how many of the node's rows (feature 0's list
// entries from … to−1: every list holds the node's rows there) have label c.
const countClasses = (() => {
  const [FROM, TO, ROWS, LABELS, COUNTS, CLASSES] = [0, 1, 2, 3, 4, 5];
  const [K, AT] = [6, 7]; // i32
  return [
    ...op.get(COUNTS), ...op.i32(0), ...op.get(CLASSES), ...op.i32(2), ...op.shl, ...opMore.memoryFill,
    ...op.get(FROM), ...op.set(K),
    ...countUp(K, TO, [
      ...op.get(COUNTS), ...op.get(LABELS), ...address(ROWS, K, 4), ...op.i32Load(), ...op.i32(2), ...op.shl, ...op.add, ...op.i32Load(),
      ...op.i32(2), ...op.shl, ...op.add, ...op.tee(AT), ...op.get(AT), ...op.i32Load(), ...op.i32(1), ...op.add, ...op.i32Store(),
    ]),
  ];
})();

// mark(from, to, feature, threshold, n, rows, values, goLeft) → how many go left: for the node's rows in feature's
// list (entries feature·n + from … feature·n + to−1), goLeft[row] = 1 if its value < threshold, else 0.
const mark = (() => {
  const [FROM, TO, FEATURE, THRESHOLD, N, ROWS, VALUES, GO_LEFT] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [K, END, LEFT, COUNT] = [8, 9, 10, 11]; // i32
  return [
    ...op.get(FEATURE), ...op.get(N), ...op.mul, ...op.tee(END), ...op.get(FROM), ...op.add, ...op.set(K),
    ...op.get(END), ...op.get(TO), ...op.add, ...op.set(END),
    ...op.i32(0), ...op.set(COUNT),
    ...countUp(K, END, [
      ...address(VALUES, K, 8), ...op.f64Load(), ...op.get(THRESHOLD), ...op.f64Lt, ...op.set(LEFT),
      ...op.get(GO_LEFT), ...address(ROWS, K, 4), ...op.i32Load(), ...op.add, ...op.get(LEFT), ...op.i32Store8(),
      ...op.get(COUNT), ...op.get(LEFT), ...op.add, ...op.set(COUNT),
    ]),
    ...op.get(COUNT),
  ];
})();

// gather(x, cols, n, rows, values): values[f·n + k] = x[rows[f·n + k]·cols + f] (the bytes copied), for every
// feature f < cols and k < n: each feature's values in its list's order, from the row-major matrix x.
const gather = (() => {
  const [X, COLS, N, ROWS, VALUES] = [0, 1, 2, 3, 4];
  const [F, K, END] = [5, 6, 7]; // i32
  return [
    ...op.i32(0), ...op.set(F), ...op.i32(0), ...op.set(K),
    ...countUp(F, COLS, [
      ...op.get(K), ...op.get(N), ...op.add, ...op.set(END),
      ...countUp(K, END, [
        ...address(VALUES, K, 8),
        ...op.get(X), ...address(ROWS, K, 4), ...op.i32Load(), ...op.get(COLS), ...op.mul, ...op.get(F), ...op.add, ...op.i32(3), ...op.shl, ...op.add,
        ...op.i64Load(), ...op.i64Store(),
      ]),
    ]),
  ];
})();

let compiled: WebAssembly.Module | undefined;

/** A tree's per-feature sorted lists (cart.ts's NodeRows) and the scan's inputs, in the kernel's memory. */
export class CartKernel extends WasmMemory {
  /** every feature's rows in value order (feature f's at f·n … (f+1)·n−1), partitioned by node, and their values */
  readonly rows: Block<Int32Array>;
  readonly values: Block<Float64Array>;
  /** the training labels, the node's class counts, scratch counts */
  readonly labels: Block<Int32Array>;
  readonly counts: Block<Int32Array>;
  private readonly left: Block<Int32Array>;
  private readonly out: Block<Float64Array>;
  /** per row, 1 when the split being made sends it left; room for the entries moved right */
  readonly goLeft: Block<Uint8Array>;
  private readonly spareRows: Block<Int32Array>;
  private readonly spareValues: Block<Float64Array>;
  /** the training rows (row-major), for gather */
  readonly x: Block<Float64Array>;
  private readonly gatherKernel: (x: number, cols: number, n: number, rows: number, values: number) => void;
  private readonly countKernel: (from: number, to: number, rows: number, labels: number, counts: number, classes: number) => void;
  private readonly markKernel: (
    from: number, to: number, feature: number, threshold: number, n: number, rows: number, values: number, goLeft: number,
  ) => number;
  private readonly partitionKernel: (
    from: number, to: number, cols: number, n: number, rows: number, values: number, goLeft: number, spareRows: number, spareValues: number,
  ) => void;
  private readonly kernel: (
    parentImpurity: number, best: number, from: number, to: number, size: number, minBucket: number, classes: number,
    totalSquares: number, cols: number, n: number, rows: number, values: number, labels: number, counts: number, left: number, out: number,
  ) => number;

  constructor(private readonly n: number, private readonly cols: number, private readonly classes: number) {
    compiled ??= new WebAssembly.Module(encodeModule([
      { name: 'scan', params: [F64, F64, ...i32s(14)], result: I32, i32: 11, f64: 4, body: scan },
      { name: 'partition', params: i32s(9), i32: 7, body: partition },
      { name: 'countClasses', params: i32s(6), i32: 2, body: countClasses },
      { name: 'mark', params: [I32, I32, I32, F64, ...i32s(4)], result: I32, i32: 4, body: mark },
      { name: 'gather', params: i32s(5), i32: 3, body: gather },
    ]));
    const bytes = [n * cols * 4, n * cols * 8, n * 4, classes * 4, classes * 4, 16, n, n * 4, n * 8, n * cols * 8];
    super(compiled, WasmMemory.total(bytes));
    this.rows = this.i32(n * cols);
    this.values = this.f64(n * cols);
    this.labels = this.i32(n);
    this.counts = this.i32(classes);
    this.left = this.i32(classes);
    this.out = this.f64(2);
    this.goLeft = this.u8(n);
    this.spareRows = this.i32(n);
    this.spareValues = this.f64(n);
    this.x = this.f64(n * cols);
    this.kernel = this.exports.scan as CartKernel['kernel'];
    this.gatherKernel = this.exports.gather as CartKernel['gatherKernel'];
    this.partitionKernel = this.exports.partition as CartKernel['partitionKernel'];
    this.countKernel = this.exports.countClasses as CartKernel['countKernel'];
    this.markKernel = this.exports.mark as CartKernel['markKernel'];
  }

  /** Fills values from the training rows in x, in the order of every feature's list in rows (both filled). */
  gather(): void {
    this.gatherKernel(this.x.at, this.cols, this.n, this.rows.at, this.values.at);
  }

  /** The class counts of the node holding list entries from … to−1, into `counts` (cols > 0). */
  countClasses(from: number, to: number): Int32Array {
    this.countKernel(from, to, this.rows.at, this.labels.at, this.counts.at, this.classes);
    return this.counts.view;
  }

  /** goLeft for the node's rows (list entries from … to−1): 1 where feature's value < threshold; how many. */
  mark(from: number, to: number, feature: number, threshold: number): number {
    return this.markKernel(from, to, feature, threshold, this.n, this.rows.at, this.values.at, this.goLeft.at);
  }

  /** Stably moves the entries from … to−1 of every feature's list whose row goLeft marks to the front of the range. */
  partition(from: number, to: number): void {
    this.partitionKernel(from, to, this.cols, this.n, this.rows.at, this.values.at, this.goLeft.at, this.spareRows.at, this.spareValues.at);
  }

  /**
   * The best split of the node holding list entries from … to−1 (its class counts in `counts`): its feature, or −1
   * when none improves on `best`, its improvement and its threshold.
   */
  scan(
    from: number, to: number, minBucket: number, parentImpurity: number, totalSquares: number, best: number,
  ): { feature: number; improvement: number; threshold: number } {
    const feature = this.kernel(
      parentImpurity, best, from, to, to - from, minBucket, this.classes, totalSquares, this.cols, this.n, this.rows.at, this.values.at,
      this.labels.at, this.counts.at, this.left.at, this.out.at,
    );
    return { feature, improvement: this.out.view[0], threshold: this.out.view[1] };
  }
}
