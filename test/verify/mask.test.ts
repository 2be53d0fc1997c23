// Masks: matches replaced by one placeholder on both sides before text is compared; everything else still is.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareTrees } from '../../src/verify/tree.ts';
import { applyMask, compareMaskedFile, compareMaskedText, maskPlaceholder as M, noteUnusedMask } from '../../src/verify/mask.ts';
import { compareText } from '../../src/verify/comparers/text.ts';

const took = 'took \\d+ms';

describe('applyMask', () => {
  it('replaces every match of every pattern and counts them per pattern', () => {
    const masked = applyMask('a took 12ms, b took 7ms at 2026-11-29T08:35:22Z\n', [took, '\\d{4}-\\d\\d-\\d\\dT[\\d:]+Z']);
    expect(masked.text).toBe(`a ${M}, b ${M} at ${M}\n`);
    expect(masked.matches).toEqual([2, 1]);
  });

  it('makes overlapping and touching matches one placeholder, whatever the order of the patterns', () => {
    const text = 'fib took 1142ms done';
    expect(applyMask(text, ['took \\d+', '\\d+ms']).text).toBe(`fib ${M} done`);
    expect(applyMask(text, ['\\d+ms', 'took \\d+']).text).toBe(`fib ${M} done`);
    expect(applyMask(text, ['took ', '\\d+ms']).text).toBe(`fib ${M} done`);
    expect(applyMask(text, ['took \\d+', '\\d+ms']).matches).toEqual([1, 1]);
  });

  it('matches ^ and $ at line ends and skips matches of nothing', () => {
    expect(applyMask('elapsed 3s\nresult 42\nelapsed 4s\n', ['^elapsed.*$']).text).toBe(`${M}\nresult 42\n${M}\n`);
    expect(applyMask('abc', ['x*'])).toEqual({ text: 'abc', matches: [0] });
  });
});

describe('compareMaskedText', () => {
  const committed = 'naiveFib(40) = 165580141 (took 1142ms)\n';

  it('passes the same result timed differently', () => {
    const result = compareMaskedText(committed, 'naiveFib(40) = 165580141 (took 992ms)\n', { mask: [took] });
    expect(result.verdict).toBe('identical');
    expect(result.notes).toEqual(['masked /took \\d+ms/: 1 match in the committed text, 1 match in the re-run']);
    // Without the mask the timing fails, even under rtol 1e-9.
    expect(compareText(committed, 'naiveFib(40) = 165580141 (took 992ms)\n', { rtol: 1e-9 }).verdict).toBe('differs');
  });

  it('fails a changed result next to a masked timing, naming the number', () => {
    const result = compareMaskedText(committed, 'naiveFib(40) = 200000000 (took 992ms)\n', { mask: [took], rtol: 1e-9 });
    expect(result.verdict).toBe('differs');
    expect(result.findings).toEqual([
      { where: 'line 1', committed: '165580141', rerun: '200000000', deviation: '|Δ| 3.44e+7 (rel 2.1e-1)', withinTolerance: false },
    ]);
  });

  it('still judges every unmasked number with the tolerance', () => {
    const a = 'loss 0.5000 (took 12ms)\n';
    expect(compareMaskedText(a, 'loss 0.5001 (took 15ms)\n', { mask: [took], rtol: 1e-3 }).verdict).toBe('within tolerance');
    expect(compareMaskedText(a, 'loss 0.5001 (took 15ms)\n', { mask: [took], rtol: 1e-5 }).verdict).toBe('differs');
  });

  it('fails when the pattern matches on one side only (the other side is compared as it is)', () => {
    const result = compareMaskedText(committed, 'naiveFib(40) = 165580141 (took 1.1s)\n', { mask: [took] });
    expect(result.verdict).toBe('differs');
    expect(result.notes).toContain('masked /took \\d+ms/: 1 match in the committed text, 0 matches in the re-run');
    expect(result.largest?.text).toBe(`"naiveFib(40) = 165580141 (${M})" → "naiveFib(40) = 165580141 (took 1.1s)"`);
    expect(result.textDiff).toContain(`-naiveFib(40) = 165580141 (${M})`);
  });

  it('masks before CRLF line ends so that $ still matches', () => {
    expect(compareMaskedText('t 5ms\r\nok\r\n', 't 6ms\nok\n', { mask: ['\\d+ms$'] }).verdict).toBe('identical');
  });

  it('is compareText itself without a mask', () => {
    expect(compareMaskedText(committed, 'naiveFib(40) = 165580141 (took 992ms)\n', {})).toEqual(compareText(committed, 'naiveFib(40) = 165580141 (took 992ms)\n', {}));
  });
});

