// The exact 1-NN search of knn-exact.ts in WebAssembly (wasm.ts): the same rows visited in the same order, the
// same exact integer sums (added four columns at a time with f64x2: exact integers, so the same numbers in any
// order) and the same bound, without a bounds check per read. With it, the training side's passes over every
// value (the exactness check and the column statistics, the rows' hashes, their squared norms, the packing) and
// the test row's norm and packing: the same operations in the same order as the JavaScript loops they replace,
// and no JavaScript loop over every value that V8 would first run unoptimised on each of the 49 frames.
import { address, type Block, type Code, countUp, encodeModule, exitable, F64, I32, i32s, loopWhile, op, opMore, WasmMemory } from './wasm.ts';

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

// columnStats(values, rows, cols, sum, squares, min, max, largestAt) → 1, or 0 at the first value that is not an
// integer (v ≠ trunc(v): NaN included; ±∞ passes, and fails the caller's range check with the largest magnitude).
// Row by row, each column's sum += v, squares += v·v, min (max) replaced by a smaller (larger) v; the largest |v|
// (from and back to the f64 at largestAt) replaced by a larger one.
const columnStats = (() => {
  const [VALUES, ROWS, COLS, SUM, SQUARES, MIN, MAX, LARGEST_AT] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [I, F, AT, OFFSET] = [8, 9, 10, 11]; // i32: row, column, the value's address, the column's offset
  const [V, LARGEST, A] = [12, 13, 14]; // f64
  /** array[f] = v when v `compare` array[f] */
  const replaceIf = (array: number, compare: Code): Code => [
    ...op.get(V), ...op.get(array), ...op.get(OFFSET), ...op.add, ...op.f64Load(), ...compare, ...op.if(),
    ...op.get(array), ...op.get(OFFSET), ...op.add, ...op.get(V), ...op.f64Store(), ...op.end,
  ];
  /** array[f] += term */
  const addTo = (array: number, term: Code): Code => [
    ...op.get(array), ...op.get(OFFSET), ...op.add, ...op.get(array), ...op.get(OFFSET), ...op.add, ...op.f64Load(), ...term, ...op.f64Add,
    ...op.f64Store(),
  ];
  return [
    ...op.get(LARGEST_AT), ...op.f64Load(), ...op.set(LARGEST),
    ...op.get(VALUES), ...op.set(AT),
    ...op.i32(0), ...op.set(I),
    ...countUp(I, ROWS, [
      ...op.i32(0), ...op.set(F),
      ...countUp(F, COLS, [
        ...op.get(AT), ...op.f64Load(), ...op.tee(V), ...op.get(V), ...opMore.f64Trunc, ...op.f64Ne, ...op.if(), ...op.i32(0), ...op.return, ...op.end,
        ...op.get(V), ...op.f64Abs, ...op.tee(A), ...op.get(LARGEST), ...op.f64Gt, ...op.if(), ...op.get(A), ...op.set(LARGEST), ...op.end,
        ...op.get(F), ...op.i32(3), ...op.shl, ...op.set(OFFSET),
        ...addTo(SUM, op.get(V)),
        ...addTo(SQUARES, [...op.get(V), ...op.get(V), ...op.f64Mul]),
        ...replaceIf(MIN, op.f64Lt),
        ...replaceIf(MAX, op.f64Gt),
        ...op.get(AT), ...op.i32(8), ...op.add, ...op.set(AT),
      ]),
    ]),
    ...op.get(LARGEST_AT), ...op.get(LARGEST), ...op.f64Store(),
    ...op.i32(1),
  ];
})();

