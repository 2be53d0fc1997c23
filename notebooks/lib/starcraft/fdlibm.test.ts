import { describe, expect, it } from 'vitest';
import { expBlock, expFunc, logFunc } from './fdlibm.ts';
import { mulberry32 } from './random.ts';
import { encodeModule, F64, op, WasmMemory } from './wasm.ts';

// exp as a function, and inlined (as the softmax kernel has it, its locals reused from one call to the next)
const expInlined = {
  name: 'expInlined', params: [F64], result: F64, i32: 4, f64: 7,
  body: [...op.get(0), ...op.set(5), ...expBlock({ x: 5, hx: 1, xsb: 2, k: 3, lx: 4, hi: 6, lo: 7, c: 8, t: 9, twopk: 10, y: 11 })],
};
const kernels = new WasmMemory(new WebAssembly.Module(encodeModule([expFunc, logFunc, expInlined])), 0).exports;
const wasmExp = kernels.exp as (x: number) => number;
const wasmExpInlined = kernels.expInlined as (x: number) => number;
const wasmLog = kernels.log as (x: number) => number;

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);
/** the double with these words */
const fromWords = (high: number, low: number) => {
  words[1] = high;
  words[0] = low;
  return bits[0];
};
/** The first argument where `mine` and `reference` differ in their bits (NaN: any NaN), or undefined. */
function firstDifference(xs: Iterable<number>, mine: (x: number) => number, reference: (x: number) => number): string | undefined {
  const a = new Float64Array(1);
  const b = new Float64Array(1);
  const aw = new Uint32Array(a.buffer);
  const bw = new Uint32Array(b.buffer);
  for (const x of xs) {
    a[0] = mine(x);
    b[0] = reference(x);
    if (Number.isNaN(a[0]) && Number.isNaN(b[0])) continue;
    if (aw[0] !== bw[0] || aw[1] !== bw[1]) return `x = ${x}: ${a[0]} instead of ${b[0]}`;
  }
  return undefined;
}

const EDGES = [
  0, -0, NaN, Infinity, -Infinity, 1, -1, 0.5, 2, Number.MIN_VALUE, -Number.MIN_VALUE, Number.MAX_VALUE, -Number.MAX_VALUE,
  2 ** -1022, 2 ** -1022 - Number.MIN_VALUE, 2 ** -1074 * 3, Math.LN2, Math.LN2 / 2, 1.5 * Math.LN2, 2 ** -28, -(2 ** -28), 2 ** -30,
  7.09782712893383973096e+02, -7.45133219101941108420e+02, 709.78, 709.79, -745.13, -745.14, 1024 * Math.LN2, -1021 * Math.LN2,
  -1022 * Math.LN2, -1080 * Math.LN2, Math.SQRT2, Math.SQRT1_2, 1 + 2 ** -20, 1 - 2 ** -20, 1 + 2 ** -52, 1 - 2 ** -53,
];

/** Random doubles of every exponent (both signs), then near 1, then in exp's working range. */
function* samples(seed: number, count: number): Generator<number> {
  const random = mulberry32(seed);
  const u32 = () => Math.floor(random() * 2 ** 32) >>> 0;
  for (let i = 0; i < count; i++) yield fromWords(u32(), u32());
  for (let i = 0; i < count; i++) yield 1 + (random() - 0.5) * 2 ** -Math.floor(random() * 60);
  for (let i = 0; i < count; i++) yield (random() - 0.5) * 2 * 750;
  for (let i = 0; i < count; i++) yield -random() * 40; // the softmax's exp(score − max)
  for (let i = 0; i < count; i++) yield random(); // the softmax's log(probability)
  for (let i = 0; i < count; i++) yield random() * 2 ** -Math.floor(random() * 1080); // down to subnormals
}

/** Neighbours of x by one and two ulps either side, with x itself. */
function* around(xs: readonly number[]): Generator<number> {
  for (const x of xs) {
    bits[0] = x;
    const [low, high] = [words[0], words[1]];
    for (let d = -2; d <= 2; d++) yield fromWords(high + (low + d < 0 ? -1 : low + d >= 2 ** 32 ? 1 : 0), (low + d) >>> 0);
  }
}

describe('fdlibm exp and log in WebAssembly', () => {
  it('give the bits of Math.exp and Math.log at the edge cases and their neighbours', () => {
    expect(firstDifference(around(EDGES), wasmExp, Math.exp)).toBeUndefined();
    expect(firstDifference(around(EDGES), wasmLog, Math.log)).toBeUndefined();
    expect(firstDifference(around(EDGES.map((x) => -x)), wasmExp, Math.exp)).toBeUndefined();
    expect(firstDifference(around([...EDGES, ...EDGES.map((x) => -x)]), wasmExpInlined, Math.exp)).toBeUndefined();
  });

  it('give the bits of Math.exp and Math.log on random doubles of every range', () => {
    expect(firstDifference(samples(1, 400_000), wasmExp, Math.exp)).toBeUndefined();
    expect(firstDifference(samples(3, 200_000), wasmExpInlined, Math.exp)).toBeUndefined();
    expect(firstDifference(samples(2, 400_000), wasmLog, Math.log)).toBeUndefined();
  });
});
