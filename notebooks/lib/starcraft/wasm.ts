// A minimal WebAssembly encoder: just what the StarCraft models' numeric kernels need (i32 arithmetic, loads and
// stores, loops, and f64x2 SIMD), so that a kernel is written here as readable code, with no toolchain and no
// binary in the repository. WebAssembly's f64 (and f64x2, lane by lane) additions and multiplications are IEEE
// double operations rounded to nearest, as JavaScript's, and are never fused: a kernel that performs the same
// operations in the same order gives the same bits as the JavaScript loop it replaces.

/** Encoded bytes: an instruction, a sequence of them, or part of a section. */
export type Code = number[];

export const I32 = 0x7f;
export const V128 = 0x7b;

/** Unsigned LEB128. */
function unsigned(n: number): Code {
  const out: Code = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (32-bit). */
function signed(n: number): Code {
  const out: Code = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const vector = (items: Code[]): Code => [...unsigned(items.length), ...items.flat()];
const section = (id: number, bytes: Code): Code => [id, ...unsigned(bytes.length), ...bytes];
const name = (s: string): Code => vector([...new TextEncoder().encode(s)].map((b) => [b]));
/** A memory access's alignment (log2 bytes) and offset. */
const memarg = (align: number, offset: number): Code => [align, ...unsigned(offset)];
const simd = (opcode: number): Code => [0xfd, ...unsigned(opcode)];

/** The instructions the kernels use (locals by index: the parameters first, then the declared locals). */
export const op = {
  get: (local: number): Code => [0x20, ...unsigned(local)],
  set: (local: number): Code => [0x21, ...unsigned(local)],
  tee: (local: number): Code => [0x22, ...unsigned(local)],
  i32: (n: number): Code => [0x41, ...signed(n)],
  add: [0x6a] as Code,
  shl: [0x74] as Code,
  /** unsigned a ≥ b */
  geU: [0x4f] as Code,
  i32Load: (offset = 0): Code => [0x28, ...memarg(2, offset)],
  f64Load: (offset = 0): Code => [0x2b, ...memarg(3, offset)],
  v128Load: (offset = 0): Code => [...simd(0x00), ...memarg(4, offset)],
  v128Store: (offset = 0): Code => [...simd(0x0b), ...memarg(4, offset)],
  f64x2Splat: simd(0x14),
  f64x2Add: simd(0xf0),
  f64x2Mul: simd(0xf2),
};

/** `for (; local < end; local++) body` on i32 locals (unsigned compare). */
export function countUp(local: number, end: number, body: Code): Code {
  return [
    0x02, 0x40, 0x03, 0x40, // block, loop
    ...op.get(local), ...op.get(end), ...op.geU, 0x0d, 1, // br_if out of the block
    ...body,
    ...op.get(local), ...op.i32(1), ...op.add, ...op.set(local),
    0x0c, 0, // br to the loop
    0x0b, 0x0b, // end, end
  ];
}

export interface Func {
  name: string;
  /** all i32 */
  params: number;
  /** declared locals after the parameters: `i32` of type i32, then `v128` of type v128 */
  i32: number;
  v128: number;
  body: Code;
}

/** A module of exported functions returning nothing, on one memory imported as env.memory. */
export function encodeModule(funcs: readonly Func[]): Uint8Array<ArrayBuffer> {
  const types = funcs.map((f) => [0x60, ...vector(Array.from({ length: f.params }, () => [I32])), 0]);
  const bodies = funcs.map((f) => {
    const code = [...vector([[...unsigned(f.i32), I32], [...unsigned(f.v128), V128]]), ...f.body, 0x0b];
    return [...unsigned(code.length), ...code];
  });
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0, // magic, version 1
    ...section(1, vector(types)),
    ...section(2, vector([[...name('env'), ...name('memory'), 0x02, 0x00, 1]])), // memory, at least 1 page
    ...section(3, vector(funcs.map((_, i) => unsigned(i)))),
    ...section(7, vector(funcs.map((f, i) => [...name(f.name), 0x00, ...unsigned(i)]))),
    ...section(10, vector(bodies)),
  ]);
}
