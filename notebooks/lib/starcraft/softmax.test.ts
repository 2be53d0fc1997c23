import { describe, expect, it } from 'vitest';
import { lbfgs, type Objective } from './lbfgs.ts';
import { lbfgs as lbfgsReference } from './reference/lbfgs-exact.ts';
import { fromRows, matrix } from './matrix.ts';
import { mulberry32 } from './random.ts';
import { fitSoftmax as fitSoftmaxReference } from './reference/softmax-exact.ts';
import { fitSoftmax, predictSoftmax, predictSoftmaxProbabilities } from './softmax.ts';
import { rowPatterns } from './softmax-loss.ts';
import { ScaleKernel } from './softmax-scale.ts';

describe('lbfgs', () => {
  it('minimises the Rosenbrock function', () => {
    const result = lbfgs(
      (x, g) => {
        const [a, b] = [x[0], x[1]];
        g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
        g[1] = 200 * (b - a * a);
        return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
      },
      Float64Array.from([-1.2, 1]),
      { maxIterations: 500, tolerance: 1e-8 },
    );
    expect(result.x[0]).toBeCloseTo(1, 4);
    expect(result.x[1]).toBeCloseTo(1, 4);
  });

  it('takes the same steps to the bit as the JavaScript implementation (odd and even sizes, a full memory)', () => {
    const rosenbrock = (n: number): Objective => (x, g) => {
      let value = 0;
      g.fill(0);
      for (let i = 0; i + 1 < n; i++) {
        const a = x[i];
        const b = x[i + 1] - a * a;
        value += (1 - a) * (1 - a) + 100 * b * b;
        g[i] += -2 * (1 - a) - 400 * a * b;
        g[i + 1] += 200 * b;
      }
      return value;
    };
    for (const [n, memory] of [[2, 10], [7, 3], [40, 5], [41, 10]]) {
      const start = Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -1.2 : 1));
      const options = { maxIterations: 300, tolerance: 1e-10, memory };
      const fast = lbfgs(rosenbrock(n), start, options);
      const reference = lbfgsReference(rosenbrock(n), start, options);
      expect(fast.iterations).toBe(reference.iterations);
      expect(Object.is(fast.value, reference.value)).toBe(true);
      expect([...new Uint8Array(fast.x.buffer)]).toEqual([...new Uint8Array(reference.x.buffer)]);
    }
  });
});

describe('softmax regression', () => {
  it('with no varying feature, predicts the class frequencies (so the majority class)', () => {
    const x = matrix(10, 2); // all zeros
    const y = [0, 1, 1, 1, 2, 2, 1, 0, 1, 2];
    const model = fitSoftmax(x, y, { classes: 3, l2: 0 });
    const probabilities = predictSoftmaxProbabilities(model, matrix(1, 2));
    expect([...probabilities].map((v) => Number(v.toFixed(4)))).toEqual([0.2, 0.5, 0.3]);
    expect([...predictSoftmax(model, matrix(2, 2))]).toEqual([1, 1]);
  });

  it('separates three Gaussian blobs in the plane', () => {
    const random = mulberry32(3);
    const centres = [[0, 0], [4, 0], [0, 4]];
    const rows: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 300; i++) {
      const c = i % 3;
      rows.push([centres[c][0] + random() - 0.5, centres[c][1] + random() - 0.5, 7]);
      y.push(c);
    }
    const model = fitSoftmax(fromRows(rows), y, { classes: 3 });
    expect(model.columns).toEqual([0, 1]); // the constant third column is dropped
    expect([...predictSoftmax(model, fromRows([[0.1, 0.2, 7], [3.8, 0.1, 7], [0.3, 4.2, 7]]))]).toEqual([0, 1, 2]);
  });

  it('matches a hand-computed two-class logistic fit (the MLE of a 1-D problem)', () => {
    // x = 0: 1 of 4 positive; x = 1: 3 of 4 positive → logit fits exactly: b = log(1/3), w = 2·log 3.
    const x = fromRows([[0], [0], [0], [0], [1], [1], [1], [1]]);
    const y = [1, 0, 0, 0, 1, 1, 1, 0];
    const model = fitSoftmax(x, y, { classes: 2, l2: 0, tolerance: 1e-10, maxIterations: 500 });
    const p = predictSoftmaxProbabilities(model, fromRows([[0], [1]]));
    expect(p[1]).toBeCloseTo(0.25, 6);
    expect(p[3]).toBeCloseTo(0.75, 6);
  });
});

describe('fitSoftmax against the class-major reference', () => {
  it('fits the same weights to the bit on sparse rows with constant columns', () => {
    const random = mulberry32(11);
    const rows = 200;
    const cols = 8;
    const x = matrix(rows, cols);
    const y = new Int32Array(rows);
    for (let i = 0; i < rows; i++) {
      y[i] = i % 5;
      for (let f = 1; f < cols; f++) if (random() < 0.5) x.values[i * cols + f] = Math.round(random() * 1000) + (f === y[i] ? 300 : 0);
    }
    const ours = fitSoftmax(x, y, { classes: 5 });
    const reference = fitSoftmaxReference(x, y, { classes: 5 });
    expect(ours.iterations).toBe(reference.iterations);
    expect([...ours.weights]).toEqual([...reference.weights]);
    expect(ours.columns).toEqual(reference.columns);
  });

  it('fits the same weights to the bit with repeated rows, and with more classes than the 8 held in locals', () => {
    const random = mulberry32(12);
    for (const classes of [7, 10]) {
      const rows = 240;
      const cols = 6;
      const x = matrix(rows, cols);
      const y = new Int32Array(rows);
      for (let i = 0; i < rows; i++) {
        y[i] = Math.floor(random() * classes);
        if (i % 3 === 2) {
          x.values.copyWithin(i * cols, (i - 2) * cols, (i - 1) * cols); // a repeated row, maybe another label
          continue;
        }
        for (let f = 0; f < cols; f++) if (random() < 0.6) x.values[i * cols + f] = Math.round(random() * 500) + (f === y[i] % cols ? 200 : 0);
      }
      const ours = fitSoftmax(x, y, { classes });
      const reference = fitSoftmaxReference(x, y, { classes });
      expect(ours.iterations).toBe(reference.iterations);
      expect([...ours.weights]).toEqual([...reference.weights]);
    }
  });
});

describe('ScaleKernel', () => {
  it('numbers the scaled rows by their entries as rowPatterns does (repeats, empty rows, equal entries in other columns)', () => {
    const random = mulberry32(9);
    const base = Array.from({ length: 40 }, () => Array.from({ length: 6 }, () => (random() < 0.6 ? 0 : Math.floor(random() * 3))));
    const rows = Array.from({ length: 300 }, () => [...base[Math.floor(random() * base.length)]]);
    rows.push([0, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0], [0, 1, 0, 0, 0, 0]);
    const x = fromRows(rows);
    const kernel = new ScaleKernel(x);
    const z = kernel.scaleSparse([0, 1, 2, 3, 4, 5], Float64Array.from([1, 2, 3, 0.5, 7, 1]));
    const fast = kernel.rowPatterns();
    kernel.release();
    const reference = rowPatterns(z, x.rows);
    expect(fast.patterns).toBe(reference.patterns);
    expect([...fast.pattern]).toEqual([...reference.pattern]);
    expect(fast.patterns).toBeLessThan(x.rows / 2);
  });
});
