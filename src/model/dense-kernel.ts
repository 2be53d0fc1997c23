// The WebAssembly SIMD kernel of the dense runtime, y = x·W + b for one row, and the few bytes of encoder it needs:
// written out here so that there is no toolchain and no binary in the repository. f32x4.mul and f32x4.add are IEEE
// float32 operations rounded to nearest, never fused, so each lane computes exactly what the JavaScript
// `y[j] += Math.fround(x[i] * w[i][j])` computed (a float32 product, then a float32 sum), in the same order over i.

/** Encoded bytes: an instruction, a sequence of them, or part of a section. */
type Code = number[];

const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;

/** Unsigned LEB128: every count, size and index in a module. */
function leb128(n: number): Code {
  const out: Code = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

const vector = (items: Code[]): Code => [...leb128(items.length), ...items.flat()];
const section = (id: number, bytes: Code): Code => [id, ...leb128(bytes.length), ...bytes];
const name = (s: string): Code => vector([...new TextEncoder().encode(s)].map((byte) => [byte]));

/** Signed LEB128: i32.const's operand (64 in unsigned LEB128 would read back as -64). */
function sleb128(n: number): Code {
  const out: Code = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) return [...out, byte];
    out.push(byte | 0x80);
  }
}

const get = (local: number): Code => [0x20, ...leb128(local)];
const set = (local: number): Code => [0x21, ...leb128(local)];
const i32 = (n: number): Code => [0x41, ...sleb128(n)];
const i32Add: Code = [0x6a];
const i32Shl: Code = [0x74];
const i32LtU: Code = [0x49];
const f32Zero: Code = [0x43, 0, 0, 0, 0];
const f32Ne: Code = [0x5c];
/** f32.load with 4-byte alignment, offset 0 */
const f32Load: Code = [0x2a, 2, 0];
const end: Code = [0x0b];
/** SIMD instructions (prefix 0xfd, then the opcode in LEB128); loads and stores 16-byte aligned, offset 0. */
const v128Load: Code = [0xfd, 0x00, 4, 0];
const v128Store: Code = [0xfd, 0x0b, 4, 0];
const f32x4Splat: Code = [0xfd, 0x13];
const f32x4Add: Code = [0xfd, ...leb128(0xe4)];
const f32x4Mul: Code = [0xfd, ...leb128(0xe6)];

/** `do body; local += step; while (local < limit)` on i32 locals: for loops known to run at least once. */
function doWhile(local: number, step: number, limit: number, body: Code): Code {
  return [
    0x03, 0x40, // loop with no result: `br_if 0` goes back to its start
    ...body,
    ...get(local), ...i32(step), ...i32Add, ...set(local),
    ...get(local), ...get(limit), ...i32LtU, 0x0d, 0, // br_if 0
    ...end,
  ];
}

// The function's locals: its parameters (byte addresses, and counts), then the declared ones.
const X = 0; // the row of inputs, f32[inputs]
const W = 1; // the weights, f32[inputs][units4]; advanced by one row per input
const B = 2; // the bias, f32[units4]
const Y = 3; // the output row, f32[units4]
const INPUTS = 4;
const ROW_BYTES = 5; // units4 × 4: a multiple of 16, at least 16
const I = 6; // i32: the input's index
const J = 7; // i32: a byte offset into a row of units
const XI = 8; // f32: x[i]
const SPLAT = 9; // v128: x[i] in every lane

/** y[j]: the address Y + J. */
const yj: Code = [...get(Y), ...get(J), ...i32Add];

const denseBody: Code = [
  // y = 0, four lanes at a time.
  ...i32(0), ...set(J),
  ...doWhile(J, 16, ROW_BYTES, [...yj, ...f32Zero, ...f32x4Splat, ...v128Store]),
  // for (i = 0; i < inputs; i++, w += rowBytes): the sums run over i in order, as in JavaScript.
  ...i32(0), ...set(I),
  0x02, 0x40, // block: `br_if 1` from the loop leaves it
  0x03, 0x40, // loop
  ...get(I), ...get(INPUTS), ...i32LtU, 0x45, 0x0d, 1, // i32.eqz; br_if 1: i >= inputs
  ...get(X), ...get(I), ...i32(2), ...i32Shl, ...i32Add, ...f32Load, ...set(XI),
  // Skip x[i] == 0 (and -0) as the JavaScript's `=== 0` did (one-hot features, ReLU zeros): not only for speed, since
  // 0 × ±Infinity is NaN, a weight only this skip keeps out of the sum. NaN compares unequal and is summed, in both.
  ...get(XI), ...f32Zero, ...f32Ne, 0x04, 0x40, // if
  ...get(XI), ...f32x4Splat, ...set(SPLAT),
  ...i32(0), ...set(J),
  ...doWhile(J, 16, ROW_BYTES, [
    ...yj, // the store's address
    ...yj, ...v128Load,
    ...get(SPLAT), ...get(W), ...get(J), ...i32Add, ...v128Load, ...f32x4Mul,
    ...f32x4Add, ...v128Store,
  ]),
  ...end, // if
  ...get(W), ...get(ROW_BYTES), ...i32Add, ...set(W),
  ...get(I), ...i32(1), ...i32Add, ...set(I),
  0x0c, 0, // br 0: to the loop's start
  ...end, // loop
  ...end, // block
  // y += b, after the sum as in JavaScript.
  ...i32(0), ...set(J),
  ...doWhile(J, 16, ROW_BYTES, [...yj, ...yj, ...v128Load, ...get(B), ...get(J), ...i32Add, ...v128Load, ...f32x4Add, ...v128Store]),
];

/** The module: `dense(x, w, b, y, inputs, rowBytes)` and a memory of `pages` 64 KiB pages, both exported. */
function encodeModule(pages: number): Uint8Array<ArrayBuffer> {
  // Locals after the parameters, in groups of (count, type): i and j, x[i], its splat.
  const locals = vector([[2, I32], [1, F32], [1, V128]]);
  const body = [...locals, ...denseBody, ...end];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0, // magic "\0asm", version 1
    // Type section: one function type, six i32 parameters and no result.
    ...section(1, vector([[0x60, ...vector([I32, I32, I32, I32, I32, I32].map((t) => [t])), ...vector([])]])),
    // Function section: function 0 has type 0.
    ...section(3, vector([[0]])),
    // Memory section: one memory of exactly `pages` pages (flag 1: a maximum follows), so views of it stay valid.
    ...section(5, vector([[1, ...leb128(pages), ...leb128(pages)]])),
    // Export section: "dense" is function 0 (kind 0), "memory" memory 0 (kind 2).
    ...section(7, vector([[...name('dense'), 0, 0], [...name('memory'), 2, 0]])),
    // Code section: function 0's size, then its locals and instructions.
    ...section(10, vector([[...leb128(body.length), ...body]])),
  ]);
}

export interface DenseKernel {
  memory: WebAssembly.Memory;
  /** y = x·W + b on float32 rows at these byte addresses (16-byte aligned); rowBytes = units rounded up to 4, × 4. */
  dense(x: number, w: number, b: number, y: number, inputs: number, rowBytes: number): void;
}

/** Instantiates the kernel with at least `bytes` bytes of memory. Synchronous: the module is a few hundred bytes. */
export function denseKernel(bytes: number): DenseKernel {
  const pages = Math.max(1, Math.ceil(bytes / 65536));
  const instance = new WebAssembly.Instance(new WebAssembly.Module(encodeModule(pages)));
  const { dense, memory } = instance.exports as { dense: DenseKernel['dense']; memory: WebAssembly.Memory };
  return { dense, memory };
}
