import { describe, expect, it } from 'vitest';
import { deriveSeed, Rng } from './rng.ts';

describe('Rng', () => {
  it('gives the same stream for the same seed and a different one otherwise', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const sa = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(sa);
  });

  it('is pinned: the first values for seed 42 never change (results depend on them)', () => {
    const r = new Rng(42);
    expect([r.nextUint32(), r.nextUint32(), r.nextUint32()]).toMatchInlineSnapshot(`
      [
        2581720956,
        1925393290,
        3661312704,
      ]
    `);
  });

  it('shuffles to a seeded permutation', () => {
    const p1 = new Rng(7).shuffle(new Int32Array(100).map((_, i) => i));
    const p2 = new Rng(7).shuffle(new Int32Array(100).map((_, i) => i));
    expect(Array.from(p1)).toEqual(Array.from(p2));
    expect(Array.from(p1).sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(Array.from(p1)).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('draws each position of a small shuffle roughly uniformly', () => {
    const rng = new Rng(1);
    const counts = [0, 0, 0];
    for (let t = 0; t < 30000; t++) counts[rng.shuffle([0, 1, 2])[0]]++;
    for (const c of counts) expect(Math.abs(c - 10000)).toBeLessThan(400);
  });

  it('keeps next() in [0, 1) and nextInt in range', () => {
    const rng = new Rng(3);
    for (let i = 0; i < 1000; i++) {
      const u = rng.next();
      expect(u >= 0 && u < 1).toBe(true);
      const k = rng.nextInt(7);
      expect(Number.isInteger(k) && k >= 0 && k < 7).toBe(true);
    }
    expect(() => new Rng(1.5)).toThrow(/integer/);
  });

  it('derives distinct positive int32 seeds per stream', () => {
    const seeds = [0, 1, 2, 3].map((s) => deriveSeed(42, s));
    expect(new Set(seeds).size).toBe(4);
    for (const s of seeds) expect(s >= 0 && s < 2 ** 31).toBe(true);
    expect(deriveSeed(42, 1)).toBe(deriveSeed(42, 1));
  });
});
