// The exact 1-NN search of knn-exact.ts in WebAssembly (wasm.ts): the same rows visited in the same order, the
// same exact integer sums (added four columns at a time with f64x2: exact integers, so the same numbers in any
// order) and the same bound, without a bounds check per read.
import { address, type Block, type Code, encodeModule, exitable, F64, I32, i32s, loopWhile, op, WasmMemory } from './wasm.ts';

/** A margin far above the rounding of the norms: a row is skipped only when surely beyond the bound. */
const SLACK = 1e-9;

// nearest(norm, epsFactor, n, width, norms, packed, packedExtra, testRow, found, distances, result) → kept:
// from the first distinct row whose norm is at least the test row's (`norm`), the rows alternately below and
// above, nearest norm first, until neither side's next norm gap, squared, can be within the bound. A visited
// row's squared distance (its extra term plus the test row's differences over the packed columns) is dropped as
// soon as it passes the bound; else it is kept (found[kept] = k, distances[k] = d) and the bound becomes
// d · epsFactor if that is smaller. Writes the final bound at result.
const nearest = (() => {
  const [NORM, EPS_FACTOR, N, WIDTH, NORMS, PACKED, PACKED_EXTRA, TEST_ROW, FOUND, DISTANCES, RESULT] = Array.from({ length: 11 }, (_, i) => i);
  const [LO, HI, MID, DOWN, UP, K, KEPT, C, ROW] = Array.from({ length: 9 }, (_, i) => 11 + i);
  const [BOUND, GAP, D, DIFF, EXTRA] = [20, 21, 22, 23, 24]; // f64
  const [SUMS, V] = [25, 26]; // v128: the squared differences' sums of even and odd columns, a difference
  const norm = (index: number) => [...address(NORMS, index, 8), ...op.f64Load()];
  /** if gap² · (1 − SLACK) > bound, set `side` to `done` */
  const closeSide = (side: number, gap: Code, done: Code) => [
    ...gap, ...op.tee(GAP), ...op.get(GAP), ...op.f64Mul, ...op.f64(1 - SLACK), ...op.f64Mul, ...op.get(BOUND), ...op.f64Gt,
    ...op.if(), ...done, ...op.set(side), ...op.end,
  ];
  return [
    // lo = first index with norms[lo] ≥ norm
    ...op.i32(0), ...op.set(LO), ...op.get(N), ...op.set(HI),
    ...loopWhile([...op.get(LO), ...op.get(HI), ...op.ltS], [
      ...op.get(LO), ...op.get(HI), ...op.add, ...op.i32(1), ...op.shrU, ...op.set(MID),
      ...norm(MID), ...op.get(NORM), ...op.f64Lt,
      ...op.if(), ...op.get(MID), ...op.i32(1), ...op.add, ...op.set(LO), ...op.else, ...op.get(MID), ...op.set(HI), ...op.end,
    ]),
    ...op.get(LO), ...op.i32(1), ...op.sub, ...op.set(DOWN), ...op.get(LO), ...op.set(UP),
    ...op.f64(Infinity), ...op.set(BOUND), ...op.i32(0), ...op.set(KEPT),
    ...exitable([
      ...op.loop, // one row per turn
      ...op.get(DOWN), ...op.i32(0), ...op.geS, ...op.if(),
      ...closeSide(DOWN, [...op.get(NORM), ...norm(DOWN), ...op.f64Sub], op.i32(-1)),
      ...op.end,
      ...op.get(UP), ...op.get(N), ...op.ltS, ...op.if(),
      ...closeSide(UP, [...norm(UP), ...op.get(NORM), ...op.f64Sub], op.get(N)),
      ...op.end,
      // down first when its gap is not larger (or up is done), else up, else the search is over
      ...op.get(DOWN), ...op.i32(0), ...op.geS, ...op.if(I32),
      ...op.get(UP), ...op.get(N), ...op.geS, ...op.if(I32), ...op.i32(1), ...op.else,
      ...op.get(NORM), ...norm(DOWN), ...op.f64Sub, ...norm(UP), ...op.get(NORM), ...op.f64Sub, ...op.f64Le,
      ...op.end,
      ...op.else, ...op.i32(0), ...op.end,
      ...op.if(),
      ...op.get(DOWN), ...op.set(K), ...op.get(DOWN), ...op.i32(1), ...op.sub, ...op.set(DOWN),
      ...op.else,
      ...op.get(UP), ...op.get(N), ...op.geS, ...op.brIf(2), // out of the search (past the if and the loop)
      ...op.get(UP), ...op.set(K), ...op.get(UP), ...op.i32(1), ...op.add, ...op.set(UP),
      ...op.end,
      // d = extra + Σ (test − row)², while d ≤ bound: four columns at a time (two per f64x2 lane pair, the sums
      // exact integers, so the same whatever the order), then one at a time
      ...address(PACKED_EXTRA, K, 8), ...op.f64Load(), ...op.tee(EXTRA), ...op.set(D),
      ...op.get(PACKED), ...op.get(K), ...op.get(WIDTH), ...op.mul, ...op.i32(3), ...op.shl, ...op.add, ...op.set(ROW),
      ...op.i32(0), ...op.set(C),
      ...op.f64(0), ...op.f64x2Splat, ...op.set(SUMS),
      ...loopWhile([...op.get(C), ...op.i32(4), ...op.add, ...op.get(WIDTH), ...op.leS, ...op.get(D), ...op.get(BOUND), ...op.f64Le, ...op.and], [
        ...[0, 16].flatMap((offset) => [
          ...address(TEST_ROW, C, 8), ...op.v128Load(offset), ...address(ROW, C, 8), ...op.v128Load(offset), ...op.f64x2Sub, ...op.set(V),
          ...op.get(SUMS), ...op.get(V), ...op.get(V), ...op.f64x2Mul, ...op.f64x2Add, ...op.set(SUMS),
        ]),
        ...op.get(EXTRA), ...op.get(SUMS), ...op.f64x2ExtractLane(0), ...op.f64Add, ...op.get(SUMS), ...op.f64x2ExtractLane(1), ...op.f64Add,
        ...op.set(D),
        ...op.get(C), ...op.i32(4), ...op.add, ...op.set(C),
      ]),
      ...loopWhile([...op.get(C), ...op.get(WIDTH), ...op.ltS, ...op.get(D), ...op.get(BOUND), ...op.f64Le, ...op.and], [
        ...address(TEST_ROW, C, 8), ...op.f64Load(), ...address(ROW, C, 8), ...op.f64Load(), ...op.f64Sub, ...op.set(DIFF),
        ...op.get(D), ...op.get(DIFF), ...op.get(DIFF), ...op.f64Mul, ...op.f64Add, ...op.set(D),
        ...op.get(C), ...op.i32(1), ...op.add, ...op.set(C),
      ]),
      ...op.get(D), ...op.get(BOUND), ...op.f64Gt, ...op.brIf0, // beyond the bound: next row
      ...address(DISTANCES, K, 8), ...op.get(D), ...op.f64Store(),
      ...address(FOUND, KEPT, 4), ...op.get(K), ...op.i32Store(),
      ...op.get(KEPT), ...op.i32(1), ...op.add, ...op.set(KEPT),
      ...op.get(D), ...op.get(EPS_FACTOR), ...op.f64Mul, ...op.get(BOUND), ...op.f64Lt,
      ...op.if(), ...op.get(D), ...op.get(EPS_FACTOR), ...op.f64Mul, ...op.set(BOUND), ...op.end,
      ...op.br(0), // to the loop's start: next row
      ...op.end, // loop
    ]),
    ...op.get(RESULT), ...op.get(BOUND), ...op.f64Store(),
    ...op.get(KEPT),
  ];
})();

