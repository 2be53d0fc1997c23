// A minimal WebAssembly encoder: just what the StarCraft models' numeric kernels need (i32 and f64 arithmetic,
// loads and stores, loops, and f64x2 SIMD), so that a kernel is written here as readable code, with no toolchain
// and no binary in the repository. WebAssembly's f64 (and f64x2, lane by lane) additions and multiplications are IEEE
// double operations rounded to nearest, as JavaScript's, and are never fused: a kernel that performs the same
// operations in the same order gives the same bits as the JavaScript loop it replaces.

/** Encoded bytes: an instruction, a sequence of them, or part of a section. */
export type Code = number[];

/** Value types. */
export const I32 = 0x7f;
export const F64 = 0x7c;
const V128 = 0x7b;

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
  /** a ? b : c, with the operands pushed as b, c, a (both evaluated) */
  select: [0x1b] as Code,
  call: (func: number): Code => [0x10, ...unsigned(func)],
  return: [0x0f] as Code,
  /** `if` (taking an i32 off the stack) with a result of type `result`, or none; then `else`, `end` */
  if: (result?: number): Code => [0x04, result ?? 0x40],
  else: [0x05] as Code,
  end: [0x0b] as Code,
  /** a block (with a result of type `result`, or none), a loop; both closed by `end` */
  block: (result?: number): Code => [0x02, result ?? 0x40],
  loop: [0x03, 0x40] as Code,
  /**
   * Branches `depth` constructs out (0: the innermost block, if or loop): to a block's or an if's end, or to a
   * loop's start; br_if only when the i32 popped is not 0.
   */
  br: (depth: number): Code => [0x0c, ...unsigned(depth)],
  brIf: (depth: number): Code => [0x0d, ...unsigned(depth)],
  /** br_if 0 */
  brIf0: [0x0d, 0] as Code,
  i32: (n: number): Code => [0x41, ...signed(n)],
  add: [0x6a] as Code,
  sub: [0x6b] as Code,
  mul: [0x6c] as Code,
  and: [0x71] as Code,
  or: [0x72] as Code,
  /** signed a < b, a ≥ b */
  ltS: [0x48] as Code,
  geS: [0x4e] as Code,
  /** signed a > b, a ≤ b */
  gtS: [0x4a] as Code,
  leS: [0x4c] as Code,
  xor: [0x73] as Code,
  shl: [0x74] as Code,
  shrS: [0x75] as Code,
  shrU: [0x76] as Code,
  /** unsigned a < b, a ≥ b */
  ltU: [0x49] as Code,
  geU: [0x4f] as Code,
  /** unsigned a > b */
  gtU: [0x4b] as Code,
  eq: [0x46] as Code,
  ne: [0x47] as Code,
  eqz: [0x45] as Code,
  i32Load: (offset = 0): Code => [0x28, ...memarg(2, offset)],
  i32Load8U: (offset = 0): Code => [0x2d, ...memarg(0, offset)],
  i32Store: (offset = 0): Code => [0x36, ...memarg(2, offset)],
  i32Store8: (offset = 0): Code => [0x3a, ...memarg(0, offset)],
  f64: (x: number): Code => [0x44, ...new Uint8Array(Float64Array.of(x).buffer)],
  f64Add: [0xa0] as Code,
  f64Sub: [0xa1] as Code,
  f64Mul: [0xa2] as Code,
  f64Div: [0xa3] as Code,
  f64Abs: [0x99] as Code,
  f64Max: [0xa5] as Code,
  f64Eq: [0x61] as Code,
  f64Ne: [0x62] as Code,
  f64Lt: [0x63] as Code,
  f64Gt: [0x64] as Code,
  f64Le: [0x65] as Code,
  f64Ge: [0x66] as Code,
  /** the i32 as an f64 (exact) */
  f64FromI32: [0xb7] as Code,
  /** the f64 truncated toward zero to an i32 (traps outside the i32 range or on NaN) */
  i32FromF64: [0xaa] as Code,
  /** i64, for the words of a double: a constant (32-bit range), the bits of an f64 and back, the low half, zero-extension */
  i64: (n: number): Code => [0x42, ...signed(n)],
  i64FromF64Bits: [0xbd] as Code,
  f64FromI64Bits: [0xbf] as Code,
  i32FromI64: [0xa7] as Code,
  i64FromI32U: [0xad] as Code,
  i64Or: [0x84] as Code,
  i64Shl: [0x86] as Code,
  i64ShrU: [0x88] as Code,
  /** the 8 bytes of a double as they are (an f64 load and store might not keep a NaN's payload) */
  i64Load: (offset = 0): Code => [0x29, ...memarg(3, offset)],
  i64Store: (offset = 0): Code => [0x37, ...memarg(3, offset)],
  f64Load: (offset = 0): Code => [0x2b, ...memarg(3, offset)],
  f64Store: (offset = 0): Code => [0x39, ...memarg(3, offset)],
  v128Load: (offset = 0): Code => [...simd(0x00), ...memarg(4, offset)],
  v128Store: (offset = 0): Code => [...simd(0x0b), ...memarg(4, offset)],
  f64x2Splat: simd(0x14),
  f64x2ExtractLane: (lane: 0 | 1): Code => [...simd(0x21), lane],
  f64x2Add: simd(0xf0),
  f64x2Sub: simd(0xf1),
  f64x2Mul: simd(0xf2),
  /** memory.copy(destination, source, bytes) */
  memoryCopy: [0xfc, 0x0a, 0, 0] as Code,
};

