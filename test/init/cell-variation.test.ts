// Cell rules proposed for an executed notebook that differed between two real runs, and the research.yaml they make.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { proposeCellRules, proposeVariation } from '../../src/init/cell-variation.ts';
import { isoTimestampPattern } from '../../src/init/mask-derive.ts';
import { renderManifest } from '../../src/init/write-yaml.ts';
import { parseManifest } from '../../src/manifest/load.ts';
import { compareFile } from '../../src/verify/index.ts';

const fixtures = join(import.meta.dirname, '..', 'fixtures');
const read = (path: string) => readFile(join(fixtures, path));
const tslab = { first: await read('verify/timing/committed.ipynb'), second: await read('verify/timing/rerun.ipynb') };
const python = { first: await read('init/python-timing/run1.ipynb'), second: await read('init/python-timing/run2.ipynb') };

interface Notebook {
  cells: Array<{ id?: string; outputs?: Array<Record<string, unknown>> }>;
}

/** A copy of a notebook changed by `edit`. */
function edited(bytes: Buffer, edit: (notebook: Notebook) => void): Buffer {
  const notebook = JSON.parse(bytes.toString('utf8')) as Notebook;
  edit(notebook);
  return Buffer.from(JSON.stringify(notebook, null, 1));
}

const setStdout = (cell: number, text: string) => (notebook: Notebook) => {
  notebook.cells[cell].outputs![0].text = [text];
};

