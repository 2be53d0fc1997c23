// The boosted trees' hot loops in WebAssembly (wasm.ts), one call per node or level rather than per feature or row:
// the split search of a node (find: both passes of boosting-split.ts, the gain and its bound inlined), the
// partition of a node's segments into its children's, and the routing of the rows one level down. They are the
// same operations in the same order as the JavaScript they replace (integer moves; IEEE double additions,
// multiplications, divisions and comparisons, one after the other), so the trees are the same to the bit, without
// a bounds check per read.
import { type Split, type TreeOptions } from './boosting-split.ts';
import {
  address, type Block, type Code, countUp, encodeModule, exitable, F64, I32, i32s, loopWhile, op, simdAbs, simdOp, WasmMemory,
} from './wasm.ts';

/** Entries per block of the split search's first pass: 8 ruled out more candidates than 16 and cost less than 4 (measured). */
const BLOCK = 8;
const MIN_GAIN = 1e-6; // xgboost's kRtEps: smaller improvements are not splits

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
      // K, TO, KEPT and MOVED are byte addresses here (of fromRows' entry, its segment's end, rows' and spare's
      // next places): no index scaled per entry
      ...segment(LO, NODE), ...op.i32Load(), ...op.tee(FROM), ...op.i32(2), ...op.shl, ...op.tee(K),
      ...op.get(ROWS), ...op.add, ...op.set(KEPT),
      ...op.get(K), ...op.get(FROM_ROWS), ...op.add, ...op.set(K),
      ...segment(HI, NODE), ...op.i32Load(), ...op.i32(2), ...op.shl, ...op.get(FROM_ROWS), ...op.add, ...op.set(TO),
      ...op.get(SPARE), ...op.set(MOVED),
      ...loopWhile([...op.get(K), ...op.get(TO), ...op.ltU], [
        ...op.get(K), ...op.i32Load(), ...op.set(ROW),
        // 4 when the row goes left, else 0
        ...address(GO_LEFT, ROW, 1), ...op.i32Load8U(), ...op.i32(2), ...op.shl, ...op.set(LEFT),
        // both written, one kept: no branch to mispredict
        ...op.get(KEPT), ...op.get(ROW), ...op.i32Store(),
        ...op.get(MOVED), ...op.get(ROW), ...op.i32Store(),
        ...op.get(KEPT), ...op.get(LEFT), ...op.add, ...op.set(KEPT),
        ...op.get(MOVED), ...op.i32(4), ...op.get(LEFT), ...op.sub, ...op.add, ...op.set(MOVED),
        ...op.get(K), ...op.i32(4), ...op.add, ...op.set(K),
      ]),
      ...op.get(KEPT), ...op.get(SPARE), ...op.get(MOVED), ...op.get(SPARE), ...op.sub, ...op.memoryCopy,
      // KEPT as an index again
      ...op.get(KEPT), ...op.get(ROWS), ...op.sub, ...op.i32(2), ...op.shrU, ...op.set(KEPT),
      ...segment(HI, NODE), ...op.i32Load(), ...op.set(TO),
      ...segment(LO, L), ...op.get(FROM), ...op.i32Store(),
      ...segment(HI, L), ...op.get(KEPT), ...op.i32Store(),
      ...segment(LO, R), ...op.get(KEPT), ...op.i32Store(),
      ...segment(HI, R), ...op.get(TO), ...op.i32Store(),
    ]),
  ];
})();

// route(rows, position, feature, threshold, defaultLeft, left, right, byColumn, grad, hess, goLeft, leaf, childG,
// childH, childCount): one level of a tree. Row i at node n = position[i] (n ≥ 0): at a leaf (feature[n] < 0) it
// stays (leaf[i] = n, position[i] = −1); else it goes left when its value v of the node's feature is below the
// threshold, or is 0 (missing) and the node sends zeros left (goLeft[i] = 1 then), to left[n] or right[n], whose
// gradient and hessian sums and row count it adds to, in row order; leaf[i] is then that child too, so that after
// the last level routed leaf[i] is row i's leaf either way.
const route = (() => {
  const [ROWS, POSITION, FEATURE, THRESHOLD, DEFAULT_LEFT, LEFT, RIGHT, BY_COLUMN, GRAD, HESS, GO_LEFT, LEAF, CHILD_G,
    CHILD_H, CHILD_COUNT] = Array.from({ length: 15 }, (_, i) => i);
  const [I, NODE, F, TO_LEFT, CHILD] = [15, 16, 17, 18, 19];
  const V = 20; // f64
  const addTo = (array: number, value: Code) => [
    ...address(array, CHILD, 8), ...address(array, CHILD, 8), ...op.f64Load(), ...value, ...op.f64Add, ...op.f64Store(),
  ];
  return [
    ...op.i32(0), ...op.set(I),
    ...countUp(I, ROWS, [...exitable([
      ...address(POSITION, I, 4), ...op.i32Load(), ...op.tee(NODE), ...op.i32(0), ...op.ltS, ...op.brIf0, // routed to a leaf already
      ...address(FEATURE, NODE, 4), ...op.i32Load(), ...op.tee(F), ...op.i32(0), ...op.ltS,
      ...op.if(),
      ...address(LEAF, I, 4), ...op.get(NODE), ...op.i32Store(),
      ...address(POSITION, I, 4), ...op.i32(-1), ...op.i32Store(),
      ...op.br(1), // out of the row's block
      ...op.end,
      // v = byColumn[f · rows + i]; toLeft = v === 0 ? defaultLeft[node] : v < threshold[node]
      ...op.get(BY_COLUMN), ...op.get(F), ...op.get(ROWS), ...op.mul, ...op.get(I), ...op.add, ...op.i32(3), ...op.shl, ...op.add,
      ...op.f64Load(), ...op.set(V),
      ...address(DEFAULT_LEFT, NODE, 1), ...op.i32Load8U(),
      ...op.get(V), ...address(THRESHOLD, NODE, 8), ...op.f64Load(), ...op.f64Lt,
      ...op.get(V), ...op.f64(0), ...op.f64Eq, ...op.select, ...op.set(TO_LEFT),
      ...address(GO_LEFT, I, 1), ...op.get(TO_LEFT), ...op.i32Store8(),
      ...address(LEFT, NODE, 4), ...op.i32Load(), ...address(RIGHT, NODE, 4), ...op.i32Load(), ...op.get(TO_LEFT), ...op.select, ...op.set(CHILD),
      ...addTo(CHILD_G, [...address(GRAD, I, 8), ...op.f64Load()]),
      ...addTo(CHILD_H, [...address(HESS, I, 8), ...op.f64Load()]),
      ...address(CHILD_COUNT, CHILD, 4), ...address(CHILD_COUNT, CHILD, 4), ...op.i32Load(), ...op.i32(1), ...op.add, ...op.i32Store(),
      ...address(POSITION, I, 4), ...op.get(CHILD), ...op.i32Store(),
      ...address(LEAF, I, 4), ...op.get(CHILD), ...op.i32Store(),
    ])]),
  ];
})();