describe('text files and masks that cannot apply', () => {
  it('compares a text file through its mask; equal bytes without masking', () => {
    const log = (ms: number, score: string) => Buffer.from(`fitted 3 models in ${ms}ms\nbest score ${score}\n`);
    expect(compareMaskedFile('results/log.txt', log(120, '0.81'), log(95, '0.81'), { mask: ['in \\d+ms'] }).verdict).toBe('identical');
    expect(compareMaskedFile('results/log.txt', log(120, '0.81'), log(95, '0.82'), { mask: ['in \\d+ms'] }).largest?.text).toBe('|Δ| 0.01 (rel 1.2e-2)');
    expect(compareMaskedFile('results/log.txt', log(1, '1'), log(1, '1'), { mask: ['x'] }).notes).toEqual([]);
  });

  it('says a mask was not applied when a file it could not apply to fails', () => {
    const failing = { verdict: 'differs' as const, notes: ['row 2 differs'], findings: [], findingCount: 1, figures: [] };
    expect(noteUnusedMask(failing, { mask: [took] }, false).notes).toEqual([
      'row 2 differs',
      'mask not applied: masks apply to text files and to the text outputs of notebooks',
    ]);
    expect(noteUnusedMask(failing, { mask: [took] }, true).notes).toEqual(['row 2 differs']);
    expect(noteUnusedMask({ ...failing, verdict: 'identical' }, { mask: [took] }, false).notes).toEqual(['row 2 differs']);
    expect(noteUnusedMask(failing, {}, false).notes).toEqual(['row 2 differs']);
  });
});

describe('masks through compareTrees (research.yaml rules for files on disk)', () => {
  it('masks a text file, applies a glob’s mask to notebooks only as their outputs, and says where it could not apply', async () => {
    const root = mkdtempSync(join(tmpdir(), 'repro-mask-'));
    try {
      const write = (side: string, name: string, text: string) => {
        mkdirSync(join(root, side, 'results'), { recursive: true });
        writeFileSync(join(root, side, 'results', name), text);
      };
      write('committed', 'fib.log', 'naiveFib(40) = 165580141 (took 2047ms)\n');
      write('rerun', 'fib.log', 'naiveFib(40) = 165580141 (took 1324ms)\n');
      write('committed', 'times.csv', 'step,took\nfit,took 2047ms\n');
      write('rerun', 'times.csv', 'step,took\nfit,took 1324ms\n');
      const rules = { default: { rtol: 1e-9, mask: ['took \\d+ms'] } };
      const { files } = await compareTrees({ committedRoot: join(root, 'committed'), rerunRoot: join(root, 'rerun'), outputs: ['results'], rules });
      const byPath = Object.fromEntries(files.map((f) => [f.path, f]));
      expect(byPath['results/fib.log'].verdict).toBe('identical');
      expect(byPath['results/fib.log'].notes).toEqual(['masked /took \\d+ms/: 1 match in the committed text, 1 match in the re-run']);
      expect(byPath['results/times.csv'].verdict).toBe('differs');
      expect(byPath['results/times.csv'].notes).toContain('mask not applied: masks apply to text files and to the text outputs of notebooks');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