// rowHashes(values, rows, cols, extras, out): out[j] = h, from h = extras[j] | 0, then for each column
// h = imul(h ^ (v | 0), 0x9e3779b1) ^ (h >>> 15). The values are checked integers below 2^53, so x | 0 (modulo
// 2^32) is the low word of x truncated to an i64.
const rowHashes = (() => {
  const [VALUES, ROWS, COLS, EXTRAS, OUT] = [0, 1, 2, 3, 4];
  const [J, F, AT, H] = [5, 6, 7, 8]; // i32
  return [
    ...op.get(VALUES), ...op.set(AT),
    ...op.i32(0), ...op.set(J),
    ...countUp(J, ROWS, [
      ...address(EXTRAS, J, 8), ...op.f64Load(), ...opMore.i64FromF64, ...op.i32FromI64, ...op.set(H),
      ...op.i32(0), ...op.set(F),
      ...countUp(F, COLS, [
        ...op.get(H), ...op.get(AT), ...op.f64Load(), ...opMore.i64FromF64, ...op.i32FromI64, ...op.xor, ...op.i32(0x9e3779b1 | 0), ...op.mul,
        ...op.get(H), ...op.i32(15), ...op.shrU, ...op.xor, ...op.set(H),
        ...op.get(AT), ...op.i32(8), ...op.add, ...op.set(AT),
      ]),
      ...address(OUT, J, 4), ...op.get(H), ...op.i32Store(),
    ]),
  ];
})();

// groupRows(values, rows, cols, extras, hashes, table, mask, groupOf, firsts) → groups: the distinct training rows
// (the same extra term and the same values, compared in full), numbered by first appearance: groupOf[j] is row j's,
// firsts[g] the first row of group g. An open-addressing table of mask + 1 slots (a power of two, more than the
// rows; filled with −1 here) holds the groups by hash, probed linearly.
const groupRows = (() => {
  const [VALUES, ROWS, COLS, EXTRAS, HASHES, TABLE, MASK, GROUP_OF, FIRSTS] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [J, SLOT, G, FIRST, GROUPS, A, B, C, EQUAL] = [9, 10, 11, 12, 13, 14, 15, 16, 17]; // i32
  /** row `row`'s values' address */
  const rowAt = (row: number): Code => [...op.get(VALUES), ...op.get(row), ...op.get(COLS), ...op.mul, ...op.i32(3), ...op.shl, ...op.add];
  return [
    ...op.i32(0), ...op.set(SLOT),
    ...loopWhile([...op.get(SLOT), ...op.get(MASK), ...op.leS], [
      ...address(TABLE, SLOT, 4), ...op.i32(-1), ...op.i32Store(), ...op.get(SLOT), ...op.i32(1), ...op.add, ...op.set(SLOT),
    ]),
    ...op.i32(0), ...op.set(GROUPS), ...op.i32(0), ...op.set(J),
    ...countUp(J, ROWS, [
      ...address(HASHES, J, 4), ...op.i32Load(), ...op.get(MASK), ...op.and, ...op.set(SLOT),
      ...op.block(), ...op.loop, // probe until row j's group or an empty slot
      ...address(TABLE, SLOT, 4), ...op.i32Load(), ...op.tee(G), ...op.i32(-1), ...op.eq, ...op.if(),
      // a new group
      ...address(TABLE, SLOT, 4), ...op.get(GROUPS), ...op.i32Store(),
      ...address(FIRSTS, GROUPS, 4), ...op.get(J), ...op.i32Store(),
      ...address(GROUP_OF, J, 4), ...op.get(GROUPS), ...op.i32Store(),
      ...op.get(GROUPS), ...op.i32(1), ...op.add, ...op.set(GROUPS),
      ...op.br(2), // out of the probe
      ...op.end,
      // the same row as group g's first?
      ...address(FIRSTS, G, 4), ...op.i32Load(), ...op.set(FIRST),
      ...address(EXTRAS, FIRST, 8), ...op.f64Load(), ...address(EXTRAS, J, 8), ...op.f64Load(), ...op.f64Eq, ...op.set(EQUAL),
      ...rowAt(FIRST), ...op.set(A), ...rowAt(J), ...op.set(B), ...op.i32(0), ...op.set(C),
      ...loopWhile([...op.get(EQUAL), ...op.get(C), ...op.get(COLS), ...op.ltU, ...op.and], [
        ...op.get(A), ...op.f64Load(), ...op.get(B), ...op.f64Load(), ...op.f64Eq, ...op.set(EQUAL),
        ...op.get(A), ...op.i32(8), ...op.add, ...op.set(A), ...op.get(B), ...op.i32(8), ...op.add, ...op.set(B),
        ...op.get(C), ...op.i32(1), ...op.add, ...op.set(C),
      ]),
      ...op.get(EQUAL), ...op.if(), ...address(GROUP_OF, J, 4), ...op.get(G), ...op.i32Store(), ...op.br(2), ...op.end,
      ...op.get(SLOT), ...op.i32(1), ...op.add, ...op.get(MASK), ...op.and, ...op.set(SLOT),
      ...op.br(0),
      ...op.end, ...op.end,
    ]),
    ...op.get(GROUPS),
  ];
})();