// pairUp(grad, hess, pairs, rows, sums): pairs[2i] = grad[i], pairs[2i + 1] = hess[i], the bytes copied (find's
// first pass reads a row's gradient and hessian in one load); sums[0] = 0 + grad[0] + … + grad[rows − 1] and
// sums[1] the same of hess, added in row order (the root's sums, as grow's JavaScript loop added them).
const pairUp = (() => {
  const [GRAD, HESS, PAIRS, ROWS, SUMS] = [0, 1, 2, 3, 4];
  const I = 5;
  const [G, H] = [6, 7]; // f64
  const to = [...op.get(PAIRS), ...op.get(I), ...op.i32(4), ...op.shl, ...op.add];
  return [
    ...op.f64(0), ...op.set(G), ...op.f64(0), ...op.set(H),
    ...op.i32(0), ...op.set(I),
    ...countUp(I, ROWS, [
      ...to, ...address(GRAD, I, 8), ...op.i64Load(), ...op.i64Store(),
      ...to, ...address(HESS, I, 8), ...op.i64Load(), ...op.i64Store(8),
      ...op.get(G), ...address(GRAD, I, 8), ...op.f64Load(), ...op.f64Add, ...op.set(G),
      ...op.get(H), ...address(HESS, I, 8), ...op.f64Load(), ...op.f64Add, ...op.set(H),
    ]),
    ...op.get(SUMS), ...op.get(G), ...op.f64Store(),
    ...op.get(SUMS), ...op.get(H), ...op.f64Store(8),
  ];
})();

// The split gain and the block bound of boosting-split.ts (gainWithin, boxWithin, filterLimit), operation for
// operation: the same IEEE double operations in the same order (JavaScript's && and || on pure comparisons become
// i32 and/or), so the same numbers and the same decisions.
const LIMIT = 3; // filterLimit's index in the module

/** Where gainWithin's inputs and scratch are: locals, by index. */
interface GainLocals {
  gl: number; hl: number; sumG: number; sumH: number; parent: number; lambda: number; mcw: number; limit: number;
  hr: number; gr: number; b: number; d: number; rhs: number;
}

/**
 * gainWithin(gl, hl, sumG, sumH, parentScore, lambda, minChildWeight, limit) → f64, on the locals `at`; `exit(depth)`
 * leaves with the f64 on the stack from `depth` blocks deep (a return in the function, a branch when inlined).
 */
function gainCode(at: GainLocals, exit: (depth: number) => Code): Code {
  const { gl, hl, sumG, sumH, parent, lambda, mcw, limit, hr, gr, b, d, rhs } = at;
  return [
    ...op.get(sumH), ...op.get(hl), ...op.f64Sub, ...op.set(hr),
    ...op.get(hl), ...op.get(mcw), ...op.f64Lt, ...op.get(hr), ...op.get(mcw), ...op.f64Lt, ...op.or,
    ...op.if(), ...op.f64(-Infinity), ...exit(1), ...op.end,
    ...op.get(sumG), ...op.get(gl), ...op.f64Sub, ...op.set(gr),
    ...op.get(hl), ...op.get(lambda), ...op.f64Add, ...op.set(b),
    ...op.get(hr), ...op.get(lambda), ...op.f64Add, ...op.set(d),
    ...op.get(b), ...op.f64(0), ...op.f64Gt, ...op.get(d), ...op.f64(0), ...op.f64Gt, ...op.and,
    ...op.if(),
    ...op.get(limit), ...op.get(b), ...op.f64Mul, ...op.get(d), ...op.f64Mul, ...op.set(rhs),
    ...op.get(gl), ...op.get(gl), ...op.f64Mul, ...op.get(d), ...op.f64Mul,
    ...op.get(gr), ...op.get(gr), ...op.f64Mul, ...op.get(b), ...op.f64Mul, ...op.f64Add,
    ...op.get(rhs), ...op.f64Lt, ...op.get(rhs), ...op.f64(Infinity), ...op.f64Lt, ...op.and,
    ...op.if(), ...op.f64(-Infinity), ...exit(2), ...op.end,
    ...op.end,
    ...op.get(gl), ...op.get(gl), ...op.f64Mul, ...op.get(b), ...op.f64Div,
    ...op.get(gr), ...op.get(gr), ...op.f64Mul, ...op.get(d), ...op.f64Div, ...op.f64Add,
    ...op.get(parent), ...op.f64Sub,
  ];
}

/** Where boxWithin's inputs and scratch are: locals, by index. */
interface BoxLocals {
  gMin: number; gMax: number; hMin: number; hMax: number; sumG: number; sumH: number; lambda: number; mcw: number; limit: number;
  b0: number; b1: number; d0: number; d1: number; l0: number; l1: number; r0: number; r1: number;
}

/** boxWithin(gMin, gMax, hMin, hMax, sumG, sumH, lambda, minChildWeight, limit) → i32, on the locals `at`; `exit` as in gainCode. */
function boxCode(at: BoxLocals, exit: (depth: number) => Code): Code {
  const { gMin, gMax, hMin, hMax, sumG, sumH, lambda, mcw, limit, b0, b1, d0, d1, l0, l1, r0, r1 } = at;
  const square = (local: number) => [...op.get(local), ...op.get(local), ...op.f64Mul];
  const squareFrom = (local: number) => [
    ...op.get(sumG), ...op.get(local), ...op.f64Sub, ...op.get(sumG), ...op.get(local), ...op.f64Sub, ...op.f64Mul,
  ];
  /** l·d + r·b ≥ limit·b·d */
  const corner = (l: number, d: number, r: number, b: number) => [
    ...op.get(l), ...op.get(d), ...op.f64Mul, ...op.get(r), ...op.get(b), ...op.f64Mul, ...op.f64Add,
    ...op.get(limit), ...op.get(b), ...op.f64Mul, ...op.get(d), ...op.f64Mul, ...op.f64Ge,
  ];
  return [
    ...op.get(hMax), ...op.get(mcw), ...op.f64Lt, ...op.get(sumH), ...op.get(hMin), ...op.f64Sub, ...op.get(mcw), ...op.f64Lt, ...op.or,
    ...op.if(), ...op.i32(0), ...exit(1), ...op.end,
    ...op.get(hMin), ...op.get(lambda), ...op.f64Add, ...op.f64(0), ...op.f64Gt,
    ...op.get(sumH), ...op.get(hMax), ...op.f64Sub, ...op.get(lambda), ...op.f64Add, ...op.f64(0), ...op.f64Gt, ...op.and, ...op.eqz,
    ...op.get(limit), ...op.f64(-Infinity), ...op.f64Eq, ...op.or,
    ...op.if(), ...op.i32(1), ...exit(1), ...op.end,
    ...op.get(hMin), ...op.get(lambda), ...op.f64Add, ...op.set(b0),
    ...op.get(hMax), ...op.get(lambda), ...op.f64Add, ...op.set(b1),
    ...op.get(sumH), ...op.get(hMin), ...op.f64Sub, ...op.get(lambda), ...op.f64Add, ...op.set(d0),
    ...op.get(sumH), ...op.get(hMax), ...op.f64Sub, ...op.get(lambda), ...op.f64Add, ...op.set(d1),
    ...square(gMin), ...op.set(l0), ...square(gMax), ...op.set(l1),
    ...squareFrom(gMin), ...op.set(r0), ...squareFrom(gMax), ...op.set(r1),
    // the coarser bound first: max(l0, l1)·d1 + max(r0, r1)·b0 < limit·b0·d1 rules the box out
    ...op.get(l0), ...op.get(l1), ...op.f64Max, ...op.get(d1), ...op.f64Mul,
    ...op.get(r0), ...op.get(r1), ...op.f64Max, ...op.get(b0), ...op.f64Mul, ...op.f64Add,
    ...op.get(limit), ...op.get(b0), ...op.f64Mul, ...op.get(d1), ...op.f64Mul, ...op.f64Lt,
    ...op.if(), ...op.i32(0), ...exit(1), ...op.end,
    ...corner(l0, d0, r0, b0), ...corner(l0, d1, r0, b1), ...op.or,
    ...corner(l1, d0, r1, b0), ...op.or, ...corner(l1, d1, r1, b1), ...op.or,
  ];
}

