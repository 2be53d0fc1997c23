// exp and log in WebAssembly, for the kernels that need them with no call out to JavaScript: the algorithms of
// fdlibm's e_exp.c and e_log.c, which V8 (src/base/ieee754.cc, Node.js 20's V8 11.3) runs for Math.exp and
// Math.log. Written again here operation for operation: the same constants, the same IEEE double operations in
// the same order, never fused, the same integer tests on the words of the double, so the results have the bits
// of Math.exp and Math.log (fdlibm.test.ts checks it on millions of arguments and the edge cases; a V8 that
// changed its exp or log would fail it). fdlibm's notice, which its algorithms and constants carry:
//
// ====================================================
// Copyright (C) 1993 by Sun Microsystems, Inc. All rights reserved.
//
// Developed at SunSoft, a Sun Microsystems, Inc. business.
// Permission to use, copy, modify, and distribute this
// software is freely granted, provided that this notice
// is preserved.
// ====================================================
import { type Code, F64, type Func, op } from './wasm.ts';

/** The high word of local `x` (an f64), as an i32. */
const highWord = (x: number): Code => [...op.get(x), ...op.i64FromF64Bits, ...op.i64(32), ...op.i64ShrU, ...op.i32FromI64];
/** The low word of local `x` (an f64), as an i32. */
const lowWord = (x: number): Code => [...op.get(x), ...op.i64FromF64Bits, ...op.i32FromI64];
/** The f64 whose words are `high` and `low` (both leave an i32). */
const fromWords = (high: Code, low: Code): Code => [
  ...high, ...op.i64FromI32U, ...op.i64(32), ...op.i64Shl, ...low, ...op.i64FromI32U, ...op.i64Or, ...op.f64FromI64Bits,
];
/** `if (condition) return value` */
const returnIf = (condition: Code, value: Code): Code => [...condition, ...op.if(), ...value, ...op.return, ...op.end];
/** horner(t, [P1, …, Pn]) = P1 + t·(P2 + t·(… + t·Pn)), innermost first */
const horner = (t: number, coefficients: readonly number[]): Code => {
  const [first, ...rest] = coefficients;
  return rest.length === 0 ? op.f64(first) : [...op.f64(first), ...op.get(t), ...horner(t, rest), ...op.f64Mul, ...op.f64Add];
};

const HUGE = 1.0e+300;
const TWO_M1000 = 9.33263618503218878990e-302; // 2^-1000
const LN2_HI = 6.93147180369123816490e-01;
const LN2_LO = 1.90821492927058770002e-10;

/** Where exp's argument (changed by it) and scratch are: locals, by index (i32: hx, xsb, k, lx; f64: the rest). */
export interface ExpLocals {
  x: number; hx: number; xsb: number; k: number; lx: number; hi: number; lo: number; c: number; t: number; twopk: number; y: number;
}

/**
 * exp(x), Math.exp's bits, on the locals `at`: leaves the f64 on the stack, or `leave(depth)` with it from `depth`
 * constructs deep (a return in a function; a branch to the end of a value block when inlined in a loop, which
 * saves the call).
 */