// squaredNorms(values, cols, list, count, extras, out): for g < count, with j = list[g]:
// out[g] = extras[j] + Σ over the columns, in order, of v·v.
const squaredNorms = (() => {
  const [VALUES, COLS, LIST, COUNT, EXTRAS, OUT] = [0, 1, 2, 3, 4, 5];
  const [G, J, F, AT] = [6, 7, 8, 9]; // i32
  const [S, V] = [10, 11]; // f64
  return [
    ...op.i32(0), ...op.set(G),
    ...countUp(G, COUNT, [
      ...address(LIST, G, 4), ...op.i32Load(), ...op.set(J),
      ...address(EXTRAS, J, 8), ...op.f64Load(), ...op.set(S),
      ...op.get(VALUES), ...op.get(J), ...op.get(COLS), ...op.mul, ...op.i32(3), ...op.shl, ...op.add, ...op.set(AT),
      ...op.i32(0), ...op.set(F),
      ...countUp(F, COLS, [
        ...op.get(S), ...op.get(AT), ...op.f64Load(), ...op.tee(V), ...op.get(V), ...op.f64Mul, ...op.f64Add, ...op.set(S),
        ...op.get(AT), ...op.i32(8), ...op.add, ...op.set(AT),
      ]),
      ...address(OUT, G, 8), ...op.get(S), ...op.f64Store(),
    ]),
  ];
})();

// pack(values, cols, list, count, columns, width, packed): packed[k·width + c] = values[list[k]·cols + columns[c]].
const pack = (() => {
  const [VALUES, COLS, LIST, COUNT, COLUMNS, WIDTH, PACKED] = [0, 1, 2, 3, 4, 5, 6];
  const [K, C, ROW, TO] = [7, 8, 9, 10]; // i32
  return [
    ...op.get(PACKED), ...op.set(TO),
    ...op.i32(0), ...op.set(K),
    ...countUp(K, COUNT, [
      ...op.get(VALUES), ...address(LIST, K, 4), ...op.i32Load(), ...op.get(COLS), ...op.mul, ...op.i32(3), ...op.shl, ...op.add, ...op.set(ROW),
      ...op.i32(0), ...op.set(C),
      ...countUp(C, WIDTH, [
        ...op.get(TO), ...op.get(ROW), ...address(COLUMNS, C, 4), ...op.i32Load(), ...op.i32(3), ...op.shl, ...op.add, ...op.i64Load(), ...op.i64Store(),
        ...op.get(TO), ...op.i32(8), ...op.add, ...op.set(TO),
      ]),
    ]),
  ];
})();

const NEAREST = 0; // its index in the module

// searchTest(testRow, cols, columns, width, epsFactor, n, norms, packed, packedExtra, packedTest, found, distances,
// result) → kept: the test row at address testRow (cols values): own = Σ over its columns, in order from 0, of v·v;
// packedTest[c] = its value of columns[c]; then nearest(√own, …).
const searchTest = (() => {
  const [TEST_ROW, COLS, COLUMNS, WIDTH, EPS_FACTOR, N, NORMS, PACKED, PACKED_EXTRA, PACKED_TEST, FOUND, DISTANCES, RESULT] =
    Array.from({ length: 13 }, (_, i) => i);
  const [F, C] = [13, 14]; // i32
  const [OWN, V] = [15, 16]; // f64
  return [
    ...op.f64(0), ...op.set(OWN),
    ...op.i32(0), ...op.set(F),
    ...countUp(F, COLS, [...op.get(OWN), ...address(TEST_ROW, F, 8), ...op.f64Load(), ...op.tee(V), ...op.get(V), ...op.f64Mul, ...op.f64Add, ...op.set(OWN)]),
    ...op.i32(0), ...op.set(C),
    ...countUp(C, WIDTH, [
      ...address(PACKED_TEST, C, 8), ...op.get(TEST_ROW), ...address(COLUMNS, C, 4), ...op.i32Load(), ...op.i32(3), ...op.shl, ...op.add,
      ...op.i64Load(), ...op.i64Store(),
    ]),
    ...op.get(OWN), ...opMore.f64Sqrt, ...op.get(EPS_FACTOR), ...op.get(N), ...op.get(WIDTH), ...op.get(NORMS), ...op.get(PACKED),
    ...op.get(PACKED_EXTRA), ...op.get(PACKED_TEST), ...op.get(FOUND), ...op.get(DISTANCES), ...op.get(RESULT), ...op.call(NEAREST),
  ];
})();

