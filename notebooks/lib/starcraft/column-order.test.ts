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

  it('orders non-negative integer columns (zeros first, many ties) as the comparator sort does', () => {
    const random = mulberry32(8);
    const x = matrix(300, 2);
    for (let i = 0; i < 300; i++) {
      x.values[i * 2] = random() < 0.6 ? 0 : Math.floor(random() * 40) * 360; // a censored frame column
      x.values[i * 2 + 1] = random() < 0.1 ? -0 : Math.floor(random() * 3); // −0 among the zeros
    }
    const order = columnOrder(x);
    for (let f = 0; f < 2; f++) {
      const column = Array.from({ length: 300 }, (_, i) => x.values[i * 2 + f]);
      expect([...order.subarray(f * 300, (f + 1) * 300)]).toEqual(byComparator(column));
    }
    expect([...columnOrder(fromRows([[5], [0], [2 ** 60], [5], [0]]))]).toEqual([1, 4, 0, 3, 2]); // too large to pack
  });

  it('falls back to the comparator sort when a column holds NaN, and computes once per matrix', () => {
    const x = fromRows([[3], [Number.NaN], [1], [3], [2]]);
    expect([...columnOrder(x)]).toEqual(byComparator([3, Number.NaN, 1, 3, 2]));
    expect(columnOrder(x)).toBe(columnOrder(x));
    expect([...columnOrder(matrix(0, 2))]).toEqual([]);
  });
});
