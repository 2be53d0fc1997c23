// Masks derived from two runs' texts: a differing number with a unit after it, or a timestamp, with its literal context.
import { describe, expect, it } from 'vitest';
import { deriveMask, isoTimestampPattern, repeatedTimings } from '../../src/init/mask-derive.ts';
import { compareMaskedText } from '../../src/verify/mask.ts';
import { passes } from '../../src/verify/types.ts';

/** The derived patterns, after checking that verify's text comparison passes the two texts under them. */
function masks(a: string, b: string): string[] | undefined {
  const derived = deriveMask(a, b);
  if (derived) expect(passes(compareMaskedText(a, b, { mask: derived.patterns }).verdict)).toBe(true);
  return derived?.patterns;
}

describe('deriveMask', () => {
  it('a timing with its unit: the word before, the digits, the unit (tslab getting_started, two real runs)', () => {
    const derived = deriveMask('naiveFib(40) = 165580141 (took 2047ms)\n', 'naiveFib(40) = 165580141 (took 1324ms)\n');
    expect(derived).toEqual({ patterns: [String.raw`took \d+(?:\.\d+)?(?:ns|µs|us|ms|s)`], changes: ['"took 2047ms" → "took 1324ms"'], unmasked: 0 });
  });

  it('a unit a timer scales matches any of them, with or without decimals: the next run may cross a unit (dask: 980.21 ms, then 1.02 s)', () => {
    const [pattern] = masks('[####] | 100% Completed | 980.21 ms\n', '[####] | 100% Completed | 990.02 ms\n') ?? [];
    expect(pattern).toBe(String.raw`\d+(?:\.\d+)? (?:ns|µs|us|ms|s)`);
    expect(passes(compareMaskedText('[####] | 100% Completed | 980.21 ms\n', '[####] | 100% Completed | 1.02 s\n', { mask: [pattern] }).verdict)).toBe(true);
    // A unit that is not a timer's stays literal.
    expect(masks('rate 12 it/s\n', 'rate 15 it/s\n')).toEqual([String.raw`rate \d+ it/s`]);
  });

  it('a unit in brackets is escaped', () => {
    expect(masks('Slept 52[ms]\n', 'Slept 51[ms]\n')).toEqual([String.raw`Slept \d+\[ms\]`]);
    expect(masks('fit (12 s)\n', 'fit (9 s)\n')).toEqual([String.raw`fit \(\d+(?:\.\d+)? (?:ns|µs|us|ms|s)`]);
  });

  it('seconds with decimals, a space before the unit; a number that gains decimals', () => {
    expect(masks('elapsed: 0.53 s\n', 'elapsed: 1.27 s\n')).toEqual([String.raw`elapsed: \d+(?:\.\d+)? (?:ns|µs|us|ms|s)`]);
    expect(masks('took 3 s', 'took 2.5 s')).toEqual([String.raw`took \d+(?:\.\d+)? (?:ns|µs|us|ms|s)`]);
  });

  it('ISO-8601 timestamps, with the word before them or alone', () => {
    expect(masks('ran at 2026-11-29T08:35:22.354Z\n', 'ran at 2026-11-29T08:35:27.711Z\n')).toEqual([`at ${isoTimestampPattern}`]);
    expect(masks("'2026-11-29T08:51:42.880+00:00'", "'2026-11-29T08:51:45.456+00:00'")).toEqual([isoTimestampPattern]);
    expect(masks('2026-11-29 08:51', '2026-11-30 09:02')).toEqual([isoTimestampPattern]);
  });

  it('a bare changed number, or one with only a word before it, is never masked: it may be a result', () => {
    expect(deriveMask('10946\n', '10947\n')).toBeUndefined();
    expect(deriveMask('accuracy: 0.93\n', 'accuracy: 0.91\n')).toBeUndefined();
  });

  it('texts that differ in anything but numbers get no mask', () => {
    expect(deriveMask('took 5ms\n', 'took 5ms\nagain\n')).toBeUndefined();
    expect(deriveMask('took 5ms\n', 'took 5s\n')).toBeUndefined();
    expect(deriveMask('same', 'same')).toBeUndefined();
  });

  it('a changed result beside a timing: the timing is masked and the result counted as left unmasked', () => {
    expect(deriveMask('took 5ms\n10946\n', 'took 7ms\n10947\n')).toEqual({ patterns: [String.raw`took \d+(?:\.\d+)?(?:ns|µs|us|ms|s)`], changes: ['"took 5ms" → "took 7ms"'], unmasked: 1 });
  });

  it('one pattern per shape, however many places it masks', () => {
    const derived = deriveMask('load took 5ms\nfit took 120ms\nt=3 it/s\n', 'load took 6ms\nfit took 98ms\nt=4 it/s\n');
    expect(derived?.patterns).toEqual([String.raw`took \d+(?:\.\d+)?(?:ns|µs|us|ms|s)`, String.raw`t=\d+ it/s`]);
    expect(derived?.unmasked).toBe(0);
  });

  it('CRLF and LF line ends are the same text', () => {
    expect(masks('took 5ms\r\n', 'took 6ms\n')).toEqual([String.raw`took \d+(?:\.\d+)?(?:ns|µs|us|ms|s)`]);
  });
});