/** The address of element `index` (an i32 local) of an array at `base` (an i32 local) of `size`-byte elements. */
export function address(base: number, index: number, size: 1 | 4 | 8): Code {
  return size === 1 ? [...op.get(base), ...op.get(index), ...op.add]
    : [...op.get(base), ...op.get(index), ...op.i32(size === 4 ? 2 : 3), ...op.shl, ...op.add];
}

/** `for (; local < end; local++) body` on i32 locals (unsigned compare). */
export function countUp(local: number, end: number, body: Code): Code {
  return [
    ...op.block(), ...op.loop,
    ...op.get(local), ...op.get(end), ...op.geU, ...op.brIf(1), // out of the block
    ...body,
    ...op.get(local), ...op.i32(1), ...op.add, ...op.set(local),
    ...op.br(0), // to the loop's start
    ...op.end, ...op.end,
  ];
}

/** `while (condition) body`: `condition` leaves an i32 on the stack; inside `body`, `br 1` leaves the loop. */
export function loopWhile(condition: Code, body: Code): Code {
  return [
    ...op.block(), ...op.loop,
    ...condition, ...op.eqz, ...op.brIf(1), // out of the block
    ...body,
    ...op.br(0), // to the loop's start
    ...op.end, ...op.end,
  ];
}

/** `body`, which may leave early by `br_if 0` (to the end of this block). */
export function exitable(body: Code): Code {
  return [...op.block(), ...body, ...op.end];
}

export interface Func {
  name: string;
  /** the parameters' types (I32 or F64) */
  params: number[];
  /** the result's type (I32 or F64), left on the stack by the body; none when undefined */
  result?: number;
  /** declared locals after the parameters, in this order: `i32` of type i32, `f64` of type f64, `v128` of type v128 */
  i32?: number;
  f64?: number;
  v128?: number;
  body: Code;
}

/** `count` i32 parameters. */
export const i32s = (count: number): number[] => Array.from({ length: count }, () => I32);

/**
 * A module of exported functions (called by their index in `funcs`) on one memory imported as env.memory.
 * The bytes are appended to one array, element by element: the function bodies run to tens of thousands of
 * bytes, and spreading them into nested array literals cost about 20 ms per process here and, worse, made V8
 * optimize this function (tens of ms of TurboFan compilation on a background thread, in every worker) though
 * it runs once per kernel module. Same bytes as the spread version (the sections in the same order).
 */
export function encodeModule(funcs: readonly Func[]): Uint8Array<ArrayBuffer> {
  const bytes: Code = [0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0]; // magic, version 1
  const put = (code: Code): void => {
    for (let i = 0; i < code.length; i++) bytes.push(code[i]);
  };
  const types = funcs.map((f) => [0x60, ...vector(f.params.map((t) => [t])), ...vector(f.result === undefined ? [] : [[f.result]])]);
  put(section(1, vector(types)));
  put(section(2, vector([[...name('env'), ...name('memory'), 0x02, 0x00, 1]]))); // memory, at least 1 page
  put(section(3, vector(funcs.map((_, i) => unsigned(i)))));
  put(section(7, vector(funcs.map((f, i) => [...name(f.name), 0x00, ...unsigned(i)]))));
  // The code section: a vector of bodies, each its size then its locals, its instructions and `end`.
  const locals = funcs.map((f) => vector([[...unsigned(f.i32 ?? 0), I32], [...unsigned(f.f64 ?? 0), F64], [...unsigned(f.v128 ?? 0), V128]]));
  const sizes = funcs.map((f, i) => locals[i].length + f.body.length + 1);
  const count = unsigned(funcs.length);
  bytes.push(10);
  put(unsigned(sizes.reduce((total, size) => total + unsigned(size).length + size, count.length)));
  put(count);
  funcs.forEach((f, i) => {
    put(unsigned(sizes[i]));
    put(locals[i]);
    put(f.body);
    bytes.push(0x0b);
  });
  return Uint8Array.from(bytes);
}

/** A block of a WasmMemory: its byte address in the memory and a view of it. */
export interface Block<T> {
  at: number;
  view: T;
}

/** Bytes per block of a WasmMemory (blocks are aligned to this, for SIMD loads and cache lines). */
const ALIGN = 64;

/** A memory and the instance of a module on it. */
interface Instance {
  memory: WebAssembly.Memory;
  exports: WebAssembly.Exports;
}