// collect(kept, found, distances, bound, copyStart, copies, out, mark, rows) → count: the copies of every kept row
// k = found[m] (m < kept) within the bound (distances[k] ≤ bound), into out, ascending: sorted by insertion when
// at most 64, else marked in `mark` (one byte per training row, all 0, left so) and listed in row order. The rows
// are distinct, so this is the list knn-exact.ts's sort gave.
const collect = (() => {
  const [KEPT, FOUND, DISTANCES, BOUND, COPY_START, COPIES, OUT, MARK, ROWS] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [M, K, C, END, COUNT, I, J, V, W] = [9, 10, 11, 12, 13, 14, 15, 16, 17]; // i32
  /** the address of out[j − 1] */
  const before = [...op.get(OUT), ...op.get(J), ...op.i32(2), ...op.shl, ...op.add, ...op.i32(4), ...op.sub];
  return [
    ...op.i32(0), ...op.set(COUNT), ...op.i32(0), ...op.set(M),
    ...countUp(M, KEPT, [
      ...address(FOUND, M, 4), ...op.i32Load(), ...op.set(K),
      ...address(DISTANCES, K, 8), ...op.f64Load(), ...op.get(BOUND), ...op.f64Le, ...op.if(),
      ...address(COPY_START, K, 4), ...op.tee(C), ...op.i32Load(4), ...op.set(END), ...op.get(C), ...op.i32Load(), ...op.set(C),
      ...countUp(C, END, [
        ...address(OUT, COUNT, 4), ...address(COPIES, C, 4), ...op.i32Load(), ...op.i32Store(),
        ...op.get(COUNT), ...op.i32(1), ...op.add, ...op.set(COUNT),
      ]),
      ...op.end,
    ]),
    ...op.get(COUNT), ...op.i32(64), ...op.leS, ...op.if(),
    // insertion sort: out[i] moved down past the larger rows before it
    ...op.i32(1), ...op.set(I),
    ...countUp(I, COUNT, [
      ...address(OUT, I, 4), ...op.i32Load(), ...op.set(V), ...op.get(I), ...op.set(J),
      ...op.block(), ...op.loop,
      ...op.get(J), ...op.eqz, ...op.brIf(1),
      ...before, ...op.i32Load(), ...op.tee(W), ...op.get(V), ...op.leS, ...op.brIf(1),
      ...address(OUT, J, 4), ...op.get(W), ...op.i32Store(),
      ...op.get(J), ...op.i32(1), ...op.sub, ...op.set(J),
      ...op.br(0),
      ...op.end, ...op.end,
      ...address(OUT, J, 4), ...op.get(V), ...op.i32Store(),
    ]),
    ...op.else,
    // marked, then listed in row order
    ...op.i32(0), ...op.set(I),
    ...countUp(I, COUNT, [...op.get(MARK), ...address(OUT, I, 4), ...op.i32Load(), ...op.add, ...op.i32(1), ...op.i32Store8()]),
    ...op.i32(0), ...op.set(COUNT), ...op.i32(0), ...op.set(J),
    ...countUp(J, ROWS, [
      ...address(MARK, J, 1), ...op.i32Load8U(), ...op.if(),
      ...address(OUT, COUNT, 4), ...op.get(J), ...op.i32Store(),
      ...op.get(COUNT), ...op.i32(1), ...op.add, ...op.set(COUNT),
      ...address(MARK, J, 1), ...op.i32(0), ...op.i32Store8(),
      ...op.end,
    ]),
    ...op.end,
    ...op.get(COUNT),
  ];
})();

let compiled: WebAssembly.Module | undefined;

