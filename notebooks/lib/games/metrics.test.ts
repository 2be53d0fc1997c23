import { describe, expect, it } from 'vitest';
import { fixed, logLoss, rocAuc, rocCurve } from './metrics.ts';

describe('rocAuc', () => {
  it('is 1 for a perfect ranking and 0 for a reversed one', () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])).toBe(1);
    expect(rocAuc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9])).toBe(0);
  });

  it('matches a hand count of positive/negative pairs', () => {
    // pairs (pos, neg): (.35,.1) win, (.35,.4) loss, (.8,.1) win, (.8,.4) win → 3/4
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBe(0.75);
  });

  it('counts ties between a positive and a negative as one half', () => {
    expect(rocAuc([0, 1], [0.5, 0.5])).toBe(0.5);
    // pos .5 vs negs {.5 tie, .2 win} = 1.5; pos .9 vs both win = 2 → 3.5 / 4
    expect(rocAuc([0, 0, 1, 1], [0.5, 0.2, 0.5, 0.9])).toBe(0.875);
    expect(rocAuc([1, 0, 1, 0, 1], [3, 3, 3, 3, 3])).toBe(0.5);
  });

  it('equals the trapezoidal area under rocCurve', () => {
    const labels = [1, 0, 1, 1, 0, 0, 1, 0, 0, 1, 1, 0];
    const scores = [0.9, 0.9, 0.7, 0.6, 0.6, 0.5, 0.4, 0.4, 0.3, 0.2, 0.2, 0.1];
    const pts = rocCurve(labels, scores);
    let area = 0;
    for (let i = 1; i < pts.length; i++) area += ((pts[i].fpr - pts[i - 1].fpr) * (pts[i].tpr + pts[i - 1].tpr)) / 2;
    expect(rocAuc(labels, scores)).toBeCloseTo(area, 12);
    expect(pts[0]).toEqual({ threshold: Infinity, fpr: 0, tpr: 0 });
    expect(pts[pts.length - 1]).toMatchObject({ fpr: 1, tpr: 1 });
    expect(pts.length).toBe(new Set(scores).size + 1);
  });

  it('refuses a single class and mismatched lengths', () => {
    expect(() => rocAuc([1, 1], [0.1, 0.2])).toThrow(/one positive and one negative/);
    expect(() => rocAuc([1, 0], [0.1])).toThrow(/differ in length/);
  });
});

describe('logLoss', () => {
  it('matches the hand computation', () => {
    const expected = -(Math.log(0.8) + Math.log(1 - 0.3)) / 2;
    expect(logLoss([1, 0], [0.8, 0.3])).toBeCloseTo(expected, 15);
  });

  it('clips probabilities to [1e-7, 1 - 1e-7] as Keras does', () => {
    expect(logLoss([1], [0])).toBeCloseTo(-Math.log(1e-7), 12);
    expect(logLoss([0], [1])).toBeCloseTo(-Math.log(1e-7), 6);
  });
});

describe('fixed', () => {
  it('rounds to a fixed number of decimals and stays a number', () => {
    expect(fixed(0.81844449, 6)).toBe(0.818444);
    expect(fixed(2 / 3, 4)).toBe(0.6667);
  });
});
