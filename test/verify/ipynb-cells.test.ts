// compareIpynb with cell rules, masks and the ignore-output tags, on two real tslab runs of a timing notebook
// (test/fixtures/verify/timing: naiveFib(40) took 2047 ms, then 1324 ms; the clock cell is nbval-ignore-output).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Tolerance } from '../../src/manifest/schema.ts';
import { compareIpynb } from '../../src/verify/comparers/ipynb.ts';
import { maskPlaceholder } from '../../src/verify/mask.ts';
import { withDefaults } from '../../src/verify/tolerance.ts';

interface Output {
  output_type: string;
  name?: string;
  text?: string[] | string;
  data?: Record<string, unknown>;
}
interface Notebook {
  cells: Array<{ id?: string; metadata: { tags?: string[] }; source: string[]; outputs?: Output[] }>;
}

const fixture = (name: string) => readFileSync(new URL(`../fixtures/verify/timing/${name}.ipynb`, import.meta.url), 'utf8');
const committedText = fixture('committed');
const rerun = (): Notebook => JSON.parse(fixture('rerun')) as Notebook;
const committed = (): Notebook => JSON.parse(committedText) as Notebook;

/** Compares a notebook with the committed run under `rule`, with the figure defaults as verify adds them. */
const compare = (rule: Tolerance, b: Notebook = rerun(), a: Notebook | string = committedText) =>
  compareIpynb(Buffer.from(typeof a === 'string' ? a : JSON.stringify(a)), Buffer.from(JSON.stringify(b)), { path: 'results/timing/timing.ipynb', tolerance: withDefaults('x.ipynb', rule) });

const timingRules: Tolerance = {
  rtol: 1e-9,
  cells: [
    { tag: 'timing', output: 'stdout', mask: ['took \\d+ms'] },
    { id: 'sleep', mask: ['Slept \\d+\\[ms\\]'] },
  ],
};

describe('the real timing notebook', () => {
  it('fails on the timings without rules (2047 ms → 1324 ms), and not on the nbval-ignore-output cell', async () => {
    const result = await compare({ rtol: 1e-9 });
    expect(result.verdict).toBe('differs');
    expect(result.findings.map((f) => [f.where, f.committed, f.rerun])).toEqual([
      ['cell 2 output 0 (stdout): line 1', '2047', '1324'],
      ['cell 3 output 0 (stdout): line 1', '52', '51'],
    ]);
    expect(result.notes).toContain('cell 4: outputs not compared (tag nbval-ignore-output)');
  });

  it('passes with the timing masked by tag and the sleep by id, saying what was masked and left out', async () => {
    const result = await compare(timingRules);
    expect(result.verdict).toBe('identical');
    expect(result.notes).toEqual([
      'cell 2 output 0 (stdout): masked /took \\d+ms/: 1 match in the committed text, 1 match in the re-run',
      'cell 3 output 0 (stdout): masked /Slept \\d+\\[ms\\]/: 1 match in the committed text, 1 match in the re-run',
      'cell 4: outputs not compared (tag nbval-ignore-output)',
    ]);
  });

  it('still fails a changed result next to the masked timing, naming the number', async () => {
    const b = rerun();
    b.cells[2].outputs![0].text = ['naiveFib(40) = 200000000 (took 1324ms)\n'];
    const result = await compare(timingRules, b);
    expect(result.verdict).toBe('differs');
    expect(result.largest).toMatchObject({ text: '|Δ| 3.44e+7 (rel 2.1e-1)', where: 'cell 2 output 0 (stdout): line 1' });
    expect(result.largest!.score).toBeGreaterThan(1e8);
    expect(result.findings.map((f) => [f.committed, f.rerun])).toEqual([['165580141', '200000000']]);
    expect(result.textDiff).toContain(`+naiveFib(40) = 200000000 (${maskPlaceholder})`);
  });

  it('compares the other outputs with the file tolerance: a changed naiveFib(20) fails under the timing rules', async () => {
    const b = rerun();
    b.cells[5].outputs![0].text = ['10947\n'];
    expect((await compare(timingRules, b)).largest?.where).toBe('cell 5 output 0 (stdout): line 1');
  });

  it('does not apply a stdout rule to another stream of the cell', async () => {
    const [a, b] = [committed(), rerun()];
    a.cells[2].outputs![0].name = 'stderr';
    b.cells[2].outputs![0].name = 'stderr';
    expect((await compare(timingRules, b, a)).largest?.text).toBe('|Δ| 723 (rel 3.5e-1)');
  });
});

