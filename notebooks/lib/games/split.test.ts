import { describe, expect, it } from 'vitest';
import { firstRowsHoldout, kerasValidationSplit } from './split.ts';

describe('kerasValidationSplit', () => {
  it('holds out the last 20% of rows in file order, split_at = int(n * 0.8)', () => {
    const s = kerasValidationSplit(22905, 0.2);
    expect(s.train.length).toBe(18324);
    expect(s.validation.length).toBe(4581);
    expect(s.train[0]).toBe(0);
    expect(s.train[s.train.length - 1]).toBe(18323);
    expect(s.validation[0]).toBe(18324);
    expect(s.validation[s.validation.length - 1]).toBe(22904);
    expect(Array.from(s.validation)).toEqual(Array.from({ length: 4581 }, (_, i) => 18324 + i));
  });

  it('truncates like Python int() on small sizes', () => {
    expect(Array.from(kerasValidationSplit(10, 0.2).validation)).toEqual([8, 9]);
    expect(Array.from(kerasValidationSplit(7, 0.2).validation)).toEqual([5, 6]); // int(5.6) = 5
  });

  it('refuses a fraction outside (0, 1)', () => {
    expect(() => kerasValidationSplit(10, 0)).toThrow(/fraction/);
    expect(() => kerasValidationSplit(10, 1)).toThrow(/fraction/);
  });
});

describe('firstRowsHoldout', () => {
  it('holds out rows 0..count-1 and trains on the rest', () => {
    const s = firstRowsHoldout(22905, 5000);
    expect(s.validation.length).toBe(5000);
    expect(s.validation[0]).toBe(0);
    expect(s.validation[4999]).toBe(4999);
    expect(s.train.length).toBe(17905);
    expect(s.train[0]).toBe(5000);
    expect(s.train[17904]).toBe(22904);
  });

  it('refuses a count that leaves nothing to train on', () => {
    expect(() => firstRowsHoldout(10, 10)).toThrow(/hold-out count/);
  });
});