export function expCode(at: ExpLocals, leave: (depth: number) => Code): Code {
  const { x: X, hx: HX, xsb: XSB, k: K, lx: LX, hi: HI, lo: LO, c: C, t: T, twopk: TWOPK, y: Y } = at;
  const INVLN2 = 1.44269504088896338700e+00;
  const P = [1.66666666666666019037e-01, -2.77777777770155933842e-03, 6.61375632143793436117e-05, -1.65339022054652515390e-06,
    4.13813679705723846039e-08];
  /** `if (condition) leave with value`, written `depth` constructs deep */
  const leaveIf = (depth: number, condition: Code, value: Code): Code => [...condition, ...op.if(), ...value, ...leave(depth + 1), ...op.end];
  /** the constant `positive` when x ≥ 0 (xsb = 0), else −positive */
  const bySign = (positive: number): Code => [...op.f64(-positive), ...op.f64(positive), ...op.get(XSB), ...op.select];
  /** INSERT_WORDS(twopk, 0x3FF00000 + (exponent << 20), 0) */
  const twoTo = (exponent: Code): Code => fromWords([...exponent, ...op.i32(20), ...op.shl, ...op.i32(0x3ff00000), ...op.add], op.i32(0));
  return [
    ...highWord(X), ...op.tee(HX), ...op.i32(31), ...op.shrU, ...op.set(XSB),
    ...op.get(HX), ...op.i32(0x7fffffff), ...op.and, ...op.set(HX),
    ...op.i32(0), ...op.set(K), ...op.f64(0), ...op.set(HI), ...op.f64(0), ...op.set(LO),
    // not finite, or |x| ≥ 709.78…
    ...op.get(HX), ...op.i32(0x40862e42), ...op.geU, ...op.if(),
    ...op.get(HX), ...op.i32(0x7ff00000), ...op.geU, ...op.if(),
    ...lowWord(X), ...op.set(LX),
    ...leaveIf(2, [...op.get(HX), ...op.i32(0xfffff), ...op.and, ...op.get(LX), ...op.or], [...op.get(X), ...op.get(X), ...op.f64Add]), // NaN
    ...op.get(X), ...op.f64(0), ...op.get(XSB), ...op.eqz, ...op.select, ...leave(2), // exp(±∞) = ∞, 0
    ...op.end,
    ...leaveIf(1, [...op.get(X), ...op.f64(7.09782712893383973096e+02), ...op.f64Gt], [...op.f64(HUGE), ...op.f64(HUGE), ...op.f64Mul]),
    ...leaveIf(1, [...op.get(X), ...op.f64(-7.45133219101941108420e+02), ...op.f64Lt], [...op.f64(TWO_M1000), ...op.f64(TWO_M1000), ...op.f64Mul]),
    ...op.end,
    // argument reduction: x = k·ln2 + r, r = hi − lo
    ...op.get(HX), ...op.i32(0x3fd62e42), ...op.gtU, ...op.if(), // |x| > 0.5 ln2
    ...op.get(HX), ...op.i32(0x3ff0a2b2), ...op.ltU, ...op.if(), // and |x| < 1.5 ln2
    ...leaveIf(2, [...op.get(X), ...op.f64(1), ...op.f64Eq], op.f64(2.718281828459045)),
    ...op.get(X), ...bySign(LN2_HI), ...op.f64Sub, ...op.set(HI),
    ...bySign(LN2_LO), ...op.set(LO),
    ...op.i32(1), ...op.get(XSB), ...op.sub, ...op.get(XSB), ...op.sub, ...op.set(K),
    ...op.else,
    ...op.f64(INVLN2), ...op.get(X), ...op.f64Mul, ...bySign(0.5), ...op.f64Add, ...op.i32FromF64, ...op.tee(K),
    ...op.f64FromI32, ...op.set(T),
    ...op.get(X), ...op.get(T), ...op.f64(LN2_HI), ...op.f64Mul, ...op.f64Sub, ...op.set(HI),
    ...op.get(T), ...op.f64(LN2_LO), ...op.f64Mul, ...op.set(LO),
    ...op.end,
    ...op.get(HI), ...op.get(LO), ...op.f64Sub, ...op.set(X),
    ...op.else,
    ...op.get(HX), ...op.i32(0x3e300000), ...op.ltU, ...op.if(), // |x| < 2^-28
    ...leaveIf(2, [...op.f64(HUGE), ...op.get(X), ...op.f64Add, ...op.f64(1), ...op.f64Gt], [...op.f64(1), ...op.get(X), ...op.f64Add]),
    ...op.end,
    ...op.end,
    ...op.get(X), ...op.get(X), ...op.f64Mul, ...op.set(T),
    ...op.get(K), ...op.i32(-1021), ...op.geS, ...op.if(),
    ...twoTo(op.get(K)), ...op.set(TWOPK),
    ...op.else,
    ...twoTo([...op.get(K), ...op.i32(1000), ...op.add]), ...op.set(TWOPK),
    ...op.end,
    // c = x − t·(P1 + t·(P2 + t·(P3 + t·(P4 + t·P5))))
    ...op.get(X), ...op.get(T), ...horner(T, P), ...op.f64Mul, ...op.f64Sub, ...op.set(C),
    ...leaveIf(0, [...op.get(K), ...op.eqz], [
      ...op.f64(1), ...op.get(X), ...op.get(C), ...op.f64Mul, ...op.get(C), ...op.f64(2), ...op.f64Sub, ...op.f64Div, ...op.get(X), ...op.f64Sub,
      ...op.f64Sub,
    ]),
    // y = 1 − ((lo − (x·c)/(2 − c)) − hi)
    ...op.f64(1), ...op.get(LO), ...op.get(X), ...op.get(C), ...op.f64Mul, ...op.f64(2), ...op.get(C), ...op.f64Sub, ...op.f64Div, ...op.f64Sub,
    ...op.get(HI), ...op.f64Sub, ...op.f64Sub, ...op.set(Y),
    ...op.get(K), ...op.i32(-1021), ...op.geS, ...op.if(),
    ...leaveIf(1, [...op.get(K), ...op.i32(1024), ...op.eq], [...op.get(Y), ...op.f64(2), ...op.f64Mul, ...op.f64(2 ** 1023), ...op.f64Mul]),
    ...op.get(Y), ...op.get(TWOPK), ...op.f64Mul, ...leave(1),
    ...op.end,
    ...op.get(Y), ...op.get(TWOPK), ...op.f64Mul, ...op.f64(TWO_M1000), ...op.f64Mul,
  ];
}