describe('ignore-output tags and ignore rules', () => {
  it('compares the source of an ignored cell but not its outputs, for both tags', async () => {
    for (const tag of ['nbval-ignore-output', 'repro-ignore-output']) {
      const [a, b] = [committed(), rerun()];
      a.cells[2].metadata.tags = [tag];
      const outputs = await compare({ rtol: 1e-9, cells: timingRules.cells!.slice(1) }, b, a);
      expect(outputs.verdict).toBe('identical');
      expect(outputs.notes).toContain(`cell 2: outputs not compared (tag ${tag})`);
      b.cells[2].source = [...b.cells[2].source, '\n// edited'];
      b.cells[2].outputs = [];
      const edited = await compare({ rtol: 1e-9, cells: timingRules.cells!.slice(1) }, b, a);
      expect(edited.notes).toContain('cell 2: the source differs (the notebook was edited since the results were committed)');
      expect(edited.notes).not.toContain('cell 2: 1 outputs → 0 outputs');
    }
  });

  it('takes the tag from the re-run too (tagged in the notebook since the results were committed)', async () => {
    const b = rerun();
    b.cells[2].metadata.tags = ['repro-ignore-output'];
    expect((await compare({ rtol: 1e-9, cells: timingRules.cells!.slice(1) }, b)).verdict).toBe('identical');
  });

  it('leaves out one output type by rule, and keeps comparing the others and their count', async () => {
    const [a, b] = [committed(), rerun()];
    a.cells[5].outputs = [{ output_type: 'execute_result', data: { 'text/plain': '10946', 'text/html': '<b>10946</b> at 08:35:22' } }];
    b.cells[5].outputs = [{ output_type: 'execute_result', data: { 'text/plain': '10946', 'text/html': '<b>10946</b> at 08:35:27' } }];
    const rules: Tolerance = { ...timingRules, cells: [...timingRules.cells!, { index: 5, output: 'text/html', ignore: true }] };
    const result = await compare(rules, b, a);
    expect(result.verdict).toBe('identical');
    expect(result.notes).toContain('cell 5: text/html not compared (cells rule (index 5, text/html): ignore)');
    b.cells[5].outputs![0].data!['text/plain'] = '10947';
    expect((await compare(rules, b, a)).largest?.where).toBe('cell 5 output 0 text/plain: line 1');
  });

  it('reports an informational cell’s difference without failing the notebook', async () => {
    const result = await compare({ rtol: 1e-9, cells: [{ index: 2, informational: true }, { id: 'sleep', informational: true }] });
    expect(result.verdict).toBe('within tolerance');
    expect(result.findings.map((f) => [f.committed, f.rerun, f.deviation, f.withinTolerance])).toEqual([
      ['2047', '1324', '|Δ| 723 (rel 3.5e-1) (informational)', true],
      ['52', '51', '|Δ| 1 (rel 1.9e-2) (informational)', true],
    ]);
    expect(result.notes).toContain('cell 2 output 0 (stdout): differs, reported only (cells rule (index 2): informational)');
  });

  it('applies a cell rule’s tolerance to that output only', async () => {
    const loose = await compare({ rtol: 1e-9, cells: [{ tag: 'timing', rtol: 0.5 }, { id: 'sleep', rtol: 0.05 }] });
    expect(loose.verdict).toBe('within tolerance');
    const b = rerun();
    b.cells[5].outputs![0].text = ['10947\n'];
    expect((await compare({ rtol: 1e-9, cells: [{ tag: 'timing', rtol: 0.5 }, { id: 'sleep', rtol: 0.05 }] }, b)).verdict).toBe('differs');
  });
});

describe('file-level masks and rules that select nothing', () => {
  it('masks every text output of the notebook with the file’s mask', async () => {
    const result = await compare({ rtol: 1e-9, mask: ['took \\d+ms', 'Slept \\d+\\[ms\\]'] });
    expect(result.verdict).toBe('identical');
    const [a, b] = [committed(), rerun()];
    a.cells[5].outputs = [{ output_type: 'display_data', data: { 'text/html': '<i>took 12ms</i>', 'text/markdown': 'took 3ms', 'text/latex': '$took 4ms$' } }];
    b.cells[5].outputs = [{ output_type: 'display_data', data: { 'text/html': '<i>took 15ms</i>', 'text/markdown': 'took 9ms', 'text/latex': '$took 1ms$' } }];
    expect((await compare({ rtol: 1e-9, mask: ['took \\d+ms', 'Slept \\d+\\[ms\\]'] }, b, a)).verdict).toBe('identical');
  });

  it('notes a rule naming a tag, id or index that no cell has, and does not fail on it', async () => {
    const result = await compare({ ...timingRules, cells: [...timingRules.cells!, { tag: 'timnig', informational: true }, { index: 40, ignore: true }] });
    expect(result.verdict).toBe('identical');
    expect(result.notes.slice(0, 2)).toEqual([
      'cells rule (tag "timnig") selects nothing: no cell has this tag; the rule was not applied',
      'cells rule (index 40) selects nothing: no cell is at this index (6 cells); the rule was not applied',
    ]);
  });
});