/**
 * The training and test values, the training side's statistics and distinct rows packed for the search, and its
 * scratch, in the kernel's memory: sized for `rows` training rows of `cols` columns and `testRows` test rows
 * (the distinct rows and the searched columns, set by `shape`, are at most as many).
 */
export class NearestKernel extends WasmMemory {
  /** the training and test rows (row-major), and the training rows' extra squared terms */
  readonly train: Block<Float64Array>;
  readonly test: Block<Float64Array>;
  readonly extras: Block<Float64Array>;
  /** per column: sum, sum of squares, least and largest value (columnStats); the largest magnitude */
  readonly sum: Block<Float64Array>;
  readonly squares: Block<Float64Array>;
  readonly min: Block<Float64Array>;
  readonly max: Block<Float64Array>;
  private readonly largestAt: Block<Float64Array>;
  /** per training row, its hash (rowHashes) */
  readonly hashes: Block<Int32Array>;
  /** the distinct rows (first copies): in order of appearance, then by norm; their squared norms in the first order */
  readonly rowList: Block<Int32Array>;
  readonly squared: Block<Float64Array>;
  /** the searched columns, widest spread first */
  readonly columns: Block<Int32Array>;
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
  /** the copies of distinct row k (in norm order) are copies[copyStart[k] … copyStart[k+1]−1], ascending */
  readonly copyStart: Block<Int32Array>;
  readonly copies: Block<Int32Array>;
  /** the training rows tied nearest to the last test row searched (`nearestRows`), ascending; scratch marks */
  readonly tied: Block<Int32Array>;
  private readonly mark: Block<Uint8Array>;
  /** groupRows' table; per training row its group, per group its first row */
  private readonly table: Block<Int32Array>;
  readonly groupOf: Block<Int32Array>;
  readonly firsts: Block<Int32Array>;
  /** the distinct rows and the searched columns (`shape`) */
  private n = 0;
  private width = 0;
  private readonly kernels: {
    columnStats: (values: number, rows: number, cols: number, sum: number, squares: number, min: number, max: number, largestAt: number) => number;
    rowHashes: (values: number, rows: number, cols: number, extras: number, out: number) => void;
    squaredNorms: (values: number, cols: number, list: number, count: number, extras: number, out: number) => void;
    pack: (values: number, cols: number, list: number, count: number, columns: number, width: number, packed: number) => void;
    groupRows: (
      values: number, rows: number, cols: number, extras: number, hashes: number, table: number, mask: number, groupOf: number, firsts: number,
    ) => number;
    collect: (
      kept: number, found: number, distances: number, bound: number, copyStart: number, copies: number, out: number, mark: number,
      rows: number,
    ) => number;
    searchTest: (
      testRow: number, cols: number, columns: number, width: number, epsFactor: number, n: number, norms: number, packed: number,
      packedExtra: number, packedTest: number, found: number, distances: number, result: number,
    ) => number;
  };

