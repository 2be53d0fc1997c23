// Tolerance rules (default, then the last matching glob) and the number judgement at its edges.
import { describe, expect, it } from 'vitest';
import { judgeNumbers, parseNumber, resolveTolerance } from '../../src/verify/tolerance.ts';

describe('resolveTolerance', () => {
  const rules = {
    default: { rtol: 1e-9 },
    'results/**/*.png': { pixels: 0.001 },
    'results/**/*.csv': { atol: 0.1 },
    'results/a/timing.csv': { informational: true, atol: 5 },
  };

  it('starts from default and lets later matching globs override the fields they set', () => {
    expect(resolveTolerance(rules, 'results/a/timing.csv')).toEqual({ rtol: 1e-9, atol: 5, informational: true });
    expect(resolveTolerance(rules, 'results/b/x.csv')).toEqual({ rtol: 1e-9, atol: 0.1 });
    expect(resolveTolerance(rules, 'results/a/fig.png')).toEqual({ rtol: 1e-9, pixels: 0.001 });
    expect(resolveTolerance(rules, 'notes.txt')).toEqual({ rtol: 1e-9 });
  });

  it('works with no rules at all (exact comparison)', () => {
    expect(resolveTolerance({}, 'results/x.csv')).toEqual({});
  });
});

describe('judgeNumbers: |a-b| <= atol + rtol*|committed|', () => {
  const exact = { rtol: 0, atol: 0, nanEqual: false };
  it('passes exactly at the tolerance and fails just beyond it', () => {
    expect(judgeNumbers(1, 1.5, { ...exact, atol: 0.5 }).ok).toBe(true);
    expect(judgeNumbers(1, 1.5000001, { ...exact, atol: 0.5 }).ok).toBe(false);
    expect(judgeNumbers(2, 2.5, { ...exact, rtol: 0.25 }).ok).toBe(true);
    expect(judgeNumbers(2, 2.5000001, { ...exact, rtol: 0.25 }).ok).toBe(false);
    expect(judgeNumbers(2, 1.25, { ...exact, rtol: 0.25, atol: 0.25 }).ok).toBe(true);
  });
  it('measures relative to the committed value', () => {
    // 10 vs 12: |Δ| 2; rtol 0.18 of the committed 10 allows 1.8 (fail), of 12 it would allow 2.16.
    expect(judgeNumbers(10, 12, { ...exact, rtol: 0.18 }).ok).toBe(false);
    expect(judgeNumbers(12, 10, { ...exact, rtol: 0.18 }).ok).toBe(true);
  });
  it('treats NaN as equal to NaN only with nanEqual', () => {
    expect(judgeNumbers(NaN, NaN, exact).ok).toBe(false);
    expect(judgeNumbers(NaN, NaN, { ...exact, nanEqual: true }).ok).toBe(true);
    expect(judgeNumbers(NaN, 1, { ...exact, nanEqual: true, atol: 1e9 }).ok).toBe(false);
  });
  it('lets an infinity equal only itself', () => {
    expect(judgeNumbers(Infinity, Infinity, exact).ok).toBe(true);
    expect(judgeNumbers(Infinity, -Infinity, { ...exact, atol: 1e300 }).ok).toBe(false);
    expect(judgeNumbers(1e308, Infinity, { ...exact, rtol: 1 }).ok).toBe(false);
  });
  it('scores a failure above 1 and an exact comparison as infinitely off', () => {
    expect(judgeNumbers(1, 3, { ...exact, atol: 1 }).score).toBe(2);
    expect(judgeNumbers(1, 1.1, exact).score).toBe(Infinity);
  });
});

describe('parseNumber', () => {
  it('reads the spellings tables use', () => {
    expect(parseNumber(' 1.5e-3 ')).toBe(0.0015);
    expect(parseNumber('-.5')).toBe(-0.5);
    expect(parseNumber('NaN')).toBeNaN();
    expect(parseNumber('nan')).toBeNaN();
    expect(parseNumber('-inf')).toBe(-Infinity);
    expect(parseNumber('')).toBeUndefined();
    expect(parseNumber('0x10')).toBeUndefined();
    expect(parseNumber('1,5')).toBeUndefined();
  });
});
