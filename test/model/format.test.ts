// Predictions print like the original service's str() of a float32, to 7 significant digits.
import { describe, expect, it } from 'vitest';
import { formatPrediction } from '../../src/model/format.ts';

describe('formatPrediction', () => {
  it.each([
    [2.1601039514835088e-16, '2.160104e-16'],
    [0.5, '0.5'],
    [0.035522203892469406, '0.0355222'],
    [0.46868351101875305, '0.4686835'],
    [1, '1.0'],
    [0, '0.0'],
    [1e-5, '1e-05'],
    [0.0001, '0.0001'],
    [9.99999999e-5, '0.0001'],
    [0.00012345678, '0.0001234568'],
    [1234567, '1234567.0'],
    [12345678, '1.234568e+07'],
    [-2.5e-20, '-2.5e-20'],
    [Number.NaN, 'nan'],
    [Number.POSITIVE_INFINITY, 'inf'],
  ])('%s → %s', (value, text) => {
    expect(formatPrediction(value)).toBe(text);
  });

  it('rounds to float32 first, as the model computed it', () => {
    expect(formatPrediction(0.1)).toBe('0.1');
    expect(formatPrediction(1e-46)).toBe('0.0');
  });
});
