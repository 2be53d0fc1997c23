// A small seeded PRNG we own, so that shuffling and dropout masks never touch Math.random
// and give the same stream on every machine and Node version (integer arithmetic only).

/** mulberry32: 32-bit state, good enough statistically for shuffles and dropout masks. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer (got ${seed})`);
    this.state = seed >>> 0;
  }

  /** Next unsigned 32-bit integer. */
  nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n), without modulo bias (rejection sampling). */
  nextInt(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 4294967296) throw new RangeError(`nextInt needs 0 < n <= 2^32 (got ${n})`);
    const limit = 4294967296 - (4294967296 % n);
    let r = this.nextUint32();
    while (r >= limit) r = this.nextUint32();
    return r % n;
  }

  /** Fisher–Yates shuffle in place; returns the same array. */
  shuffle<T>(items: T[]): T[];
  shuffle(items: Int32Array): Int32Array;
  shuffle<T>(items: T[] | Int32Array): T[] | Int32Array {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }
}

/** Derive independent child seeds (per layer, per purpose) from one run seed. */
export function deriveSeed(seed: number, stream: number): number {
  const rng = new Rng((seed ^ Math.imul(stream + 1, 0x9e3779b9)) >>> 0);
  rng.nextUint32();
  // tfjs initializers feed the seed to seedrandom as a number; keep it a positive int32.
  return rng.nextUint32() >>> 1;
}