describe('repeatedTimings', () => {
  const patterns = (text: string) => repeatedTimings(text)?.patterns;

  it('a number with a unit of time after it and a word naming a time before it', () => {
    expect(patterns('Slept 500[ms]\n')).toEqual([String.raw`Slept \d+(?:\.\d+)?\[ms\]`]);
    expect(patterns('naiveFib(40) = 165580141 (took 1142ms)')).toEqual([String.raw`took \d+(?:\.\d+)?(?:ns|µs|us|ms|s)`]);
    expect(patterns('done in 3.2s')).toEqual([String.raw`in \d+(?:\.\d+)?(?:ns|µs|us|ms|s)`]);
    expect(patterns('Epoch 1 took 2 min')).toEqual([String.raw`took \d+(?:\.\d+)? min`]);
    expect(repeatedTimings('CPU times: user 1.2 ms, sys: 30 µs, total: 1.23 ms\nWall time: 2.3 s\n')?.seen).toEqual(['"user 1.2 ms"', '"sys: 30 µs"', '"total: 1.23 ms"']);
  });

  it('a scaled unit may change from run to run (%time: 2.3 s, then 980 ms), the pattern allows it; the rest of the line is still compared', () => {
    const [pattern] = patterns('Wall time: 2.3 s\n') ?? [];
    expect(pattern).toBe(String.raw`time: \d+(?:\.\d+)? (?:ns|µs|us|ms|s)`);
    expect(passes(compareMaskedText('Wall time: 2.3 s\nrows: 100\n', 'Wall time: 980 ms\nrows: 100\n', { mask: [pattern] }).verdict)).toBe(true);
    expect(passes(compareMaskedText('Wall time: 2.3 s\nrows: 100\n', 'Wall time: 980 ms\nrows: 101\n', { mask: [pattern] }).verdict)).toBe(false);
  });

  it("IPython's %timeit line whole (its loop count changes with the speed)", () => {
    const [pattern] = patterns('1.23 ms ± 45.6 µs per loop (mean ± std. dev. of 7 runs, 1000 loops each)\n') ?? [];
    const later = '812 µs ± 3.1 µs per loop (mean ± std. dev. of 7 runs, 10000 loops each)\n';
    expect(passes(compareMaskedText('1.23 ms ± 45.6 µs per loop (mean ± std. dev. of 7 runs, 1000 loops each)\n', later, { mask: [pattern] }).verdict)).toBe(true);
  });

  it('a number that may be a result is never taken: no time word before it, or no unit of time after it', () => {
    for (const text of ['accuracy: 0.93\n', 'score 5 s', 'time 10 sigma', 'n_estimators 500\n', '42 ms', 'mass 12 mg', 'timeout=30', 'runtime error 5'])
      expect(repeatedTimings(text), text).toBeUndefined();
  });
});
