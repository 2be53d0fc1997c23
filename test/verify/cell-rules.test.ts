// Cell rules: which cell and output a rule selects, what applies there (last rule wins field by field), the
// ignore-output tags, rules that select nothing, and how cell rules add up across verify globs.
import { describe, expect, it } from 'vitest';
import type { CellRule, Tolerance } from '../../src/manifest/schema.ts';
import { describeRule, planOutput, selects, unusedRules, type CellIdentity } from '../../src/verify/cell-rules.ts';
import { resolveTolerance } from '../../src/verify/tolerance.ts';

const cell = (index: number, tags: string[] = [], ids: string[] = []): CellIdentity => ({ index, tags, ids });
const timing = cell(2, ['timing'], ['fib-run']);
const file: Tolerance = { rtol: 1e-9, threshold: 0.1, cells: [] };

describe('selects', () => {
  it('selects by tag, by id and by 0-based index', () => {
    expect(selects({ tag: 'timing' }, timing)).toBe(true);
    expect(selects({ tag: 'timings' }, timing)).toBe(false);
    expect(selects({ id: 'fib-run' }, timing)).toBe(true);
    expect(selects({ id: 'fib' }, timing)).toBe(false);
    expect(selects({ index: 2 }, timing)).toBe(true);
    expect(selects({ index: 3 }, timing)).toBe(false);
    expect(selects({ index: 0 }, cell(0))).toBe(true);
  });
});

describe('planOutput', () => {
  it('is the file tolerance, without its cell rules, when no rule selects the cell', () => {
    expect(planOutput(file, [{ tag: 'other', rtol: 1 }], timing, 'stdout')).toEqual({ tolerance: { rtol: 1e-9, threshold: 0.1 } });
  });

  it('applies a rule to the output it names only', () => {
    const rules: CellRule[] = [{ tag: 'timing', output: 'stdout', mask: ['took \\d+ms'], rtol: 0.5 }];
    expect(planOutput(file, rules, timing, 'stdout').tolerance).toEqual({ rtol: 0.5, threshold: 0.1, mask: ['took \\d+ms'] });
    expect(planOutput(file, rules, timing, 'stderr').tolerance).toEqual({ rtol: 1e-9, threshold: 0.1 });
    expect(planOutput(file, rules, timing, 'text/plain').tolerance).toEqual({ rtol: 1e-9, threshold: 0.1 });
  });

  it('lets the last matching rule win, field by field', () => {
    const rules: CellRule[] = [
      { tag: 'timing', rtol: 0.1, atol: 1, informational: true },
      { index: 2, output: 'stdout', rtol: 0.2 },
      { id: 'fib-run', atol: 3, informational: false },
    ];
    expect(planOutput(file, rules, timing, 'stdout')).toEqual({ tolerance: { rtol: 0.2, atol: 3, threshold: 0.1, informational: false } });
    expect(planOutput(file, rules, timing, 'text/plain')).toEqual({ tolerance: { rtol: 0.1, atol: 3, threshold: 0.1, informational: false } });
    expect(planOutput(file, rules.slice(0, 2), timing, 'stdout').informationalBy).toBe('cells rule (tag "timing"): informational');
  });

  it('replaces the file mask with a rule’s own (list both patterns to keep both)', () => {
    const rules: CellRule[] = [{ tag: 'timing', mask: ['took \\d+ms'] }];
    expect(planOutput({ mask: ['\\d{4}-\\d\\d-\\d\\d'] }, rules, timing, 'stdout').tolerance.mask).toEqual(['took \\d+ms']);
  });

  it('ignores outputs of a cell tagged nbval-ignore-output or repro-ignore-output', () => {
    expect(planOutput(file, [], cell(4, ['nbval-ignore-output']), 'stdout').ignoredBy).toBe('tag nbval-ignore-output');
    expect(planOutput(file, [], cell(4, ['repro-ignore-output']), 'image/png').ignoredBy).toBe('tag repro-ignore-output');
    expect(planOutput(file, [], cell(4, ['raises-exception']), 'stdout').ignoredBy).toBeUndefined();
  });

  it('ignores by rule, per output, and lets ignore: false compare a tagged cell after all', () => {
    expect(planOutput(file, [{ tag: 'timing', output: 'stdout', ignore: true }], timing, 'stdout').ignoredBy).toBe('cells rule (tag "timing", stdout): ignore');
    expect(planOutput(file, [{ tag: 'timing', output: 'stdout', ignore: true }], timing, 'stderr').ignoredBy).toBeUndefined();
    const tagged = cell(4, ['nbval-ignore-output']);
    expect(planOutput(file, [{ index: 4, ignore: false }], tagged, 'stdout').ignoredBy).toBeUndefined();
    expect(planOutput(file, [{ index: 4, output: 'stderr', ignore: false }], tagged, 'stdout').ignoredBy).toBe('tag nbval-ignore-output');
  });
});

describe('unusedRules', () => {
  const cells = [cell(0), cell(1, [], ['fib-def']), timing];
  const outputs = (index: number) => new Set(index === 2 ? ['stdout'] : []);

  it('says which rules select no cell, or no output of the cells they select', () => {
    const rules: CellRule[] = [
      { tag: 'timing', output: 'stdout' },
      { tag: 'timnig' },
      { id: 'nope' },
      { index: 7 },
      { tag: 'timing', output: 'text/plain' },
      { index: 0 },
    ];
    expect(unusedRules(rules, cells, outputs)).toEqual([
      'cells rule (tag "timnig") selects nothing: no cell has this tag; the rule was not applied',
      'cells rule (id "nope") selects nothing: no cell has this id; the rule was not applied',
      'cells rule (index 7) selects nothing: no cell is at this index (3 cells); the rule was not applied',
      'cells rule (tag "timing", text/plain) selects nothing: cell 2 has no text/plain output; the rule was not applied',
    ]);
  });

  it('describes a rule by its selector and output', () => {
    expect(describeRule({ index: 0, output: 'image/png' })).toBe('cells rule (index 0, image/png)');
  });
});

describe('resolveTolerance with cell rules', () => {
  it('adds the cell rules of default and of every matching glob, in order; other fields still override', () => {
    const rules = {
      default: { rtol: 1e-9, cells: [{ tag: 'timing', mask: ['took \\d+ms'] }] },
      'results/**/*.ipynb': { atol: 1, cells: [{ index: 0, ignore: true }] },
      'results/other/*.ipynb': { cells: [{ id: 'x', informational: true }] },
    };
    expect(resolveTolerance(rules, 'results/a/n.ipynb')).toEqual({
      rtol: 1e-9,
      atol: 1,
      cells: [
        { tag: 'timing', mask: ['took \\d+ms'] },
        { index: 0, ignore: true },
      ],
    });
    expect(resolveTolerance(rules, 'results/a/t.csv')).toEqual({ rtol: 1e-9, cells: [{ tag: 'timing', mask: ['took \\d+ms'] }] });
    expect(resolveTolerance({ 'results/*.csv': { rtol: 1 } }, 'results/t.csv')).toEqual({ rtol: 1 });
  });
});