  constructor(private readonly rows: number, private readonly cols: number, private readonly testRows: number) {
    compiled ??= new WebAssembly.Module(encodeModule([
      { name: 'nearest', params: [F64, F64, ...i32s(9)], result: I32, i32: 9, f64: 5, v128: 2, body: nearest },
      { name: 'columnStats', params: i32s(8), result: I32, i32: 4, f64: 3, body: columnStats },
      { name: 'rowHashes', params: i32s(5), i32: 4, body: rowHashes },
      { name: 'squaredNorms', params: i32s(6), i32: 4, f64: 2, body: squaredNorms },
      { name: 'pack', params: i32s(7), i32: 4, body: pack },
      { name: 'searchTest', params: [...i32s(4), F64, ...i32s(8)], result: I32, i32: 2, f64: 2, body: searchTest },
      { name: 'collect', params: [I32, I32, I32, F64, ...i32s(5)], result: I32, i32: 9, body: collect },
      { name: 'groupRows', params: i32s(9), result: I32, i32: 9, body: groupRows },
    ]));
    const f64s = [rows * cols, testRows * cols, rows, cols, cols, cols, cols, 1, rows, rows, rows * cols, rows, cols, rows, 1];
    const tableSize = 2 ** Math.ceil(Math.log2(2 * rows + 2));
    const i32Counts = [rows, rows, cols, rows, rows + 1, rows, rows, tableSize, rows, rows];
    super(compiled, WasmMemory.total([...f64s.map((c) => c * 8), ...i32Counts.map((c) => c * 4), rows]));
    this.train = this.f64(rows * cols);
    this.test = this.f64(testRows * cols);
    this.extras = this.f64(rows);
    this.sum = this.f64(cols);
    this.squares = this.f64(cols);
    this.min = this.f64(cols);
    this.max = this.f64(cols);
    this.largestAt = this.f64(1);
    this.squared = this.f64(rows);
    this.norms = this.f64(rows);
    this.packed = this.f64(rows * cols);
    this.packedExtra = this.f64(rows);
    this.testRow = this.f64(cols);
    this.distances = this.f64(rows);
    this.result = this.f64(1);
    this.hashes = this.i32(rows);
    this.rowList = this.i32(rows);
    this.columns = this.i32(cols);
    this.found = this.i32(rows);
    this.copyStart = this.i32(rows + 1);
    this.copies = this.i32(rows);
    this.tied = this.i32(rows);
    this.mark = this.u8(rows);
    this.table = this.i32(tableSize);
    this.groupOf = this.i32(rows);
    this.firsts = this.i32(rows);
    const e = this.exports;
    this.kernels = {
      columnStats: e.columnStats as NearestKernel['kernels']['columnStats'],
      rowHashes: e.rowHashes as NearestKernel['kernels']['rowHashes'],
      squaredNorms: e.squaredNorms as NearestKernel['kernels']['squaredNorms'],
      pack: e.pack as NearestKernel['kernels']['pack'],
      searchTest: e.searchTest as NearestKernel['kernels']['searchTest'],
      collect: e.collect as NearestKernel['kernels']['collect'],
      groupRows: e.groupRows as NearestKernel['kernels']['groupRows'],
    };
  }

  /**
   * columnStats over the training rows, then the test rows (train and test filled), from min +∞, max −∞ and zeros:
   * false at the first value that is not an integer. The largest magnitude is `largest` afterwards.
   */
  columnStats(): boolean {
    const { cols } = this;
    this.min.view.fill(Infinity);
    this.max.view.fill(-Infinity);
    this.largestAt.view[0] = 0;
    const stats = (values: Block<Float64Array>, rows: number) =>
      this.kernels.columnStats(values.at, rows, cols, this.sum.at, this.squares.at, this.min.at, this.max.at, this.largestAt.at) === 1;
    return stats(this.train, this.rows) && stats(this.test, this.testRows);
  }

  get largest(): number {
    return this.largestAt.view[0];
  }

  /**
   * The distinct training rows (their extras filled), numbered by first appearance: how many; each row's in
   * groupOf, each one's first row in firsts.
   */
  groupRows(): number {
    this.kernels.rowHashes(this.train.at, this.rows, this.cols, this.extras.at, this.hashes.at);
    return this.kernels.groupRows(
      this.train.at, this.rows, this.cols, this.extras.at, this.hashes.at, this.table.at, this.table.view.length - 1, this.groupOf.at,
      this.firsts.at,
    );
  }

  /** squared[g] for the `count` rows of rowList: their extras plus their squared values */
  squaredNorms(count: number): void {
    this.kernels.squaredNorms(this.train.at, this.cols, this.rowList.at, count, this.extras.at, this.squared.at);
  }

  /** The search's shape: the first n rows of rowList (in norm order) packed on the first `width` columns of `columns`. */
  shape(n: number, width: number): void {
    this.n = n;
    this.width = width;
    this.kernels.pack(this.train.at, this.cols, this.rowList.at, n, this.columns.at, width, this.packed.at);
  }

  /**
   * The search for test row t, then the copies of the distinct rows it found within the final bound: how many
   * training rows, ascending in `tied`.
   */
  nearestRows(t: number, eps: number): number {
    const kept = this.kernels.searchTest(
      this.test.at + t * this.cols * 8, this.cols, this.columns.at, this.width, 1 + eps, this.n, this.norms.at, this.packed.at,
      this.packedExtra.at, this.testRow.at, this.found.at, this.distances.at, this.result.at,
    );
    return this.kernels.collect(
      kept, this.found.at, this.distances.at, this.result.view[0], this.copyStart.at, this.copies.at, this.tied.at, this.mark.at, this.rows,
    );
  }
}
