import { describe, expect, it } from 'vitest';
import { knnClassify } from './knn.ts';
import { appendColumn, fromRows } from './matrix.ts';
import { mulberry32 } from './random.ts';

const train = fromRows([[0], [0], [0], [5], [10]]);
const labels = [0, 1, 1, 2, 3];

describe('knnClassify', () => {
  it('k = 1 finds the nearest row', () => {
    const test = fromRows([[4.9], [9], [100]]);
    const p = knnClassify(train, labels, test, { k: 1, ties: 'all', classes: 4, random: mulberry32(1) });
    expect([...p]).toEqual([2, 3, 3]);
  });

  it("ties 'all': every row as close as the k-th votes, so the majority of tied rows wins", () => {
    const test = fromRows([[0], [0.1]]);
    for (let seed = 0; seed < 20; seed++) {
      const p = knnClassify(train, labels, test, { k: 1, ties: 'all', classes: 4, random: mulberry32(seed) });
      expect([...p]).toEqual([1, 1]);
    }
  });

  it("ties 'random': one of the tied rows is drawn, so each tied label comes up", () => {
    const test = fromRows([[0]]);
    const seen = new Set<number>();
    for (let seed = 0; seed < 50; seed++) {
      seen.add(knnClassify(train, labels, test, { k: 1, ties: 'random', classes: 4, random: mulberry32(seed) })[0]);
    }
    expect([...seen].sort()).toEqual([0, 1]);
  });

  it('draws are reproducible for a seed', () => {
    const test = fromRows([[0], [0], [0], [0]]);
    const run = () => [...knnClassify(train, labels, test, { k: 1, ties: 'random', classes: 4, random: mulberry32(7) })];
    expect(run()).toEqual(run());
  });

  it('breaks a tie in the vote at random among the tied classes only', () => {
    const t2 = fromRows([[0], [0], [9]]);
    const seen = new Set<number>();
    for (let seed = 0; seed < 50; seed++) {
      seen.add(knnClassify(t2, [0, 1, 2], fromRows([[0]]), { k: 2, ties: 'all', classes: 3, random: mulberry32(seed) })[0]);
    }
    expect([...seen].sort()).toEqual([0, 1]);
  });

  it('counts distances within a relative 1e-4 as tied, like R', () => {
    const t2 = fromRows([[1], [1.00001], [1.00002], [3]]);
    const p = knnClassify(t2, [0, 1, 1, 0], fromRows([[0]]), { k: 1, ties: 'all', classes: 2, random: mulberry32(1) });
    expect(p[0]).toBe(1); // all three near rows vote, so label 1 wins 2 to 1
  });

  it('k = 1 (fast path) matches a brute-force reference, ties and draws included', () => {
    const random = mulberry32(11);
    const rows = (n: number) => Array.from({ length: n }, () => Array.from({ length: 4 }, () => Math.floor(random() * 3)));
    const train = fromRows(rows(200));
    const test = fromRows(rows(50));
    const labels = Array.from({ length: 200 }, () => Math.floor(random() * 4));
    for (const ties of ['all', 'random'] as const) {
      const ours = knnClassify(train, labels, test, { k: 1, ties, classes: 4, random: mulberry32(5) });
      const draw = mulberry32(5);
      const reference = Array.from({ length: test.rows }, (_, t) => {
        const d = Array.from({ length: train.rows }, (_, j) =>
          [0, 1, 2, 3].reduce((s, f) => s + (test.values[t * 4 + f] - train.values[j * 4 + f]) ** 2, 0));
        const nearest = d.map((v, j) => (v === Math.min(...d) ? j : -1)).filter((j) => j >= 0);
        const votes = [0, 0, 0, 0];
        if (ties === 'all') nearest.forEach((j) => votes[labels[j]]++);
        else votes[labels[nearest[Math.floor(draw() * nearest.length)]]]++;
        const top = votes.map((v, c) => (v === Math.max(...votes) ? c : -1)).filter((c) => c >= 0);
        return top.length === 1 ? top[0] : top[Math.floor(draw() * top.length)];
      });
      expect([...ours]).toEqual(reference);
    }
  });

  it('k = 1 on integers, with more than 64 rows tied nearest (listed in row order, not sorted), as the row-by-row scan', () => {
    const random = mulberry32(8);
    // 90 copies of one row and 30 rows at the same distance from the test rows, among others
    const trainRows = Array.from({ length: 200 }, (_, i) =>
      i % 2 === 0 && i < 180 ? [3, 3, 3] : i % 5 === 1 && i < 150 ? [3, 3, 4] : [Math.floor(random() * 9), 9, Math.floor(random() * 9)]);
    const y = Array.from({ length: 200 }, () => Math.floor(random() * 4));
    const test = fromRows([[3, 3, 3], [3, 3, 4], [3, 3, 5], [0, 9, 0]]);
    const scanned = fromRows([...trainRows, [0.5, 100, 100]]); // the extra row is never nearest
    for (const ties of ['all', 'random'] as const) {
      const options = () => ({ k: 1, ties, classes: 4, random: mulberry32(6) });
      expect([...knnClassify(fromRows(trainRows), y, test, options())]).toEqual([...knnClassify(scanned, [...y, 0], test, options())]);
    }
  });

  it('k = 1 on integers (exact distances, rows visited by norm) finds the rows the row-by-row scan finds', () => {
    // widths whose squared distances the search sums four columns at a time, with and without a remainder
    for (const width of [5, 8, 11]) {
      const random = mulberry32(21);
      // Sparse integer rows with repeats, like censored frame numbers; one copy with a non-integer value takes
      // the row-by-row scan, whose answers on the same rows must be the same.
      const rows = (n: number) => Array.from({ length: n }, () => Array.from({ length: width }, (_, f) => (random() < 0.5 ? 0 : 100 * f + Math.floor(random() * 4))));
      const trainRows = rows(300);
      for (let i = 0; i < 60; i++) trainRows[i * 5 + 1] = [...trainRows[i * 5]];
      const testRows = [...rows(80), ...trainRows.slice(0, 20)];
      const y = Array.from({ length: 300 }, () => Math.floor(random() * 4));
      const scanned = fromRows([...trainRows, [0.5, ...Array<number>(width - 1).fill(0)]]); // the extra row is never nearest
      const farTest = fromRows(testRows);
      for (const ties of ['all', 'random'] as const) {
        for (const labelColumn of [false, true]) {
          const options = () => ({ k: 1, ties, classes: 4, random: mulberry32(3), labelColumn });
          const exact = knnClassify(fromRows(trainRows), y, farTest, options());
          const scan = knnClassify(scanned, [...y, 0], farTest, options());
          expect([...exact]).toEqual([...scan]);
          if (labelColumn) {
            const appended = knnClassify(appendColumn(fromRows(trainRows), y), y, appendColumn(farTest, new Int32Array(farTest.rows)), { ...options(), labelColumn: false });
            expect([...exact]).toEqual([...appended]);
          }
        }
      }
    }
  });
});
