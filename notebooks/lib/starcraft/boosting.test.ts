import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { boostingImportance, fitBoosting, predictBoosting } from './boosting.ts';
import { fromRows, matrix } from './matrix.ts';
import { mulberry32 } from './random.ts';

const settings = { rounds: 10, maxDepth: 5, eta: 0.3 };

/** Three noisy classes on the first two of four columns; no zeros, so "missing" never comes up. */
function blobs(n: number, seed: number): { rows: number[][]; y: number[] } {
  const random = mulberry32(seed);
  const rows: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    rows.push([1 + c * 2 + 2.5 * random(), 10 + (c === 2 ? 3 : 0) + 2 * random(), 1 + random(), 5 + random()]);
    y.push(c);
  }
  return { rows, y };
}

describe('fitBoosting', () => {
  it('predicts the majority class when no feature varies', () => {
    const model = fitBoosting(matrix(9, 3), [0, 1, 1, 1, 2, 2, 1, 1, 0], { ...settings, classes: 3 });
    expect(model.trees.every((t) => t.feature[0] === -1)).toBe(true);
    expect([...predictBoosting(model, matrix(2, 3))]).toEqual([1, 1]);
  });

  it('learns a threshold, and which side zeros (missing) go to', () => {
    // Class 1 iff the value is above 50; zeros belong to class 1 as well.
    const x = fromRows([[10], [20], [30], [40], [60], [70], [80], [90], [0], [0], [0], [0]]);
    const y = [0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1];
    const model = fitBoosting(x, y, { ...settings, classes: 2, minChildWeight: 0 });
    expect([...predictBoosting(model, fromRows([[15], [85], [0], [45], [55]]))]).toEqual([0, 1, 1, 0, 1]);
    expect(model.trees[0].defaultLeft[0]).toBe(false);
  });

  it('ranks the informative features first by gain, as xgb.importance does', () => {
    const { rows, y } = blobs(300, 1);
    const importance = boostingImportance(fitBoosting(fromRows(rows), y, { ...settings, classes: 3 }));
    expect(importance.slice(0, 2).map((f) => f.feature).sort()).toEqual([0, 1]);
    expect(importance.reduce((s, f) => s + f.gain, 0)).toBeCloseTo(1, 10);
  });

  it('agrees with xgboost itself (ml-xgboost, the WebAssembly build) on held-out rows', async () => {
    interface Booster {
      train(x: number[][], y: number[]): void;
      predict(x: number[][]): number[];
      free(): void;
    }
    type BoosterClass = new (options: Record<string, string | number>) => Booster;
    const XGBoost = await (createRequire(import.meta.url)('ml-xgboost') as Promise<BoosterClass>);
    const train = blobs(300, 2);
    const test = blobs(150, 3);
    const booster = new XGBoost({
      booster: 'gbtree', objective: 'multi:softmax', max_depth: 5, eta: 0.3, min_child_weight: 1,
      subsample: 1, colsample_bytree: 1, silent: 1, iterations: 10,
    });
    booster.train(train.rows, train.y);
    const theirs = booster.predict(test.rows);
    booster.free();
    const ours = predictBoosting(fitBoosting(fromRows(train.rows), train.y, { ...settings, classes: 3 }), fromRows(test.rows));
    const agree = theirs.filter((p, i) => p === ours[i]).length / theirs.length;
    expect(agree).toBeGreaterThanOrEqual(0.97);
  });
});

describe('predictBoosting', () => {
  it('gives the classes of walking every tree in JavaScript (zeros by the default, margins in tree order, first on ties)', () => {
    const random = mulberry32(31);
    const rows = Array.from({ length: 120 }, () => Array.from({ length: 5 }, () => (random() < 0.4 ? 0 : Math.floor(random() * 50))));
    const y = rows.map((row) => (row[0] > 20 ? 1 : 0) + (row[1] === 0 ? 2 : 0));
    const model = fitBoosting(fromRows(rows), y, { rounds: 3, maxDepth: 4, eta: 0.3, classes: 5 });
    const test = Array.from({ length: 60 }, () => Array.from({ length: 5 }, () => (random() < 0.4 ? 0 : Math.floor(random() * 60))));
    const expected = test.map((row) => {
      const margin = new Array<number>(model.classes).fill(model.baseScore);
      model.trees.forEach((tree, t) => {
        let node = 0;
        while (tree.feature[node] >= 0) {
          const v = row[tree.feature[node]];
          node = (v === 0 ? tree.defaultLeft[node] : v < tree.threshold[node]) ? tree.left[node] : tree.right[node];
        }
        margin[t % model.classes] += tree.value[node];
      });
      return margin.reduce((best, m, c) => (m > margin[best] ? c : best), 0);
    });
    expect(new Set(model.trees.map((tree) => tree.feature.length)).size).toBeGreaterThan(1); // uneven trees
    expect([...predictBoosting(model, fromRows(test))]).toEqual(expected);
    expect([...predictBoosting(model, matrix(0, 5))]).toEqual([]);
  });
});
