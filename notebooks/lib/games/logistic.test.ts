import { describe, expect, it } from 'vitest';
import { syntheticDataset } from './fixtures.ts';
import { fitLogistic, predictLogistic } from './logistic.ts';

const logit = (p: number) => Math.log(p / (1 - p));

describe('fitLogistic', () => {
  it('matches the closed-form MLE for one binary feature', () => {
    // x=0: 1 positive of 4; x=1: 3 positives of 4 → intercept logit(1/4), slope logit(3/4) - logit(1/4)
    const x = Float32Array.from([0, 0, 0, 0, 1, 1, 1, 1]);
    const y = Float32Array.from([1, 0, 0, 0, 1, 1, 1, 0]);
    const m = fitLogistic({ x, y, rows: 8, features: 1 });
    expect(m.coefficients[0]).toBeCloseTo(logit(0.25), 9);
    expect(m.coefficients[1]).toBeCloseTo(logit(0.75) - logit(0.25), 9);
  });

  it('zeroes the score equations (gradient) at the fit', () => {
    const data = syntheticDataset(2000, 3, 5);
    const p = predictLogistic(fitLogistic(data), data);
    const gradient = [0, 0, 0, 0];
    for (let i = 0; i < data.rows; i++) {
      const r = data.y[i] - p[i];
      gradient[0] += r;
      for (let j = 0; j < 3; j++) gradient[j + 1] += r * data.x[i * 3 + j];
    }
    for (const g of gradient) expect(Math.abs(g)).toBeLessThan(1e-6);
  });

  it('refuses separable data without a penalty, and fits it with one', () => {
    const data = { x: Float32Array.from([0, 0, 1, 1]), y: Float32Array.from([0, 0, 1, 1]), rows: 4, features: 1 };
    expect(() => fitLogistic(data, { maxIterations: 50 })).toThrow(/did not converge/);
    expect(fitLogistic(data, { l2: 1 }).coefficients[1]).toBeGreaterThan(0);
  });
});
