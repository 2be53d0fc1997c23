import { describe, expect, it } from 'vitest';
import { cartLeaves, fitCart, predictCart } from './cart.ts';
import { fromRows, matrix } from './matrix.ts';
import { mulberry32 } from './random.ts';
import { fitCart as fitCartReference } from './reference/cart-scan.ts';

describe('fitCart', () => {
  it('is a single leaf predicting the majority when nothing varies', () => {
    const model = fitCart(matrix(30, 2), [...Array(30).keys()].map((i) => (i % 3 === 0 ? 0 : 2)), { classes: 3 });
    expect(cartLeaves(model)).toBe(1);
    expect([...predictCart(model, matrix(1, 2))]).toEqual([2]);
  });

  it('finds the split of a clean threshold', () => {
    const rows = [...Array(40).keys()].map((i) => [i, 7]);
    const y = rows.map(([v]) => (v < 25 ? 0 : 1));
    const model = fitCart(fromRows(rows), y, { classes: 2 });
    expect(cartLeaves(model)).toBe(2);
    expect([...predictCart(model, fromRows([[24, 7], [25, 7]]))]).toEqual([0, 1]);
  });

  it('does not split nodes smaller than minSplit, nor make leaves smaller than minBucket', () => {
    const rows = [...Array(19).keys()].map((i) => [i]);
    expect(cartLeaves(fitCart(fromRows(rows), rows.map(([v]) => (v < 9 ? 0 : 1)), { classes: 2 }))).toBe(1);
    const rows2 = [...Array(40).keys()].map((i) => [i]);
    const y2 = rows2.map(([v]) => (v < 3 ? 1 : 0)); // the pure split would leave 3 rows < minBucket 7
    const model = fitCart(fromRows(rows2), y2, { classes: 2 });
    expect(predictCart(model, fromRows([[1]]))[0]).toBe(0);
  });

  it('prunes splits that save less than cp × root errors', () => {
    const random = mulberry32(4);
    const rows = [...Array(200).keys()].map(() => [random(), random()]);
    const y: number[] = rows.map(([a]) => (a < 0.5 ? 0 : 1));
    y[10] = 1 - y[10]; // a little label noise that an unpruned tree would chase
    y[20] = 1 - y[20];
    expect(cartLeaves(fitCart(fromRows(rows), y, { classes: 2 }))).toBe(2);
    expect(cartLeaves(fitCart(fromRows(rows), y, { classes: 2, cp: 0 }))).toBeGreaterThanOrEqual(2);
  });

  it('grows the same tree as the whole-column scan it replaced (ties, zeros, small nodes, no pruning)', () => {
    for (const seed of [1, 2, 3]) {
      const random = mulberry32(seed);
      const rows = Array.from({ length: 400 }, () => Array.from({ length: 6 }, (_, f) => (random() < 0.3 ? 0 : Math.floor(random() * (f + 2) * 20))));
      const y = rows.map((r) => (r[0] + r[1] > 40 ? (r[2] > 30 ? 2 : 1) : random() < 0.2 ? 3 : 0));
      for (const options of [{ classes: 4 }, { classes: 4, cp: 0, minSplit: 5, minBucket: 2 }]) {
        const ours = fitCart(fromRows(rows), y, options);
        expect(JSON.stringify(ours)).toBe(JSON.stringify(fitCartReference(fromRows(rows), y, options)));
        if (options.cp === 0) expect(cartLeaves(ours)).toBeGreaterThan(10);
      }
    }
  });
});
