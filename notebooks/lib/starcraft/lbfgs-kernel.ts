// L-BFGS's vector work in WebAssembly (wasm.ts): the two-loop recursion, the line search's trial points and the
// new (s, y) pair, on vectors held in the kernel's memory, with no bounds check per read and no allocation per
// iteration. Every number is the one the JavaScript loops of reference/lbfgs-exact.ts compute, to the bit:
// - a dot product is one accumulator summed in index order (s + a·b, from 0), as there; two dot products of the
//   same pass (s·y and y·y of a new pair) are two accumulators, each in its own order;
// - an element-wise update (d − a·y, d · γ, d + s·c, −d, x + t·d) is the same product and sum per element: in the
//   two-loop recursion, element by element in the pass of the dot product that follows it; for the trial points,
//   two elements per f64x2 operation (lane by lane the same IEEE double operation, never fused), the odd last one alone.
import { address, type Code, countUp, encodeModule, F64, I32, i32s, op, opMore, WasmMemory } from './wasm.ts';

/** Bytes per (s, y) pair record in the pair table: s's address (i32), y's (i32), ρ = 1/(s·y) (f64), α (f64). */
export const PAIR_BYTES = 32;

/** `for (i = 0; i + 2 ≤ n; i += 2) pair; if (i < n) last`: pairs of elements by f64x2, then the odd last one. */
function byPairs(i: number, n: number, pair: Code, last: Code): Code {
  return [
    ...op.i32(0), ...op.set(i),
    ...op.block(), ...op.loop,
    ...op.get(i), ...op.i32(2), ...op.add, ...op.get(n), ...op.gtU, ...op.brIf(1),
    ...pair,
    ...op.get(i), ...op.i32(2), ...op.add, ...op.set(i),
    ...op.br(0),
    ...op.end, ...op.end,
    ...op.get(i), ...op.get(n), ...op.ltU, ...op.if(), ...last, ...op.end,
  ];
}

/** sum = Σ a[i]·b[i] for i < n, in order from 0 (a, b: byte addresses in locals). */
function dot(a: number, b: number, n: number, i: number, sum: number): Code {
  return [
    ...op.f64(0), ...op.set(sum), ...op.i32(0), ...op.set(i),
    ...countUp(i, n, [
      ...op.get(sum), ...address(a, i, 8), ...op.f64Load(), ...address(b, i, 8), ...op.f64Load(), ...op.f64Mul, ...op.f64Add, ...op.set(sum),
    ]),
  ];
}

// maxAbs(v, n) → f64: m = max(m, |v[i]|) from m = 0, as Math.max (both give NaN if any is NaN; no −0 arises).
const maxAbs = (() => {
  const [V, N, I] = [0, 1, 2];
  const M = 3; // f64
  return [
    ...op.f64(0), ...op.set(M), ...op.i32(0), ...op.set(I),
    ...countUp(I, N, [...op.get(M), ...address(V, I, 8), ...op.f64Load(), ...op.f64Abs, ...op.f64Max, ...op.set(M)]),
    ...op.get(M),
  ];
})();