/** Where boxPairCode's inputs (v128: both lanes' boxes, then the node's constants in both lanes) and scratch are. */
interface BoxPairLocals {
  gMin: number; gMax: number; hMin: number; hMax: number; sumG: number; sumH: number; lambda: number; mcw: number; limit: number;
  b0: number; b1: number; d0: number; d1: number; l0: number; l1: number; r0: number; r1: number; fail: number; open: number;
}

/**
 * boxWithin on two boxes at once, one per f64x2 lane, as an i32 (bit l: lane l's box may beat the best), without a
 * branch to mispredict (the scalar test's early exits went either way, unpredictably). Each lane performs
 * boxWithin's IEEE operations in its order; its early returns become masks, all computed, then combined as the
 * returns decide: not the minimum child weight's failure, and either no bound (outside the convex domain, or no
 * limit) or a corner reached. Only boxWithin's coarser bound is left out: it merely saved the scalar test its
 * corners (a box it rules out has every corner below the limit, but for rounding), so a lane rules out no box
 * boxWithin passes, and every box it rules out has its four corners below the limit: boxWithin's own argument.
 */
function boxPairCode(at: BoxPairLocals): Code {
  const { gMin, gMax, hMin, hMax, sumG, sumH, lambda, mcw, limit, b0, b1, d0, d1, l0, l1, r0, r1, fail, open } = at;
  const { f64x2Add: add, f64x2Sub: sub, f64x2Mul: mul } = op;
  const square = (local: number) => [...op.get(local), ...op.get(local), ...mul];
  const squareFrom = (local: number) => [...op.get(sumG), ...op.get(local), ...sub, ...op.get(sumG), ...op.get(local), ...sub, ...mul];
  /** l·d + r·b ≥ limit·b·d */
  const corner = (l: number, d: number, r: number, b: number) => [
    ...op.get(l), ...op.get(d), ...mul, ...op.get(r), ...op.get(b), ...mul, ...add,
    ...op.get(limit), ...op.get(b), ...mul, ...op.get(d), ...mul, ...simdOp.f64x2Ge,
  ];
  const zero = [...op.f64(0), ...op.f64x2Splat];
  return [
    // fail: hMax < mcw || sumH − hMin < mcw
    ...op.get(hMax), ...op.get(mcw), ...simdOp.f64x2Lt, ...op.get(sumH), ...op.get(hMin), ...sub, ...op.get(mcw), ...simdOp.f64x2Lt,
    ...simdOp.v128Or, ...op.set(fail),
    // open: !(hMin + λ > 0 && sumH − hMax + λ > 0) || limit = −∞
    ...op.get(hMin), ...op.get(lambda), ...add, ...op.tee(b0), ...zero, ...simdOp.f64x2Gt,
    ...op.get(sumH), ...op.get(hMax), ...sub, ...op.get(lambda), ...add, ...op.tee(d1), ...zero, ...simdOp.f64x2Gt, ...simdOp.v128And,
    ...simdOp.v128Not, ...op.get(limit), ...op.f64(-Infinity), ...op.f64x2Splat, ...simdOp.f64x2Eq, ...simdOp.v128Or, ...op.set(open),
    ...op.get(hMax), ...op.get(lambda), ...add, ...op.set(b1),
    ...op.get(sumH), ...op.get(hMin), ...sub, ...op.get(lambda), ...add, ...op.set(d0),
    ...square(gMin), ...op.set(l0), ...square(gMax), ...op.set(l1),
    ...squareFrom(gMin), ...op.set(r0), ...squareFrom(gMax), ...op.set(r1),
    // (open || a corner) && !fail
    ...op.get(open),
    ...corner(l0, d0, r0, b0), ...corner(l0, d1, r0, b1), ...simdOp.v128Or,
    ...corner(l1, d0, r1, b0), ...simdOp.v128Or, ...corner(l1, d1, r1, b1), ...simdOp.v128Or,
    ...simdOp.v128Or, ...op.get(fail), ...simdOp.v128AndNot,
    ...simdOp.i64x2Bitmask,
  ];
}

/** Where filterPairCode's inputs (v128: both lanes' candidates, the node's constants in both lanes) and scratch are. */
interface FilterPairLocals {
  gl: number; hl: number; sumG: number; sumH: number; lambda: number; mcw: number; limit: number;
  hr: number; gr: number; b: number; d: number; rhs: number;
}

/**
 * gainWithin's rejections on two candidates at once, one per f64x2 lane, as an i32 (bit l: lane l's candidate is
 * not rejected, so gainWithin would return its exact gain), without a branch. Each lane performs gainWithin's
 * IEEE operations up to its two −∞ returns, in their order (a side lighter than the minimum child weight; the
 * filter by multiplications), so a lane is rejected exactly when gainWithin returns −∞ for its candidate.
 */
