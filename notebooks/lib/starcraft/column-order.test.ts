import { describe, expect, it } from 'vitest';
import { columnOrder } from './column-order.ts';
import { fromRows, matrix } from './matrix.ts';
import { mulberry32 } from './random.ts';

const byComparator = (values: number[]) => [...values.keys()].sort((a, b) => values[a] - values[b] || a - b);

describe('columnOrder', () => {
  it('orders each column by value, ties by row, as a comparator sort does (negatives, −0 and 0 as one value)', () => {
    const random = mulberry32(7);
    const x = matrix(200, 3);
    for (let i = 0; i < 200; i++) {
      x.values[i * 3] = Math.floor(random() * 10) - 5; // many ties, negatives
      x.values[i * 3 + 1] = random() < 0.5 ? 0 : random() < 0.5 ? -0 : random() * 100;
      x.values[i * 3 + 2] = random();
    }
    const order = columnOrder(x);
    for (let f = 0; f < 3; f++) {
      const column = Array.from({ length: 200 }, (_, i) => x.values[i * 3 + f]);
      expect([...order.subarray(f * 200, (f + 1) * 200)]).toEqual(byComparator(column));
    }
  });

  it('falls back to the comparator sort when a column holds NaN, and computes once per matrix', () => {
    const x = fromRows([[3], [Number.NaN], [1], [3], [2]]);
    expect([...columnOrder(x)]).toEqual(byComparator([3, Number.NaN, 1, 3, 2]));
    expect(columnOrder(x)).toBe(columnOrder(x));
    expect([...columnOrder(matrix(0, 2))]).toEqual([]);
  });
});