/** exp(x) inlined: a block leaving it on the stack. */
export const expBlock = (at: ExpLocals): Code => [...op.block(F64), ...expCode(at, op.br), ...op.end];

/** exp(x) as a function: Math.exp's bits. */
export const expFunc: Func = {
  name: 'exp', params: [F64], result: F64, i32: 4, f64: 6,
  body: expCode({ x: 0, hx: 1, xsb: 2, k: 3, lx: 4, hi: 5, lo: 6, c: 7, t: 8, twopk: 9, y: 10 }, () => op.return),
};

/** log(x): Math.log's bits. */
export const logFunc: Func = (() => {
  const X = 0;
  const [HX, LX, K, I, J] = [1, 2, 3, 4, 5]; // i32
  const [F, S, Z, W, R, DK, HFSQ] = [6, 7, 8, 9, 10, 11, 12]; // f64
  const TWO54 = 1.80143985094819840000e+16;
  const LG_EVEN = [3.999999999940941908e-01, 2.222219843214978396e-01, 1.531383769920937332e-01]; // Lg2, Lg4, Lg6
  const LG_ODD = [6.666666666666735130e-01, 2.857142874366239149e-01, 1.818357216161805012e-01, 1.479819860511658591e-01]; // Lg1, 3, 5, 7
  /** dk·ln2_hi − ((a − dk·ln2_lo) − f), with `a` leaving an f64 */
  const scaled = (a: Code): Code => [
    ...op.get(DK), ...op.f64(LN2_HI), ...op.f64Mul, ...a, ...op.get(DK), ...op.f64(LN2_LO), ...op.f64Mul, ...op.f64Sub, ...op.get(F), ...op.f64Sub,
    ...op.f64Sub,
  ];
  const setDk = [...op.get(K), ...op.f64FromI32, ...op.set(DK)];
  const body: Code = [
    ...highWord(X), ...op.set(HX), ...lowWord(X), ...op.set(LX),
    ...op.i32(0), ...op.set(K),
    ...op.get(HX), ...op.i32(0x00100000), ...op.ltS, ...op.if(), // x < 2^-1022
    ...returnIf([...op.get(HX), ...op.i32(0x7fffffff), ...op.and, ...op.get(LX), ...op.or, ...op.eqz], op.f64(-Infinity)), // log(±0)
    ...returnIf([...op.get(HX), ...op.i32(0), ...op.ltS], op.f64(NaN)), // log(negative)
    ...op.get(K), ...op.i32(54), ...op.sub, ...op.set(K),
    ...op.get(X), ...op.f64(TWO54), ...op.f64Mul, ...op.set(X), // subnormal: scaled up
    ...highWord(X), ...op.set(HX),
    ...op.end,
    ...returnIf([...op.get(HX), ...op.i32(0x7ff00000), ...op.geS], [...op.get(X), ...op.get(X), ...op.f64Add]),
    ...op.get(K), ...op.get(HX), ...op.i32(20), ...op.shrS, ...op.i32(1023), ...op.sub, ...op.add, ...op.set(K),
    ...op.get(HX), ...op.i32(0xfffff), ...op.and, ...op.set(HX),
    ...op.get(HX), ...op.i32(0x95f64), ...op.add, ...op.i32(0x100000), ...op.and, ...op.set(I),
    // x or x/2 normalised into [√2/2, √2)
    ...fromWords([...op.get(HX), ...op.get(I), ...op.i32(0x3ff00000), ...op.xor, ...op.or], lowWord(X)), ...op.set(X),
    ...op.get(K), ...op.get(I), ...op.i32(20), ...op.shrS, ...op.add, ...op.set(K),
    ...op.get(X), ...op.f64(1), ...op.f64Sub, ...op.set(F),
    ...op.i32(0xfffff), ...op.i32(2), ...op.get(HX), ...op.add, ...op.and, ...op.i32(3), ...op.ltS, ...op.if(), // −2^-20 ≤ f < 2^-20
    ...op.get(F), ...op.f64(0), ...op.f64Eq, ...op.if(),
    ...returnIf([...op.get(K), ...op.eqz], op.f64(0)),
    ...setDk, ...op.get(DK), ...op.f64(LN2_HI), ...op.f64Mul, ...op.get(DK), ...op.f64(LN2_LO), ...op.f64Mul, ...op.f64Add, ...op.return,
    ...op.end,
    // R = f·f·(0.5 − 0.33333333333333333·f)
    ...op.get(F), ...op.get(F), ...op.f64Mul, ...op.f64(0.5), ...op.f64(0.33333333333333333), ...op.get(F), ...op.f64Mul, ...op.f64Sub,
    ...op.f64Mul, ...op.set(R),
    ...returnIf([...op.get(K), ...op.eqz], [...op.get(F), ...op.get(R), ...op.f64Sub]),
    ...setDk, ...scaled(op.get(R)), ...op.return,
    ...op.end,
    ...op.get(F), ...op.f64(2), ...op.get(F), ...op.f64Add, ...op.f64Div, ...op.set(S),
    ...setDk,
    ...op.get(S), ...op.get(S), ...op.f64Mul, ...op.set(Z),
    ...op.get(HX), ...op.i32(0x6147a), ...op.sub, ...op.set(I),
    ...op.get(Z), ...op.get(Z), ...op.f64Mul, ...op.set(W),
    ...op.i32(0x6b851), ...op.get(HX), ...op.sub, ...op.set(J),
    // R = t2 + t1: t2 = z·(Lg1 + w·(Lg3 + w·(Lg5 + w·Lg7))), t1 = w·(Lg2 + w·(Lg4 + w·Lg6))
    ...op.get(Z), ...horner(W, LG_ODD), ...op.f64Mul, ...op.get(W), ...horner(W, LG_EVEN), ...op.f64Mul, ...op.f64Add, ...op.set(R),
    ...op.get(I), ...op.get(J), ...op.or, ...op.i32(0), ...op.gtS, ...op.if(),
    ...op.f64(0.5), ...op.get(F), ...op.f64Mul, ...op.get(F), ...op.f64Mul, ...op.set(HFSQ),
    // s·(hfsq + R)
    ...returnIf([...op.get(K), ...op.eqz], [
      ...op.get(F), ...op.get(HFSQ), ...op.get(S), ...op.get(HFSQ), ...op.get(R), ...op.f64Add, ...op.f64Mul, ...op.f64Sub, ...op.f64Sub,
    ]),
    // dk·ln2_hi − ((hfsq − (s·(hfsq + R) + dk·ln2_lo)) − f)
    ...op.get(DK), ...op.f64(LN2_HI), ...op.f64Mul,
    ...op.get(HFSQ), ...op.get(S), ...op.get(HFSQ), ...op.get(R), ...op.f64Add, ...op.f64Mul, ...op.get(DK), ...op.f64(LN2_LO), ...op.f64Mul,
    ...op.f64Add, ...op.f64Sub, ...op.get(F), ...op.f64Sub, ...op.f64Sub, ...op.return,
    ...op.end,
    ...returnIf([...op.get(K), ...op.eqz], [
      ...op.get(F), ...op.get(S), ...op.get(F), ...op.get(R), ...op.f64Sub, ...op.f64Mul, ...op.f64Sub,
    ]),
    // dk·ln2_hi − ((s·(f − R) − dk·ln2_lo) − f)
    ...scaled([...op.get(S), ...op.get(F), ...op.get(R), ...op.f64Sub, ...op.f64Mul]),
  ];
  return { name: 'log', params: [F64], result: F64, i32: 5, f64: 7, body };
})();
