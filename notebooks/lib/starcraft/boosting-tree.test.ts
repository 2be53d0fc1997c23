import { describe, expect, it } from 'vitest';
import { fitBoosting } from './boosting.ts';
import { splitGain } from './boosting-tree.ts';
import { matrix } from './matrix.ts';
import { mulberry32 } from './random.ts';
import { fitBoosting as fitBoostingReference } from './reference/boosting-exact.ts';

/** Sparse integer-valued rows like the censored StarCraft features: many zeros, ties, a few dense columns. */
function sparseTask(rows: number, cols: number, classes: number, seed: number) {
  const random = mulberry32(seed);
  const x = matrix(rows, cols);
  const y = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    y[i] = Math.floor(random() * classes);
    for (let f = 0; f < cols; f++) {
      const dense = f < 2;
      if (dense || random() < 0.4) x.values[i * cols + f] = 1 + Math.floor(random() * (f % 3 === 0 ? 5 : 400)) + (f === y[i] ? 50 : 0);
    }
  }
  return { x, y };
}

describe('TreeGrower (per-node segments)', () => {
  it('grows the same trees to the bit as whole-column scans, zeros and ties included', () => {
    for (const seed of [1, 2, 3, 4]) {
      const { x, y } = sparseTask(300, 9, 4, seed);
      const options = { rounds: 4, maxDepth: 5, eta: 0.3, classes: 5 };
      expect(JSON.stringify(fitBoosting(x, y, options).trees)).toBe(JSON.stringify(fitBoostingReference(x, y, options).trees));
    }
  });

  it('agrees with the reference when nodes run out of rows early (small data, min child weight)', () => {
    const { x, y } = sparseTask(25, 4, 3, 9);
    const options = { rounds: 3, maxDepth: 4, eta: 0.5, classes: 3, minChildWeight: 2 };
    const trees = fitBoosting(x, y, options).trees;
    expect(JSON.stringify(trees)).toBe(JSON.stringify(fitBoostingReference(x, y, options).trees));
    expect(trees.some((t) => t.feature.length > 1 && t.feature.length < 31)).toBe(true);
  });
});

describe('splitGain', () => {
  const exact = (gl: number, hl: number, g: number, h: number, parent: number, lambda: number) =>
    (gl * gl) / (hl + lambda) + ((g - gl) * (g - gl)) / (h - hl + lambda) - parent;

  it('rules out a candidate only when its exact gain does not beat the best so far', () => {
    const random = mulberry32(5);
    let returned = 0;
    for (let k = 0; k < 20000; k++) {
      const g = random() * 20 - 10;
      const h = 1 + random() * 50;
      const hl = random() * h;
      const gl = random() * 20 - 10;
      const parent = (g * g) / (h + 1);
      const gain = exact(gl, hl, g, h, parent, 1);
      // best at, just below and just above the exact gain: the comparison must come out the same.
      for (const best of [gain, gain * (1 - 1e-15), gain * (1 + 1e-12), 1e-6, Math.abs(gain) * 2 + 1e-6]) {
        if (!(best > 0) || hl < 1 || h - hl < 1) continue;
        const got = splitGain(gl, hl, g, h, parent, 1, 1, best);
        expect(got > best).toBe(gain > best);
        if (got !== -Infinity) { expect(got).toBe(gain); returned++; }
      }
    }
    expect(returned).toBeGreaterThan(0);
  });

  it('returns −∞ when a side is lighter than the minimum child weight', () => {
    expect(splitGain(1, 0.5, 2, 10, 0, 1, 1, 1e-6)).toBe(-Infinity);
    expect(splitGain(1, 9.5, 2, 10, 0, 1, 1, 1e-6)).toBe(-Infinity);
  });
});
