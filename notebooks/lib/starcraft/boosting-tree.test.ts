import { describe, expect, it } from 'vitest';
import { fitBoosting } from './boosting.ts';
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