function filterPairCode(at: FilterPairLocals): Code {
  const { gl, hl, sumG, sumH, lambda, mcw, limit, hr, gr, b, d, rhs } = at;
  const { f64x2Add: add, f64x2Sub: sub, f64x2Mul: mul } = op;
  const zero = [...op.f64(0), ...op.f64x2Splat];
  return [
    // hl < mcw || hr < mcw, hr = sumH − hl
    ...op.get(hl), ...op.get(mcw), ...simdOp.f64x2Lt,
    ...op.get(sumH), ...op.get(hl), ...sub, ...op.tee(hr), ...op.get(mcw), ...simdOp.f64x2Lt, ...simdOp.v128Or,
    // b > 0 && d > 0 && gl·gl·d + gr·gr·b < rhs && rhs < ∞, rhs = limit·b·d
    ...op.get(sumG), ...op.get(gl), ...sub, ...op.set(gr),
    ...op.get(hl), ...op.get(lambda), ...add, ...op.set(b),
    ...op.get(hr), ...op.get(lambda), ...add, ...op.set(d),
    ...op.get(limit), ...op.get(b), ...mul, ...op.get(d), ...mul, ...op.set(rhs),
    ...op.get(b), ...zero, ...simdOp.f64x2Gt, ...op.get(d), ...zero, ...simdOp.f64x2Gt, ...simdOp.v128And,
    ...op.get(gl), ...op.get(gl), ...mul, ...op.get(d), ...mul, ...op.get(gr), ...op.get(gr), ...mul, ...op.get(b), ...mul, ...add,
    ...op.get(rhs), ...simdOp.f64x2Lt, ...simdOp.v128And,
    ...op.get(rhs), ...op.f64(Infinity), ...op.f64x2Splat, ...simdOp.f64x2Lt, ...simdOp.v128And,
    ...simdOp.v128Or, ...simdOp.i64x2Bitmask, ...op.i32(3), ...op.xor,
  ];
}

/** The functions gainWithin, boxWithin, boxPair and filterPair (exported for tests): the parameters, then the scratch locals. */
const gainWithin = gainCode(
  { gl: 0, hl: 1, sumG: 2, sumH: 3, parent: 4, lambda: 5, mcw: 6, limit: 7, hr: 8, gr: 9, b: 10, d: 11, rhs: 12 }, () => op.return,
);
const boxWithin = boxCode({
  gMin: 0, gMax: 1, hMin: 2, hMax: 3, sumG: 4, sumH: 5, lambda: 6, mcw: 7, limit: 8,
  b0: 9, b1: 10, d0: 11, d1: 12, l0: 13, l1: 14, r0: 15, r1: 16,
}, () => op.return);
// filterPair(gl0, hl0, gl1, hl1, sumG, sumH, lambda, minChildWeight, limit) → i32
const filterPair = (() => {
  const [gl, hl, sumG, sumH, lambda, mcw, limit, hr, gr, b, d, rhs] = Array.from({ length: 12 }, (_, i) => 9 + i);
  const lanes = (lane0: number, lane1: number) => [...op.get(lane0), ...op.f64x2Splat, ...op.get(lane1), ...simdOp.f64x2ReplaceLane(1)];
  return [
    ...lanes(0, 2), ...op.set(gl), ...lanes(1, 3), ...op.set(hl),
    ...[sumG, sumH, lambda, mcw, limit].flatMap((local, k) => [...op.get(4 + k), ...op.f64x2Splat, ...op.set(local)]),
    ...filterPairCode({ gl, hl, sumG, sumH, lambda, mcw, limit, hr, gr, b, d, rhs }),
  ];
})();
// boxPair(gMin0, gMax0, hMin0, hMax0, gMin1, gMax1, hMin1, hMax1, sumG, sumH, lambda, minChildWeight, limit) → i32
const boxPair = (() => {
  const v128 = Array.from({ length: 19 }, (_, i) => 13 + i);
  const [gMin, gMax, hMin, hMax, sumG, sumH, lambda, mcw, limit] = v128;
  const lanes = (lane0: number, lane1: number) => [...op.get(lane0), ...op.f64x2Splat, ...op.get(lane1), ...simdOp.f64x2ReplaceLane(1)];
  return [
    ...lanes(0, 4), ...op.set(gMin), ...lanes(1, 5), ...op.set(gMax), ...lanes(2, 6), ...op.set(hMin), ...lanes(3, 7), ...op.set(hMax),
    ...[sumG, sumH, lambda, mcw, limit].flatMap((local, k) => [...op.get(8 + k), ...op.f64x2Splat, ...op.set(local)]),
    ...boxPairCode({
      gMin, gMax, hMin, hMax, sumG, sumH, lambda, mcw, limit,
      b0: v128[9], b1: v128[10], d0: v128[11], d1: v128[12], l0: v128[13], l1: v128[14], r0: v128[15], r1: v128[16], fail: v128[17], open: v128[18],
    }),
  ];
})();

/** `code` as a block whose value (of type `result`) it leaves on the stack or branches out with. */
const valueBlock = (result: number, code: Code): Code => [...op.block(result), ...code, ...op.end];

// filterLimit(best, parentScore) → f64: (best + parent)·(1 − 1e-9) when best > 0 and parent ≥ 0, else −∞
const filterLimit = [
  ...op.get(0), ...op.get(1), ...op.f64Add, ...op.f64(1 - 1e-9), ...op.f64Mul, ...op.f64(-Infinity),
  ...op.get(0), ...op.f64(0), ...op.f64Gt, ...op.get(1), ...op.f64(0), ...op.f64Ge, ...op.and, ...op.select,
];