// twoLoop(n, g, d, pairs, count, gamma) → f64: d = −H·g by the two-loop recursion over the `count` pair records
// at `pairs` (oldest first), with γ the initial scaling; returns the slope g·d.
//   d = g; for k = count−1 … 0: α_k = ρ_k (s_k·d), d = d − α_k y_k
//   d = d · γ; for k = 0 … count−1: β = ρ_k (y_k·d), d = d + s_k (α_k − β)
//   d = −d
// Each update of d is done in one pass with the dot product that follows it (s_{k−1}·d, y_0·d after the scaling,
// y_{k+1}·d, and g·d after the negation), element by element: d[i] is updated (the same operations, so the same
// value) and then added to that dot product, which keeps its order; the updates then cost little beside the
// dot product's chain of additions.
const twoLoop = (() => {
  const [N, G, D, PAIRS, COUNT, GAMMA] = [0, 1, 2, 3, 4, 5];
  const [I, K, REC, S, Y, NEXT, SOURCE] = [6, 7, 8, 9, 10, 11, 12]; // i32: NEXT the next dot product's other vector, SOURCE d's (g at first)
  const [A, SUM, T] = [13, 14, 15]; // f64
  /** record k's address, s's and y's */
  const record = [...op.get(PAIRS), ...op.get(K), ...op.i32(5), ...op.shl, ...op.add, ...op.tee(REC),
    ...op.i32Load(0), ...op.set(S), ...op.get(REC), ...op.i32Load(4), ...op.set(Y)];
  /** NEXT = the vector at offset `offset` (0: s, 4: y) of record K + `delta` */
  const nextOf = (delta: number, offset: number): Code => [
    ...op.get(PAIRS), ...op.get(K), ...op.i32(delta), ...op.add, ...op.i32(5), ...op.shl, ...op.add, ...op.i32Load(offset), ...op.set(NEXT),
  ];
  /** for each i in order: d[i] = `value` (from the element loads it makes), then SUM += next[i] · d[i], from 0 */
  const pass = (value: Code): Code => [
    ...op.f64(0), ...op.set(SUM), ...op.i32(0), ...op.set(I),
    ...countUp(I, N, [
      ...address(D, I, 8), ...value, ...op.tee(T), ...op.f64Store(),
      ...op.get(SUM), ...address(NEXT, I, 8), ...op.f64Load(), ...op.get(T), ...op.f64Mul, ...op.f64Add, ...op.set(SUM),
    ]),
  ];
  const element = (vector: number): Code => [...address(vector, I, 8), ...op.f64Load()];
  /** source[i] − α y[i] */
  const minusAlphaY = [...element(SOURCE), ...op.get(A), ...element(Y), ...op.f64Mul, ...op.f64Sub];
  /** d[i] + s[i] c (c in A) */
  const plusSC = [...element(D), ...element(S), ...op.get(A), ...op.f64Mul, ...op.f64Add];
  return [
    ...op.get(COUNT), ...op.eqz, ...op.if(),
    // no pair: d = −(g γ), slope g·d
    ...op.get(G), ...op.set(NEXT),
    ...pass([...element(G), ...op.get(GAMMA), ...op.f64Mul, ...opMore.f64Neg]),
    ...op.get(SUM), ...op.return,
    ...op.end,
    // first loop, from the newest pair: SUM = s_k·d with d = g
    ...op.get(G), ...op.set(SOURCE),
    ...op.get(COUNT), ...op.i32(1), ...op.sub, ...op.set(K),
    ...record,
    ...dot(S, G, N, I, SUM),
    ...op.block(), ...op.loop,
    // α_k = ρ_k (s_k·d)
    ...op.get(REC), ...op.get(REC), ...op.f64Load(8), ...op.get(SUM), ...op.f64Mul, ...op.tee(A), ...op.f64Store(16),
    ...op.get(K), ...op.if(),
    // d = d − α_k y_k, with s_{k−1}·d
    ...nextOf(-1, 0), ...pass(minusAlphaY),
    ...op.else,
    // d = (d − α_0 y_0) γ, with y_0·d (the second loop's first)
    ...nextOf(0, 4), ...pass([...minusAlphaY, ...op.get(GAMMA), ...op.f64Mul]),
    ...op.end,
    ...op.get(D), ...op.set(SOURCE),
    ...op.get(K), ...op.eqz, ...op.brIf(1),
    ...op.get(K), ...op.i32(1), ...op.sub, ...op.set(K),
    ...record,
    ...op.br(0),
    ...op.end, ...op.end,
    // second loop, from the oldest pair (K = 0, its record read): SUM = y_k·d
    ...op.block(), ...op.loop,
    // c = α_k − ρ_k (y_k·d)
    ...op.get(REC), ...op.f64Load(16), ...op.get(REC), ...op.f64Load(8), ...op.get(SUM), ...op.f64Mul, ...op.f64Sub, ...op.set(A),
    ...op.get(K), ...op.i32(1), ...op.add, ...op.get(COUNT), ...op.ltU, ...op.if(),
    // d = d + s_k c, with y_{k+1}·d
    ...nextOf(1, 4), ...pass(plusSC),
    ...op.else,
    // the last: d = −(d + s_k c), with the slope g·d
    ...op.get(G), ...op.set(NEXT), ...pass([...plusSC, ...opMore.f64Neg]),
    ...op.br(2), // out of the loop
    ...op.end,
    ...op.get(K), ...op.i32(1), ...op.add, ...op.set(K),
    ...record,
    ...op.br(0),
    ...op.end, ...op.end,
    ...op.get(SUM),
  ];
})();