describe('proposeCellRules', () => {
  it('two real tslab runs: a mask per timing, by cell id and stream; the cell tagged nbval-ignore-output needs none', async () => {
    const proposals = await proposeCellRules('results/timing/timing.ipynb', tslab.first, tslab.second);
    expect(proposals?.map((item) => item.rule)).toEqual([
      { id: 'fib-run', output: 'stdout', mask: [String.raw`took \d+(?:\.\d+)?(?:ns|µs|us|ms|s)`] },
      { id: 'sleep', output: 'stdout', mask: [String.raw`Slept \d+\[ms\]`] },
    ]);
    expect(proposals?.[0].why).toBe('cell 2 (id fib-run) stdout: "took 2047ms" → "took 1324ms" between the two runs: masked, the rest still compared');
  });

  it('two real python3 runs: seconds with decimals on stdout, an ISO timestamp in text/plain', async () => {
    const proposals = await proposeCellRules('results/timing/timing.ipynb', python.first, python.second);
    expect(proposals?.map((item) => item.rule)).toEqual([
      { id: 'sum-run', output: 'stdout', mask: [String.raw`elapsed: \d+(?:\.\d+)? (?:ns|µs|us|ms|s)`] },
      { id: 'stamp', output: 'text/plain', mask: [isoTimestampPattern] },
    ]);
  });

  it('cells with no id (nbformat 4.4) are selected by index', async () => {
    const noIds = (notebook: Notebook) => notebook.cells.forEach((cell) => delete cell.id);
    const proposals = await proposeCellRules('r/t.ipynb', edited(tslab.first, noIds), edited(tslab.second, noIds));
    expect(proposals?.map((item) => item.rule)).toEqual([
      { index: 2, output: 'stdout', mask: [String.raw`took \d+(?:\.\d+)?(?:ns|µs|us|ms|s)`] },
      { index: 3, output: 'stdout', mask: [String.raw`Slept \d+\[ms\]`] },
    ]);
  });

  it('a changed result beside the timing: no mask (it would pass only the timing), informational for that output alone, with the TODO', async () => {
    const second = edited(tslab.second, setStdout(2, 'naiveFib(40) = 165580142 (took 1324ms)\n'));
    const proposals = await proposeCellRules('r/t.ipynb', tslab.first, second);
    expect(proposals?.map((item) => item.rule)).toEqual([
      { id: 'fib-run', output: 'stdout', informational: true },
      { id: 'sleep', output: 'stdout', mask: [String.raw`Slept \d+\[ms\]`] },
    ]);
    expect(proposals?.[0].why).toMatch(/^cell 2 \(id fib-run\) stdout differed between the two runs \(.+\), beyond any small tolerance: shown by verify but never failing it\. TODO: if it is a timing or a timestamp, keep this; if it is a result, find out why it changes \(random numbers drawn with no seed\? seed them from REPRO_SEED\)$/);
  });

  it('a result that changed in a Python or R notebook: the TODO shows how to seed its random numbers from REPRO_SEED in its language', async () => {
    const second = edited(python.second, (notebook) => {
      (notebook.cells[4].outputs![0].data as Record<string, unknown>)['text/plain'] = ['17'];
    });
    const result = (await proposeCellRules('r/p.ipynb', python.first, second))?.at(-1);
    expect(result?.rule).toEqual({ id: 'result', output: 'text/plain', informational: true });
    expect(result?.why).toContain(
      'seed them from REPRO_SEED, e.g. seed = int(os.environ.get("REPRO_SEED", "42")) in the first cell, then random.seed(seed), np.random.seed(seed) or rng = np.random.default_rng(seed), whichever the code draws from)',
    );

    const asR = (notebook: Notebook & { metadata?: unknown }) => {
      notebook.metadata = { kernelspec: { name: 'ir', language: 'R' } };
    };
    const inR = (await proposeCellRules('r/r.ipynb', edited(python.first, asR), edited(second, asR)))?.at(-1);
    expect(inR?.why).toMatch(/seed them from REPRO_SEED, e\.g\. set\.seed\(as\.integer\(Sys\.getenv\("REPRO_SEED", "42"\)\)\) in the first cell\)$/);
  });

  it('a mask matching in several places is proposed when the comparison passes under it', async () => {
    const first = edited(tslab.first, setStdout(2, 'warm-up took 12ms\nnaiveFib(40) = 165580141 (took 2047ms)\n'));
    const second = edited(tslab.second, setStdout(2, 'warm-up took 12ms\nnaiveFib(40) = 165580141 (took 1324ms)\n'));
    const proposals = await proposeCellRules('r/t.ipynb', first, second);
    expect(proposals?.[0].rule).toEqual({ id: 'fib-run', output: 'stdout', mask: [String.raw`took \d+(?:\.\d+)?(?:ns|µs|us|ms|s)`] });
  });

  it('a bare number that moved in the last digits: the smallest rtol for that output', async () => {
    const first = edited(tslab.first, setStdout(5, '0.912345678901\n'));
    const second = edited(tslab.second, setStdout(5, '0.912345678902\n'));
    const proposals = await proposeCellRules('r/t.ipynb', first, second);
    expect(proposals?.map((item) => item.rule).at(-1)).toEqual({ id: 'result', output: 'stdout', rtol: 1e-9 });
    expect(proposals?.at(-1)?.why).toMatch(/^cell 5 \(id result\) stdout differed between the two runs \(.+\); the smallest tolerance that passes both$/);
  });

  it('a cell with one output more in one run: its outputs are left out (informational cannot pass another count of outputs)', async () => {
    const second = edited(tslab.second, (notebook) => notebook.cells[5].outputs!.push({ name: 'stderr', output_type: 'stream', text: ['warning\n'] }));
    const proposals = await proposeCellRules('r/t.ipynb', tslab.first, second);
    expect(proposals?.at(-1)).toEqual({
      rule: { id: 'result', ignore: true },
      why: 'cell 5 (id result): its outputs went from 1 to 2 between the two runs: left out of the comparison. TODO: if it is a timing or a timestamp, keep this; if it is a result, find out why it changes (random numbers drawn with no seed? seed them from REPRO_SEED)',
    });
  });

  it('notebooks whose cells do not pair up get no cell rules', async () => {
    const shorter = edited(tslab.second, (notebook) => notebook.cells.pop());
    expect(await proposeCellRules('r/t.ipynb', tslab.first, shorter)).toBeUndefined();
    expect(await proposeCellRules('r/t.ipynb', tslab.first, Buffer.from('not json'))).toBeUndefined();
  });

  it('the same notebook twice, with no timing in it: nothing to propose', async () => {
    const quiet = edited(tslab.first, (notebook) => {
      setStdout(2, 'naiveFib(40) = 165580141\n')(notebook);
      setStdout(3, 'done\n')(notebook);
    });
    expect(await proposeCellRules('r/t.ipynb', quiet, quiet)).toEqual([]);
  });

  it('a measured time both runs printed alike (tslab-examples: `Slept 500[ms]` twice, 501 on the next run) is masked; the rule passes that next run and still fails a changed result', async () => {
    const proposals = await proposeCellRules('r/t.ipynb', tslab.first, tslab.first);
    expect(proposals).toEqual([
      {
        rule: { id: 'fib-run', output: 'stdout', mask: [String.raw`took \d+(?:\.\d+)?(?:ns|µs|us|ms|s)`] },
        why: 'cell 2 (id fib-run) stdout: "took 2047ms" reads as a measured time, though both runs printed it alike: masked, the rest still compared',
      },
      {
        rule: { id: 'sleep', output: 'stdout', mask: [String.raw`Slept \d+(?:\.\d+)?\[ms\]`] },
        why: 'cell 3 (id sleep) stdout: "Slept 52[ms]" reads as a measured time, though both runs printed it alike: masked, the rest still compared',
      },
    ]);
    const cells = proposals!.map((item) => item.rule);
    const next = edited(tslab.first, (notebook) => {
      setStdout(2, 'naiveFib(40) = 165580141 (took 2.5s)\n')(notebook);
      setStdout(3, 'Slept 53[ms]\n')(notebook);
    });
    expect((await compareFile('r/t.ipynb', tslab.first, next, {})).verdict).toBe('differs');
    expect((await compareFile('r/t.ipynb', tslab.first, next, { cells })).verdict).toBe('identical');
    const wrong = edited(next, setStdout(2, 'naiveFib(40) = 200000000 (took 2.5s)\n'));
    expect((await compareFile('r/t.ipynb', tslab.first, wrong, { cells })).verdict).toBe('differs');
  });

  it('a timing that changed beside one that did not, in one output: one mask for both; %time and %timeit lines alike are masked whole', async () => {
    const first = edited(tslab.first, setStdout(2, 'load took 12 ms\nnaiveFib(40) = 165580141\nfit elapsed: 2.047 s\n'));
    const second = edited(tslab.first, setStdout(2, 'load took 12 ms\nnaiveFib(40) = 165580141\nfit elapsed: 1.324 s\n'));
    const proposals = await proposeCellRules('r/t.ipynb', first, second);
    expect(proposals?.[0].rule).toEqual({ id: 'fib-run', output: 'stdout', mask: [String.raw`elapsed: \d+(?:\.\d+)? (?:ns|µs|us|ms|s)`, String.raw`took \d+(?:\.\d+)? (?:ns|µs|us|ms|s)`] });
    const timed = edited(tslab.first, (notebook) => {
      setStdout(2, 'CPU times: user 1.2 ms, sys: 30 µs, total: 1.23 ms\nWall time: 2.3 s\n')(notebook);
      setStdout(3, '1.23 ms ± 45.6 µs per loop (mean ± std. dev. of 7 runs, 1000 loops each)\n')(notebook);
    });
    const later = edited(tslab.first, (notebook) => {
      setStdout(2, 'CPU times: user 950 µs, sys: 0 ns, total: 950 µs\nWall time: 980 ms\n')(notebook);
      setStdout(3, '812 µs ± 3.1 µs per loop (mean ± std. dev. of 7 runs, 10000 loops each)\n')(notebook);
    });
    const rules = (await proposeCellRules('r/t.ipynb', timed, timed))!.map((item) => item.rule);
    expect(rules).toHaveLength(2);
    expect((await compareFile('r/t.ipynb', timed, later, {})).verdict).toBe('differs');
    expect((await compareFile('r/t.ipynb', timed, later, { cells: rules })).verdict).toBe('identical');
  });
});