// find(node, entries, rowsIn, sumG, sumH, lambda, minChildWeight, lo, hi, stride, cols, rows, grad, hess, byColumn,
// start, startG, startH, minG, maxG, endH, out, pairs) → i32: the split search described in boosting-split.ts, step by
// step as its JavaScript was (git history). Per feature, the first pass: the running sums of grad and hess over
// the node's entries of the feature (rows in value order), from the first entry; per block of BLOCK candidates
// after it, the sums at its start (startG, startH), bounds on the gradient sum within it (minG, maxG: it rises by
// at most the block's positive gradients and falls by at most its negative ones, with a slack far above the
// rounding of its additions) and the hessian sum at its end (endH). Then the second pass over the blocks that may
// beat the best: both sides' boxes of a block in one test (boxPairCode), and in a block that may, both sides'
// candidates of an entry through gainWithin's rejections in one test (filterPairCode), the few left scored exactly.
// Writes the best gain and threshold (f64) at out, out + 8, its feature and default (i32) at out + 16, out + 20;
// returns 0 when there is no split. The gradients and hessians are read from `pairs` (pairUp's copy of grad and
// hess, a row's two side by side), not from grad and hess.
const FIND_F64 = 21;
const FIND_V128 = 28;
const find = (() => {
  const [NODE, ENTRIES, ROWS_IN, SUM_G, SUM_H, LAMBDA, MCW, LO, HI, STRIDE, COLS, ROWS, GRAD, HESS, BY_COLUMN, START,
    START_G, START_H, MIN_G, MAX_G, END_H, OUT, PAIRS] = Array.from({ length: 23 }, (_, i) => i);
  const [F, AT, FROM, TO, K0, K1, K, R, BLOCKS, B, COLUMN, ZEROS, DENSE, SIDES, LEFT, BEST_FEATURE, BEST_DEFAULT] =
    Array.from({ length: 17 }, (_, i) => 23 + i);
  const [ACC_G, ACC_H, S, MASS, , PRESENT_G, PRESENT_H, PARENT, BEST_GAIN, LIM, BEST_THRESHOLD, PREVIOUS, V, CANDIDATE] =
    Array.from({ length: 14 }, (_, i) => 40 + i);
  // the inlined gain's arguments and scratch
  const [X0, X1, T0, T1, T2, T3, T4] = Array.from({ length: FIND_F64 - 14 }, (_, i) => 54 + i);
  // v128: the blocks' boxes (right in lane 0, left in lane 1), the constants (node's, then the feature's shifts to the
  // left side: lane 1 of x + add − sub is leftG(x) or leftH(x), lane 0 is x: x + −0 and x − 0 are x), scratch
  const [GMIN, GMAX, HMIN, HMAX, V_SUM_G, V_SUM_H, V_LAMBDA, V_MCW, V_LIMIT, ADD_G, SUB_G, ADD_H, SUB_H,
    B0, B1, D0, D1, L0, L1, R0, R1, FAIL, OPEN, GL, HL, ACC, MASSES, PAIR] = Array.from({ length: FIND_V128 }, (_, i) => 23 + 17 + FIND_F64 + i);
  const pairAt: BoxPairLocals = {
    gMin: GMIN, gMax: GMAX, hMin: HMIN, hMax: HMAX, sumG: V_SUM_G, sumH: V_SUM_H, lambda: V_LAMBDA, mcw: V_MCW, limit: V_LIMIT,
    b0: B0, b1: B1, d0: D0, d1: D1, l0: L0, l1: L1, r0: R0, r1: R1, fail: FAIL, open: OPEN,
  };
  // the scan's candidates (right, left) share the boxes' scratch
  const filterAt: FilterPairLocals = {
    gl: GL, hl: HL, sumG: V_SUM_G, sumH: V_SUM_H, lambda: V_LAMBDA, mcw: V_MCW, limit: V_LIMIT, hr: B0, gr: B1, b: D0, d: D1, rhs: L0,
  };
  const gainAt: GainLocals = {
    gl: X0, hl: X1, sumG: SUM_G, sumH: SUM_H, parent: PARENT, lambda: LAMBDA, mcw: MCW, limit: LIM, hr: T0, gr: T1, b: T2, d: T3, rhs: T4,
  };
  const load = (array: number, index: number) => [...address(array, index, 8), ...op.f64Load()];
  const store = (array: number, index: number, value: Code) => [...address(array, index, 8), ...value, ...op.f64Store()];
  const entry = (k: Code) => [...op.get(ENTRIES), ...k, ...op.i32(2), ...op.shl, ...op.add, ...op.i32Load()];
  const valueOf = (row: Code) => [...op.get(COLUMN), ...row, ...op.i32(3), ...op.shl, ...op.add, ...op.f64Load()];
  const gain = (gl: Code, hl: Code) => [...gl, ...op.set(X0), ...hl, ...op.set(X1), ...valueBlock(F64, gainCode(gainAt, op.br))];
  /** if (candidate > best) the candidate becomes the best split, with this threshold and default */
  const consider = (candidate: Code, threshold: Code, defaultLeft: Code) => [
    ...candidate, ...op.tee(CANDIDATE), ...op.get(BEST_GAIN), ...op.f64Gt,
    ...op.if(),
    ...op.get(CANDIDATE), ...op.set(BEST_GAIN),
    ...op.get(CANDIDATE), ...op.get(PARENT), ...op.call(LIMIT), ...op.tee(LIM), ...op.f64x2Splat, ...op.set(V_LIMIT),
    ...op.get(F), ...op.set(BEST_FEATURE), ...threshold, ...op.set(BEST_THRESHOLD), ...defaultLeft, ...op.set(BEST_DEFAULT),
    ...op.end,
  ];
  const midpoint = [...op.get(PREVIOUS), ...op.get(V), ...op.f64Add, ...op.f64(2), ...op.f64Div];
  const leftG = (g: Code) => [...g, ...op.get(SUM_G), ...op.f64Add, ...op.get(PRESENT_G), ...op.f64Sub]; // g + sumG − presentG
  const leftH = (h: Code) => [...h, ...op.get(SUM_H), ...op.f64Add, ...op.get(PRESENT_H), ...op.f64Sub];
  // grad[R] and hess[R] read from row R's pair (pairUp): one address for both
  const rowPair = [...op.get(PAIRS), ...op.get(R), ...op.i32(4), ...op.shl, ...op.add, ...op.tee(AT)];
  const advance = [
    ...op.get(ACC_G), ...rowPair, ...op.f64Load(), ...op.f64Add, ...op.set(ACC_G),
    ...op.get(ACC_H), ...op.get(AT), ...op.f64Load(8), ...op.f64Add, ...op.set(ACC_H),
    ...op.get(V), ...op.set(PREVIOUS),
  ];
  /** row R's (gradient, hessian) pair, as an f64x2 */
  const pairOf = [...op.get(PAIRS), ...op.get(R), ...op.i32(4), ...op.shl, ...op.add, ...op.v128Load()];
  const accFromPair = [...op.get(ACC), ...op.f64x2ExtractLane(0), ...op.set(ACC_G), ...op.get(ACC), ...op.f64x2ExtractLane(1), ...op.set(ACC_H)];
  // The running sums (accG, accH) in one f64x2 (lane by lane the same IEEE additions, in the same order), the block's
  // mass in lane 0 of another (lane 1 adds up the hessians' magnitudes, unused): per entry one load of the row's
  // pair instead of two, and one addition for both sums.
  const firstPass = [
    // accG = 0 + grad[first], accH = 0 + hess[first]
    ...entry(op.get(FROM)), ...op.set(R),
    ...op.f64(0), ...op.f64x2Splat, ...pairOf, ...op.f64x2Add, ...op.set(ACC), ...accFromPair,
    ...op.i32(0), ...op.set(BLOCKS),
    ...op.get(FROM), ...op.i32(1), ...op.add, ...op.set(K0),
    ...loopWhile([...op.get(K0), ...op.get(TO), ...op.ltU], [
      // k1 = min(k0 + BLOCK, to)
      ...op.get(K0), ...op.i32(BLOCK), ...op.add, ...op.get(TO),
      ...op.get(K0), ...op.i32(BLOCK), ...op.add, ...op.get(TO), ...op.ltU, ...op.select, ...op.set(K1),
      ...op.get(ACC_G), ...op.set(S),
      ...store(START_G, BLOCKS, op.get(ACC_G)), ...store(START_H, BLOCKS, op.get(ACC_H)),
      ...op.f64(0), ...op.f64x2Splat, ...op.set(MASSES),
      ...op.get(K0), ...op.set(K),
      ...countUp(K, K1, [
        ...entry(op.get(K)), ...op.set(R),
        ...op.get(ACC), ...pairOf, ...op.tee(PAIR), ...op.f64x2Add, ...op.set(ACC),
        ...op.get(MASSES), ...op.get(PAIR), ...simdAbs.f64x2Abs, ...op.f64x2Add, ...op.set(MASSES),
      ]),
      ...accFromPair, ...op.get(MASSES), ...op.f64x2ExtractLane(0), ...op.set(MASS),
      // minG = s − (mass − (accG − s)) / 2 − slack, maxG = s + (mass + (accG − s)) / 2 + slack,
      // slack = 1e-12 · (|s| + mass)
      ...store(MIN_G, BLOCKS, [
        ...op.get(S), ...op.get(MASS), ...op.get(ACC_G), ...op.get(S), ...op.f64Sub, ...op.f64Sub, ...op.f64(2), ...op.f64Div, ...op.f64Sub,
        ...op.f64(1e-12), ...op.get(S), ...op.f64Abs, ...op.get(MASS), ...op.f64Add, ...op.f64Mul, ...op.f64Sub,
      ]),
      ...store(MAX_G, BLOCKS, [
        ...op.get(S), ...op.get(MASS), ...op.get(ACC_G), ...op.get(S), ...op.f64Sub, ...op.f64Add, ...op.f64(2), ...op.f64Div, ...op.f64Add,
        ...op.f64(1e-12), ...op.get(S), ...op.f64Abs, ...op.get(MASS), ...op.f64Add, ...op.f64Mul, ...op.f64Add,
      ]),
      ...store(END_H, BLOCKS, op.get(ACC_H)),
      ...op.get(BLOCKS), ...op.i32(1), ...op.add, ...op.set(BLOCKS),
      ...op.get(K0), ...op.i32(BLOCK), ...op.add, ...op.set(K0),
    ]),
    ...op.get(ACC_G), ...op.set(PRESENT_G), ...op.get(ACC_H), ...op.set(PRESENT_H),
  ];
  /** lane 0: array[B], lane 1: its left-side shift */
  const pair = (array: number, add: number, sub: number) => [
    ...address(array, B, 8), ...simdOp.f64x2LoadSplat(), ...op.get(add), ...op.f64x2Add, ...op.get(sub), ...op.f64x2Sub,
  ];
  const secondPass = [
    ...op.f64(0), ...op.f64x2Splat, ...op.get(PRESENT_G), ...simdOp.f64x2ReplaceLane(1), ...op.set(SUB_G),
    ...op.f64(0), ...op.f64x2Splat, ...op.get(PRESENT_H), ...simdOp.f64x2ReplaceLane(1), ...op.set(SUB_H),
    ...op.i32(0), ...op.set(B),
    ...countUp(B, BLOCKS, [...exitable([
      // both sides' boxes at once (boxPairCode; the left one's answer is dropped when the node has no zeros)
      ...pair(MIN_G, ADD_G, SUB_G), ...op.set(GMIN), ...pair(MAX_G, ADD_G, SUB_G), ...op.set(GMAX),
      ...pair(START_H, ADD_H, SUB_H), ...op.set(HMIN), ...pair(END_H, ADD_H, SUB_H), ...op.set(HMAX),
      ...op.get(LIM), ...op.f64x2Splat, ...op.set(V_LIMIT),
      // SIDES: bit 0 the right side may beat the best, bit 1 the left one (a side ruled out for the block stays so:
      // the best only grows)
      ...boxPairCode(pairAt), ...op.get(ZEROS), ...op.i32(1), ...op.shl, ...op.i32(1), ...op.or, ...op.and, ...op.tee(SIDES),
      ...op.eqz, ...op.brIf0, // neither side may beat the best: skip the block
      // k0 = from + 1 + b·BLOCK, k1 = min(k0 + BLOCK, to)
      ...op.get(FROM), ...op.i32(1), ...op.add, ...op.get(B), ...op.i32(BLOCK), ...op.mul, ...op.add, ...op.set(K0),
      ...op.get(K0), ...op.i32(BLOCK), ...op.add, ...op.get(TO),
      ...op.get(K0), ...op.i32(BLOCK), ...op.add, ...op.get(TO), ...op.ltU, ...op.select, ...op.set(K1),
      ...load(START_G, B), ...op.set(ACC_G), ...load(START_H, B), ...op.set(ACC_H),
      ...valueOf(entry([...op.get(K0), ...op.i32(1), ...op.sub])), ...op.set(PREVIOUS),
      ...op.get(K0), ...op.set(K),
      ...countUp(K, K1, [
        ...entry(op.get(K)), ...op.set(R), ...valueOf(op.get(R)), ...op.set(V),
        // both sides' candidates through gainWithin's rejections at once (filterPairCode); those left, at a value
        // change, are scored exactly, right then left, as before: a rejected one would have scored −∞, no better
        ...op.get(ACC_G), ...op.f64x2Splat, ...op.get(ADD_G), ...op.f64x2Add, ...op.get(SUB_G), ...op.f64x2Sub, ...op.set(GL),
        ...op.get(ACC_H), ...op.f64x2Splat, ...op.get(ADD_H), ...op.f64x2Add, ...op.get(SUB_H), ...op.f64x2Sub, ...op.set(HL),
        // LEFT: the candidates to score (none where the value repeats: −(v ≠ previous) masks all bits or none)
        ...filterPairCode(filterAt), ...op.get(SIDES), ...op.and,
        ...op.i32(0), ...op.get(V), ...op.get(PREVIOUS), ...op.f64Ne, ...op.sub, ...op.and, ...op.tee(LEFT), ...op.if(),
        // the right side's default is `dense` (0 when the node has zeros: they go right)
        ...op.get(LEFT), ...op.i32(1), ...op.and, ...op.if(), ...consider(gain(op.get(ACC_G), op.get(ACC_H)), midpoint, op.get(DENSE)), ...op.end,
        ...op.get(LEFT), ...op.i32(2), ...op.and, ...op.if(), ...consider(gain(leftG(op.get(ACC_G)), leftH(op.get(ACC_H))), midpoint, op.i32(1)), ...op.end,
        ...op.end,
        ...advance,
      ]),
    ])]),
  ];
  return [
    // parentScore = sumG² / (sumH + λ), best = kRtEps, limit = filterLimit(best, parentScore)
    ...op.get(SUM_G), ...op.get(SUM_G), ...op.f64Mul, ...op.get(SUM_H), ...op.get(LAMBDA), ...op.f64Add, ...op.f64Div, ...op.set(PARENT),
    ...op.f64(MIN_GAIN), ...op.set(BEST_GAIN),
    ...op.get(BEST_GAIN), ...op.get(PARENT), ...op.call(LIMIT), ...op.set(LIM),
    ...op.i32(-1), ...op.set(BEST_FEATURE), ...op.f64(0), ...op.set(BEST_THRESHOLD), ...op.i32(0), ...op.set(BEST_DEFAULT),
    ...op.get(SUM_G), ...op.f64x2Splat, ...op.set(V_SUM_G), ...op.get(SUM_H), ...op.f64x2Splat, ...op.set(V_SUM_H),
    ...op.get(LAMBDA), ...op.f64x2Splat, ...op.set(V_LAMBDA), ...op.get(MCW), ...op.f64x2Splat, ...op.set(V_MCW),
    ...op.f64(-0), ...op.f64x2Splat, ...op.get(SUM_G), ...simdOp.f64x2ReplaceLane(1), ...op.set(ADD_G),
    ...op.f64(-0), ...op.f64x2Splat, ...op.get(SUM_H), ...simdOp.f64x2ReplaceLane(1), ...op.set(ADD_H),
    ...op.i32(0), ...op.set(F),
    ...countUp(F, COLS, [...exitable([
      ...op.get(F), ...op.get(STRIDE), ...op.mul, ...op.get(NODE), ...op.add, ...op.i32(2), ...op.shl, ...op.set(AT),
      ...op.get(LO), ...op.get(AT), ...op.add, ...op.i32Load(), ...op.set(FROM),
      ...op.get(HI), ...op.get(AT), ...op.add, ...op.i32Load(), ...op.set(TO),
      ...op.get(FROM), ...op.get(TO), ...op.eq, ...op.brIf0, // no entries at this node
      ...op.get(BY_COLUMN), ...op.get(F), ...op.get(ROWS), ...op.mul, ...op.i32(3), ...op.shl, ...op.add, ...op.set(COLUMN),
      ...firstPass,
      // zeros = to − from < rowsIn; dense = !zeros && the column has no zeros at all
      ...op.get(TO), ...op.get(FROM), ...op.sub, ...op.get(ROWS_IN), ...op.ltS, ...op.set(ZEROS),
      ...op.get(ZEROS), ...op.eqz,
      ...op.get(START), ...op.get(F), ...op.i32(2), ...op.shl, ...op.add, ...op.tee(AT), ...op.i32Load(4),
      ...op.get(AT), ...op.i32Load(), ...op.sub, ...op.get(ROWS), ...op.eq, ...op.and, ...op.set(DENSE),
      ...secondPass,
      // every non-zero row on one side, the zeros on the other
      ...consider(gain(op.get(PRESENT_G), op.get(PRESENT_H)), [
        ...valueOf(entry([...op.get(TO), ...op.i32(1), ...op.sub])), ...op.tee(V), ...op.get(V), ...op.f64Abs, ...op.f64(1e-6), ...op.f64Mul,
        ...op.f64Add, ...op.f64(1e-6), ...op.f64Add,
      ], op.i32(0)),
      ...consider(gain(
        [...op.get(SUM_G), ...op.get(PRESENT_G), ...op.f64Sub], [...op.get(SUM_H), ...op.get(PRESENT_H), ...op.f64Sub],
      ), [
        ...valueOf(entry(op.get(FROM))), ...op.tee(V), ...op.get(V), ...op.f64Abs, ...op.f64(1e-6), ...op.f64Mul,
        ...op.f64Sub, ...op.f64(1e-6), ...op.f64Sub,
      ], op.i32(1)),
    ])]),
    ...op.get(BEST_FEATURE), ...op.i32(0), ...op.ltS, ...op.if(), ...op.i32(0), ...op.return, ...op.end,
    ...op.get(OUT), ...op.get(BEST_GAIN), ...op.f64Store(0),
    ...op.get(OUT), ...op.get(BEST_THRESHOLD), ...op.f64Store(8),
    ...op.get(OUT), ...op.get(BEST_FEATURE), ...op.i32Store(16),
    ...op.get(OUT), ...op.get(BEST_DEFAULT), ...op.i32Store(20),
    ...op.i32(1),
  ];
})();

