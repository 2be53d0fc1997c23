import { describe, expect, it } from 'vitest';
import { mulberry32, mixSeed, shuffleInPlace } from './random.ts';
import { foldSplit, stratifiedFolds, stratifiedSplit } from './split.ts';

const labels = [...Array(100).keys()].map((i) => (i < 60 ? 0 : i < 90 ? 1 : 2));

describe('random', () => {
  it('mulberry32 is reproducible and uniform-ish', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(xs.reduce((s, x) => s + x, 0) / xs.length).toBeCloseTo(0.5, 1);
  });
  it('mixSeed depends on every part and their order', () => {
    expect(mixSeed(42, 360)).not.toBe(mixSeed(42, 720));
    expect(mixSeed(1, 2)).not.toBe(mixSeed(2, 1));
  });
  it('shuffle keeps the elements', () => {
    expect(shuffleInPlace([1, 2, 3, 4, 5], mulberry32(3)).sort()).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('stratifiedSplit', () => {
  it('keeps every class share on both sides', () => {
    const { train, test } = stratifiedSplit(labels, 0.75, mulberry32(1));
    expect(train.length + test.length).toBe(100);
    expect(new Set([...train, ...test]).size).toBe(100);
    const count = (rows: number[], c: number) => rows.filter((r) => labels[r] === c).length;
    expect([0, 1, 2].map((c) => count(train, c))).toEqual([45, 23, 8]); // round(.75 × 60, 30, 10)
    expect(train).toEqual([...train].sort((a, b) => a - b));
  });
  it('depends on the seed, and only on it', () => {
    const a = stratifiedSplit(labels, 0.75, mulberry32(1));
    expect(stratifiedSplit(labels, 0.75, mulberry32(1))).toEqual(a);
    expect(stratifiedSplit(labels, 0.75, mulberry32(2))).not.toEqual(a);
  });
});

describe('stratifiedFolds', () => {
  it('deals every class evenly over the folds', () => {
    const folds = stratifiedFolds(labels, 10, mulberry32(5));
    for (let f = 0; f < 10; f++) {
      const { train, test } = foldSplit(folds, f);
      expect(test.length).toBe(10);
      expect(train.length).toBe(90);
      expect(test.filter((r) => labels[r] === 0).length).toBe(6);
    }
  });
});