describe('proposeVariation', () => {
  it('a notebook: one rule holding the cell rules; the same bytes: none; cells that do not pair up: the whole file', async () => {
    const rule = await proposeVariation('results/timing/timing.ipynb', tslab.first, tslab.second);
    expect(rule?.rule).toEqual({ cells: rule?.cells?.map((item) => item.rule) });
    const quiet = edited(tslab.first, (notebook) => notebook.cells.forEach((cell) => delete cell.outputs));
    expect(await proposeVariation('results/timing/timing.ipynb', quiet, quiet)).toBeUndefined();
    const shorter = edited(tslab.second, (notebook) => notebook.cells.pop());
    expect((await proposeVariation('r/t.ipynb', tslab.first, shorter))?.rule).toEqual({ informational: true });
  });

  it('a text file whose timing changed gets a mask for the file', async () => {
    const rule = await proposeVariation('results/a/log.txt', Buffer.from('rows: 100\nfit took 0.53 s\n'), Buffer.from('rows: 100\nfit took 0.61 s\n'));
    expect(rule).toEqual({ rule: { mask: [String.raw`took \d+(?:\.\d+)? (?:ns|µs|us|ms|s)`] }, why: 'differed between two runs of the notebook ("took 0.53 s" → "took 0.61 s"): masked, the rest still compared' });
  });

  it('the research.yaml written with the proposed cell rules loads, and verify passes the two runs under the rules it loaded', async () => {
    const glob = 'results/timing/timing.ipynb';
    const rule = await proposeVariation(glob, python.first, python.second);
    const text = renderManifest({ name: 'x', kernels: [], apt: [], aptTodo: [], data: [], entrypoints: [], unusable: [], notes: [], verify: [{ glob, rule: rule!.rule, why: `${glob} ${rule!.why}`, cells: rule!.cells }] });
    expect(text).toContain(
      [
        '  results/timing/timing.ipynb:',
        '    cells:',
        '      # cell 2 (id sum-run) stdout: "elapsed: 0.114 s" → "elapsed: 0.126 s" between the two runs: masked, the rest',
        '      #   still compared',
        String.raw`      - { id: sum-run, output: stdout, mask: 'elapsed: \d+(?:\.\d+)? (?:ns|µs|us|ms|s)' }`,
      ].join('\n'),
    );
    const loaded = parseManifest(text, 'research.yaml').manifest.verify[glob];
    expect(loaded.cells).toEqual(rule!.rule.cells);
    expect((await compareFile(glob, python.first, python.second, loaded)).verdict).toBe('identical');
    expect((await compareFile(glob, python.first, python.second, {})).verdict).toBe('differs');
  });
});