// trial(n, x, d, step, out): out = x + step · d.
const trial = (() => {
  const [N, X, D, STEP, OUT] = [0, 1, 2, 3, 4];
  const I = 5; // i32
  const SV = 6; // v128
  return [
    ...op.get(STEP), ...op.f64x2Splat, ...op.set(SV),
    ...byPairs(I, N,
      [...address(OUT, I, 8), ...address(X, I, 8), ...op.v128Load(), ...op.get(SV), ...address(D, I, 8), ...op.v128Load(), ...op.f64x2Mul,
        ...op.f64x2Add, ...op.v128Store()],
      [...address(OUT, I, 8), ...address(X, I, 8), ...op.f64Load(), ...op.get(STEP), ...address(D, I, 8), ...op.f64Load(), ...op.f64Mul,
        ...op.f64Add, ...op.f64Store()]),
  ];
})();

// pair(n, x, next, g, nextGradient, s, y, out): s = next − x, y = nextGradient − g; out[0] = s·y, out[1] = y·y
// (each summed in index order from 0).
const pair = (() => {
  const [N, X, NEXT, G, NEXT_G, S, Y, OUT] = [0, 1, 2, 3, 4, 5, 6, 7];
  const I = 8; // i32
  const [SI, YI, SY, YY] = [9, 10, 11, 12]; // f64
  return [
    ...op.f64(0), ...op.set(SY), ...op.f64(0), ...op.set(YY), ...op.i32(0), ...op.set(I),
    ...countUp(I, N, [
      ...address(S, I, 8), ...address(NEXT, I, 8), ...op.f64Load(), ...address(X, I, 8), ...op.f64Load(), ...op.f64Sub, ...op.tee(SI), ...op.f64Store(),
      ...address(Y, I, 8), ...address(NEXT_G, I, 8), ...op.f64Load(), ...address(G, I, 8), ...op.f64Load(), ...op.f64Sub, ...op.tee(YI), ...op.f64Store(),
      ...op.get(SY), ...op.get(SI), ...op.get(YI), ...op.f64Mul, ...op.f64Add, ...op.set(SY),
      ...op.get(YY), ...op.get(YI), ...op.get(YI), ...op.f64Mul, ...op.f64Add, ...op.set(YY),
    ]),
    ...op.get(OUT), ...op.get(SY), ...op.f64Store(0), ...op.get(OUT), ...op.get(YY), ...op.f64Store(8),
  ];
})();

let compiled: WebAssembly.Module | undefined;

/** A memory of `bytes` (blocks for the vectors and the pair table are taken from it in order) with the kernel bound to it. */
export class LbfgsKernel extends WasmMemory {
  readonly maxAbs: (v: number, n: number) => number;
  readonly twoLoop: (n: number, g: number, d: number, pairs: number, count: number, gamma: number) => number;
  readonly trial: (n: number, x: number, d: number, step: number, out: number) => void;
  readonly pair: (n: number, x: number, next: number, g: number, nextGradient: number, s: number, y: number, out: number) => void;

  constructor(bytes: number) {
    compiled ??= new WebAssembly.Module(encodeModule([
      { name: 'maxAbs', params: i32s(2), result: F64, i32: 1, f64: 1, body: maxAbs },
      { name: 'twoLoop', params: [...i32s(5), F64], result: F64, i32: 7, f64: 3, body: twoLoop },
      { name: 'trial', params: [I32, I32, I32, F64, I32], i32: 1, v128: 1, body: trial },
      { name: 'pair', params: i32s(8), i32: 1, f64: 4, body: pair },
    ]));
    super(compiled, bytes);
    this.maxAbs = this.exports.maxAbs as LbfgsKernel['maxAbs'];
    this.twoLoop = this.exports.twoLoop as LbfgsKernel['twoLoop'];
    this.trial = this.exports.trial as LbfgsKernel['trial'];
    this.pair = this.exports.pair as LbfgsKernel['pair'];
  }
}