let compiled: WebAssembly.Module | undefined;

/**
 * The memory the kernels work in, for trees on a matrix of `rows` × `cols` with `nonZero` non-zero entries and
 * at most `maxNodes` nodes per tree: every feature's non-zero rows in value order (the presorted lists and the
 * working copy partitioned by node), the segments, the rows' routing and gradients, the matrix column by column,
 * and the first pass's blocks.
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
  /** per row, its gradient and hessian side by side (pairUp) */
  private readonly pairs: Block<Float64Array>;
  /** pairUp's sums of grad and hess */
  readonly rootSums: Block<Float64Array>;
  /** feature f's value of row r at f · rows + r; feature f's non-zero entries in the presorted lists are start[f] … start[f+1]−1 */
  readonly byColumn: Block<Float64Array>;
  readonly start: Block<Int32Array>;
  /** one feature's blocks in the first pass */
  private readonly startG: Block<Float64Array>;
  private readonly startH: Block<Float64Array>;
  private readonly minG: Block<Float64Array>;
  private readonly maxG: Block<Float64Array>;
  private readonly endH: Block<Float64Array>;
  /** the tree being grown, by node (the rest of it is in boosting-tree.ts), and each row's node (−1 once at a leaf) or leaf */
  readonly feature: Block<Int32Array>;
  readonly threshold: Block<Float64Array>;
  readonly defaultLeft: Block<Uint8Array>;
  readonly left: Block<Int32Array>;
  readonly right: Block<Int32Array>;
  readonly position: Block<Int32Array>;
  readonly leaf: Block<Int32Array>;
  /** per child node, the gradient and hessian sums and the count of the rows routed to it */
  readonly childG: Block<Float64Array>;
  readonly childH: Block<Float64Array>;
  readonly childCount: Block<Int32Array>;
  /** find's result: gain and threshold, then feature and default as i32 */
  private readonly best: Block<Float64Array>;
  private readonly bestInts: Int32Array;
  private readonly partitionKernel: (
    node: number, l: number, r: number, fromRows: number, rows: number, spare: number, goLeft: number, lo: number, hi: number,
    cols: number, stride: number,
  ) => void;
  private readonly routeKernel: (
    rows: number, position: number, feature: number, threshold: number, defaultLeft: number, left: number, right: number,
    byColumn: number, grad: number, hess: number, goLeft: number, leaf: number, childG: number, childH: number, childCount: number,
  ) => void;
  private readonly findKernel: (
    node: number, entries: number, rowsIn: number, sumG: number, sumH: number, lambda: number, minChildWeight: number,
    lo: number, hi: number, stride: number, cols: number, rows: number, grad: number, hess: number, byColumn: number,
    start: number, startG: number, startH: number, minG: number, maxG: number, endH: number, out: number, pairs: number,
  ) => number;
  private readonly pairUpKernel: (grad: number, hess: number, pairs: number, rows: number, sums: number) => void;
  /** the kernels' gain and bound, for tests against boosting-split.ts */
  readonly gainWithin: (
    gl: number, hl: number, sumG: number, sumH: number, parentScore: number, lambda: number, minChildWeight: number, limit: number,
  ) => number;
  readonly boxWithin: (
    gMin: number, gMax: number, hMin: number, hMax: number, sumG: number, sumH: number, lambda: number, minChildWeight: number, limit: number,
  ) => number;
  /** two candidates' answers (bits 0 and 1: not rejected by gainWithin) of the scan's paired filter */
  readonly filterPair: (
    gl0: number, hl0: number, gl1: number, hl1: number, sumG: number, sumH: number, lambda: number, minChildWeight: number, limit: number,
  ) => number;
  /** two boxes' answers (bits 0 and 1) of the second pass's paired test */
  readonly boxPair: (
    gMin0: number, gMax0: number, hMin0: number, hMax0: number, gMin1: number, gMax1: number, hMin1: number, hMax1: number,
    sumG: number, sumH: number, lambda: number, minChildWeight: number, limit: number,
  ) => number;

  constructor(private readonly numRows: number, private readonly cols: number, nonZero: number, private readonly maxNodes: number) {
    const blocks = Math.ceil(numRows / BLOCK) + 1; // a feature's b ≤ rows entries make ⌈(b − 1) / BLOCK⌉ blocks
    const bytes = [
      ...[nonZero, nonZero, nonZero, cols * maxNodes, cols * maxNodes].map((n) => n * 4), numRows, numRows * 8, numRows * 8, numRows * 16, 16,
      numRows * cols * 8, (cols + 1) * 4, ...Array.from({ length: 5 }, () => blocks * 8), 24,
      maxNodes * 4, maxNodes * 8, maxNodes, maxNodes * 4, maxNodes * 4, numRows * 4, numRows * 4, maxNodes * 8, maxNodes * 8, maxNodes * 4,
    ];
    const f64s = (count: number) => Array.from({ length: count }, () => F64);
    compiled ??= new WebAssembly.Module(encodeModule([
      { name: 'partition', params: i32s(11), i32: 9, body: partition },
      { name: 'gainWithin', params: f64s(8), result: F64, f64: 5, body: gainWithin },
      { name: 'boxWithin', params: f64s(9), result: I32, f64: 8, body: boxWithin },
      { name: 'filterLimit', params: f64s(2), result: F64, body: filterLimit },
      { name: 'find', params: [...i32s(3), ...f64s(4), ...i32s(16)], result: I32, i32: 17, f64: FIND_F64, v128: FIND_V128, body: find },
      { name: 'boxPair', params: f64s(13), result: I32, v128: 19, body: boxPair },
      { name: 'filterPair', params: f64s(9), result: I32, v128: 12, body: filterPair },
      { name: 'route', params: i32s(15), i32: 5, f64: 1, body: route },
      { name: 'pairUp', params: i32s(5), i32: 1, f64: 2, body: pairUp },
    ]));
    super(compiled, WasmMemory.total(bytes));
    this.sortedRows = this.i32(nonZero);
    this.rows = this.i32(nonZero);
    this.spareRows = this.i32(nonZero);
    this.lo = this.i32(cols * maxNodes);
    this.hi = this.i32(cols * maxNodes);
    this.goLeft = this.u8(numRows);
    this.grad = this.f64(numRows);
    this.hess = this.f64(numRows);
    this.pairs = this.f64(2 * numRows);
    this.rootSums = this.f64(2);
    this.byColumn = this.f64(numRows * cols);
    this.start = this.i32(cols + 1);
    this.startG = this.f64(blocks);
    this.startH = this.f64(blocks);
    this.minG = this.f64(blocks);
    this.maxG = this.f64(blocks);
    this.endH = this.f64(blocks);
    this.best = this.f64(3);
    this.bestInts = new Int32Array(this.memory.buffer, this.best.at + 16, 2);
    this.feature = this.i32(maxNodes);
    this.threshold = this.f64(maxNodes);
    this.defaultLeft = this.u8(maxNodes);
    this.left = this.i32(maxNodes);
    this.right = this.i32(maxNodes);
    this.position = this.i32(numRows);
    this.leaf = this.i32(numRows);
    this.childG = this.f64(maxNodes);
    this.childH = this.f64(maxNodes);
    this.childCount = this.i32(maxNodes);
    this.routeKernel = this.exports.route as BoostingKernels['routeKernel'];
    this.partitionKernel = this.exports.partition as BoostingKernels['partitionKernel'];
    this.findKernel = this.exports.find as BoostingKernels['findKernel'];
    this.pairUpKernel = this.exports.pairUp as BoostingKernels['pairUpKernel'];
    this.gainWithin = this.exports.gainWithin as BoostingKernels['gainWithin'];
    this.boxWithin = this.exports.boxWithin as BoostingKernels['boxWithin'];
    this.boxPair = this.exports.boxPair as BoostingKernels['boxPair'];
    this.filterPair = this.exports.filterPair as BoostingKernels['filterPair'];
  }

  /** Splits every feature's segment of `node`, read from `from` (sortedRows or rows), into l's and r's in rows, by goLeft. */
  partition(node: number, l: number, r: number, from: Block<Int32Array>): void {
    this.partitionKernel(node, l, r, from.at, this.rows.at, this.spareRows.at, this.goLeft.at, this.lo.at, this.hi.at, this.cols, this.maxNodes);
  }

  /**
   * Sets the rows' gradient and hessian pairs from grad and hess: once per tree, before its first `find`. The sums
   * of grad and of hess over all rows (in row order, from 0) are then rootSums.view[0] and [1].
   */
  pairUp(): void {
    this.pairUpKernel(this.grad.at, this.hess.at, this.pairs.at, this.numRows, this.rootSums.at);
  }

  /** Routes every row one level down (see `route` above); the children's sums and counts start from 0. */
  route(): void {
    this.childG.view.fill(0);
    this.childH.view.fill(0);
    this.childCount.view.fill(0);
    this.routeKernel(
      this.numRows, this.position.at, this.feature.at, this.threshold.at, this.defaultLeft.at, this.left.at, this.right.at,
      this.byColumn.at, this.grad.at, this.hess.at, this.goLeft.at, this.leaf.at, this.childG.at, this.childH.at, this.childCount.at,
    );
  }

  /**
   * The best split of `node` (gradient sums sumG, sumH over rowsIn rows), its entries in `entries` (sortedRows or
   * rows) at the segments lo … hi, into `out`; false when there is none. See `find` above and boosting-split.ts.
   */
  find(node: number, entries: Block<Int32Array>, rowsIn: number, sumG: number, sumH: number, options: TreeOptions, out: Split): boolean {
    const found = this.findKernel(
      node, entries.at, rowsIn, sumG, sumH, options.lambda, options.minChildWeight, this.lo.at, this.hi.at, this.maxNodes,
      this.cols, this.numRows, this.grad.at, this.hess.at, this.byColumn.at, this.start.at, this.startG.at, this.startH.at,
      this.minG.at, this.maxG.at, this.endH.at, this.best.at, this.pairs.at,
    );
    if (found === 0) return false;
    out.gain = this.best.view[0];
    out.threshold = this.best.view[1];
    out.feature = this.bestInts[0];
    out.defaultLeft = this.bestInts[1];
    return true;
  }
}
