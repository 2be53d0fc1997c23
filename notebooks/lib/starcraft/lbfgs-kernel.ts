// L-BFGS's vector work in WebAssembly (wasm.ts): the two-loop recursion, the line search's trial points and the
// new (s, y) pair, on vectors held in the kernel's memory, with no bounds check per read and no allocation per
// iteration. Every number is the one the JavaScript loops of reference/lbfgs-exact.ts compute, to the bit:
// - a dot product is one accumulator summed in index order (s + a·b, from 0), as there; two dot products of the
//   same pass (s·y and y·y of a new pair) are two accumulators, each in its own order;
// - an element-wise update (d − a·y, d · γ, d + s·c, x + t·d, −d) is the same product and sum per element, two
//   elements per f64x2 operation (lane by lane the same IEEE double operation, never fused), the odd last one alone.
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

/** v[i] = f(v[i]) element-wise, `f` given the element (f64 or f64x2) on the stack and whether it is a pair. */
function update(v: number, n: number, i: number, f: (pair: boolean) => Code): Code {
  return byPairs(i, n,
    [...address(v, i, 8), ...address(v, i, 8), ...op.v128Load(), ...f(true), ...op.v128Store()],
    [...address(v, i, 8), ...address(v, i, 8), ...op.f64Load(), ...f(false), ...op.f64Store()]);
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
const twoLoop = (() => {
  const [N, G, D, PAIRS, COUNT, GAMMA] = [0, 1, 2, 3, 4, 5];
  const [I, K, REC, S, Y] = [6, 7, 8, 9, 10]; // i32
  const [A, SUM] = [11, 12]; // f64
  const AV = 13; // v128: a coefficient in both lanes
  const record = [...op.get(PAIRS), ...op.get(K), ...op.i32(5), ...op.shl, ...op.add, ...op.tee(REC),
    ...op.i32Load(0), ...op.set(S), ...op.get(REC), ...op.i32Load(4), ...op.set(Y)];
  const coefficient = (pair: boolean): Code => op.get(pair ? AV : A);
  return [
    ...op.get(D), ...op.get(G), ...op.get(N), ...op.i32(3), ...op.shl, ...op.memoryCopy,
    ...op.get(COUNT), ...op.set(K),
    ...op.block(), ...op.loop,
    ...op.get(K), ...op.eqz, ...op.brIf(1),
    ...op.get(K), ...op.i32(1), ...op.sub, ...op.set(K),
    ...record,
    ...dot(S, D, N, I, SUM),
    ...op.get(REC), ...op.get(REC), ...op.f64Load(8), ...op.get(SUM), ...op.f64Mul, ...op.tee(A), ...op.f64Store(16),
    ...op.get(A), ...op.f64x2Splat, ...op.set(AV),
    // d − α y
    ...update(D, N, I, (pair) => [
      ...coefficient(pair), ...address(Y, I, 8), ...(pair ? [...op.v128Load(), ...op.f64x2Mul, ...op.f64x2Sub] : [...op.f64Load(), ...op.f64Mul, ...op.f64Sub]),
    ]),
    ...op.br(0),
    ...op.end, ...op.end,
    ...op.get(GAMMA), ...op.f64x2Splat, ...op.set(AV), ...op.get(GAMMA), ...op.set(A),
    ...update(D, N, I, (pair) => [...coefficient(pair), ...(pair ? op.f64x2Mul : op.f64Mul)]),
    ...op.i32(0), ...op.set(K),
    ...countUp(K, COUNT, [
      ...record,
      ...dot(Y, D, N, I, SUM),
      // α − ρ (y·d)
      ...op.get(REC), ...op.f64Load(16), ...op.get(REC), ...op.f64Load(8), ...op.get(SUM), ...op.f64Mul, ...op.f64Sub, ...op.tee(A),
      ...op.f64x2Splat, ...op.set(AV),
      // d + s c
      ...update(D, N, I, (pair) => [
        ...address(S, I, 8), ...(pair ? [...op.v128Load(), ...op.get(AV), ...op.f64x2Mul, ...op.f64x2Add] : [...op.f64Load(), ...op.get(A), ...op.f64Mul, ...op.f64Add]),
      ]),
    ]),
    ...update(D, N, I, (pair) => (pair ? opMore.f64x2Neg : opMore.f64Neg)),
    ...dot(G, D, N, I, SUM),
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
      { name: 'twoLoop', params: [...i32s(5), F64], result: F64, i32: 5, f64: 2, v128: 1, body: twoLoop },
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