/**
 * Instances given back by kernels that are done (`release`), by module: the next kernel of that module takes one
 * and zeroes the part it may use, rather than a fresh memory, whose every page costs a fault and zeroing by the
 * system on first touch (about 40 µs per 64 KiB here, against 2 µs to zero it again).
 */
const released = new WeakMap<WebAssembly.Module, Instance[]>();

/**
 * A memory of at least `bytes` bytes, an instance of `module` on it, and blocks of it handed out in order
 * (zeroed). `release` gives it back for the next kernel of the module, once no block of it is used any more.
 */
export class WasmMemory {
  readonly memory: WebAssembly.Memory;
  readonly exports: WebAssembly.Exports;
  private readonly module: WebAssembly.Module;
  /** the bytes blocks may take: the pages asked for, as a fresh memory would have */
  private readonly capacity: number;
  private used = 0;
  private isReleased = false;

  constructor(module: WebAssembly.Module, bytes: number) {
    this.module = module;
    const pages = Math.max(1, Math.ceil(bytes / 65536));
    this.capacity = pages * 65536;
    const reused = released.get(module)?.pop();
    if (reused) {
      const more = pages - reused.memory.buffer.byteLength / 65536;
      if (more > 0) reused.memory.grow(more);
      new Uint8Array(reused.memory.buffer, 0, this.capacity).fill(0);
      this.memory = reused.memory;
      this.exports = reused.exports;
    } else {
      this.memory = new WebAssembly.Memory({ initial: pages });
      this.exports = new WebAssembly.Instance(module, { env: { memory: this.memory } }).exports;
    }
  }

  /** Gives the memory back for the next kernel of the module: no block of this one may be used afterwards. */
  release(): void {
    if (this.isReleased) return;
    this.isReleased = true;
    const instances = released.get(this.module) ?? [];
    instances.push({ memory: this.memory, exports: this.exports });
    released.set(this.module, instances);
  }

  f64(count: number): Block<Float64Array> {
    const at = this.take(count * 8);
    return { at, view: new Float64Array(this.memory.buffer, at, count) };
  }

  i32(count: number): Block<Int32Array> {
    const at = this.take(count * 4);
    return { at, view: new Int32Array(this.memory.buffer, at, count) };
  }

  u8(count: number): Block<Uint8Array> {
    const at = this.take(count);
    return { at, view: new Uint8Array(this.memory.buffer, at, count) };
  }

  private take(bytes: number): number {
    const at = this.used;
    this.used += WasmMemory.bytes(bytes);
    if (this.used > this.capacity) throw new RangeError(`WasmMemory: ${this.used} bytes asked of ${this.capacity}`);
    return at;
  }

  /** What a block of `bytes` bytes takes (for sizing the memory). */
  static bytes(bytes: number): number {
    return Math.ceil(bytes / ALIGN) * ALIGN;
  }

  /** What blocks of these sizes (in bytes) take together: a kernel's memory, sized for the blocks it lays out. */
  static total(sizes: readonly number[]): number {
    return sizes.reduce((sum, bytes) => sum + WasmMemory.bytes(bytes), 0);
  }
}

/** More instructions, kept apart from `op` (added later): negation, exact (the sign bit flipped). */
export const opMore = {
  f64Neg: [0x9a] as Code,
  f64x2Neg: simd(0xed),
  /** the f64 rounded toward zero (an f64: no trap) */
  f64Trunc: [0x9d] as Code,
  f64Sqrt: [0x9f] as Code,
  /** the f64 truncated toward zero to an i64 (traps outside the i64 range or on NaN) */
  i64FromF64: [0xb0] as Code,
  /** memory.fill(destination, byte, bytes) */
  memoryFill: [0xfc, 0x0b, 0] as Code,
};

/**
 * More f64x2 and v128 instructions (the boosted trees' block bounds, two boxes at a time): a load of one double into
 * both lanes, a lane replaced, the lane-wise max (f64.max's: NaN and −0 as Math.max) and comparisons (all ones in
 * a lane where it holds), the bitwise logic of masks, and the lanes' sign bits as an i32 (bit l: lane l).
 */
export const simdOp = {
  f64x2LoadSplat: (offset = 0): Code => [...simd(0x0a), ...memarg(3, offset)],
  f64x2ReplaceLane: (lane: 0 | 1): Code => [...simd(0x22), lane],
  f64x2Max: simd(0xf5),
  f64x2Eq: simd(0x47),
  f64x2Lt: simd(0x49),
  f64x2Gt: simd(0x4a),
  f64x2Ge: simd(0x4c),
  v128And: simd(0x4e),
  /** a & ~b */
  v128AndNot: simd(0x4f),
  v128Or: simd(0x50),
  v128Not: simd(0x4d),
  i64x2Bitmask: simd(0xc4),
};

/**
 * f64x2.abs (each lane's sign bit cleared: f64.abs's, exact), for the boosted trees' first pass, which adds up a
 * (gradient, hessian) pair per entry in one f64x2 addition and the gradients' magnitudes in lane 0 of another.
 */
export const simdAbs = { f64x2Abs: simd(0xec) };