let compiled: WebAssembly.Module | undefined;

/** The distinct training rows, packed for the search, and its scratch, in the kernel's memory. */
export class NearestKernel extends WasmMemory {
  /** the distinct rows' norms, ascending */
  readonly norms: Block<Float64Array>;
  /** distinct row k's values of the searched columns at k · width, and its extra squared term */
  readonly packed: Block<Float64Array>;
  readonly packedExtra: Block<Float64Array>;
  /** the test row's values of the searched columns */
  readonly testRow: Block<Float64Array>;
  /** the search's kept rows (positions in the norm order) and their distances (by position) */
  readonly found: Block<Int32Array>;
  readonly distances: Block<Float64Array>;
  private readonly result: Block<Float64Array>;
  private readonly kernel: (
    norm: number, epsFactor: number, n: number, width: number, norms: number, packed: number, packedExtra: number, testRow: number,
    found: number, distances: number, result: number,
  ) => number;

  constructor(private readonly n: number, private readonly width: number) {
    compiled ??= new WebAssembly.Module(encodeModule([
      { name: 'nearest', params: [F64, F64, ...i32s(9)], result: I32, i32: 9, f64: 5, v128: 2, body: nearest },
    ]));
    const bytes = [n * 8, n * width * 8, n * 8, width * 8, n * 4, n * 8, 8];
    super(compiled, bytes.reduce((sum, b) => sum + WasmMemory.bytes(b), 0));
    this.norms = this.f64(n);
    this.packed = this.f64(n * width);
    this.packedExtra = this.f64(n);
    this.testRow = this.f64(width);
    this.found = this.i32(n);
    this.distances = this.f64(n);
    this.result = this.f64(1);
    this.kernel = this.exports.nearest as NearestKernel['kernel'];
  }

  /** The search for the test row in testRow, of norm `norm`: how many rows it kept, and the final bound. */
  search(norm: number, eps: number): { kept: number; bound: number } {
    const kept = this.kernel(
      norm, 1 + eps, this.n, this.width, this.norms.at, this.packed.at, this.packedExtra.at, this.testRow.at, this.found.at,
      this.distances.at, this.result.at,
    );
    return { kept, bound: this.result.view[0] };
  }
}
