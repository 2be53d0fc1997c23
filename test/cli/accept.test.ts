// `repro accept [notebook…]` through the command line on a run in which one notebook succeeded and one failed:
// per notebook, with and without names, --dry-run, and the refusals (exit 1 for a failed notebook, 2 for bad input),
// each leaving the committed results as they were.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../verify/cli.ts';
import { succeededAndFailed, twoNotebookRepo, type TwoNotebookRepo } from './two-notebooks.ts';

let fixture: TwoNotebookRepo;
const repro = (...args: string[]) => runCli(fixture.repo, args);
const changedLines = 'changed  results/analysis/accuracy.csv\nremoved  results/analysis/model.bin\nadded    results/analysis/new.json\n';
const failedLine = 'not accepted: notebooks/model.ipynb failed (cell 4: ZeroDivisionError)';

beforeEach(() => {
  fixture = twoNotebookRepo();
});
afterEach(() => fixture.remove());

/** Asserts that nothing in results/ changed since `before`. */
function expectUnchanged(before: Record<string, string>): void {
  expect(fixture.committed()).toEqual(before);
  expect(existsSync(join(fixture.repo, 'results/analysis/new.json'))).toBe(false);
}

describe('repro accept with one failed and one succeeded notebook', { timeout: 120_000 }, () => {
  it('takes the notebook that succeeded, names the one that failed, and exits 0', async () => {
    const before = fixture.committed();
    const result = await repro('accept');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      changedLines + 'accepted notebooks/analysis.ipynb → results/analysis (3 files changed)\n' + failedLine + '\nreview and commit results/analysis\n',
    );
    expect(readFileSync(join(fixture.repo, 'results/analysis/accuracy.csv'), 'utf8')).toContain('0.7741');
    expect(existsSync(join(fixture.repo, 'results/analysis/model.bin'))).toBe(false);
    expect(readFileSync(join(fixture.repo, 'results/model/weights.csv'), 'utf8')).toBe(before['model/weights.csv']);
  });

  it('--dry-run lists the same per notebook and changes nothing', async () => {
    const before = fixture.committed();
    const result = await repro('accept', '--dry-run');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      changedLines + 'would accept notebooks/analysis.ipynb → results/analysis (3 files changed)\n' + failedLine + '\n(dry run) 3 changes not applied\n',
    );
    expectUnchanged(before);
  });

  it('takes only the named notebook', async () => {
    const dry = await repro('accept', '-n', './notebooks/analysis.ipynb');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toBe(changedLines + 'would accept notebooks/analysis.ipynb → results/analysis (3 files changed)\n(dry run) 3 changes not applied\n');
    const result = await repro('accept', 'notebooks/analysis.ipynb');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(changedLines + 'accepted notebooks/analysis.ipynb → results/analysis (3 files changed)\nreview and commit results/analysis\n');
    expect(readFileSync(join(fixture.repo, 'results/analysis/accuracy.csv'), 'utf8')).toContain('0.7741');
  });

  it('refuses a named notebook that failed in the run (exit 1), also beside one that succeeded, changing nothing', async () => {
    const before = fixture.committed();
    for (const args of [['notebooks/model.ipynb'], ['notebooks/analysis.ipynb', 'notebooks/model.ipynb'], ['--dry-run', 'notebooks/model.ipynb']]) {
      const result = await repro('accept', ...args);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr.split('\n')[0]).toBe(`repro: ${failedLine}; nothing was accepted from .repro/runs/last`);
      expectUnchanged(before);
    }
    const both = await repro('accept', 'notebooks/analysis.ipynb', 'notebooks/model.ipynb');
    expect(both.stderr).toContain('or name only the notebooks that succeeded (notebooks/analysis.ipynb)');
  });

  it('refuses an unknown notebook (exit 2), changing nothing', async () => {
    const before = fixture.committed();
    const result = await repro('accept', 'notebooks/analysis.ipynb', 'notebooks/nope.ipynb');
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(
      'repro: notebooks/nope.ipynb is not an entrypoint in research.yaml (entrypoints: notebooks/analysis.ipynb, notebooks/model.ipynb); nothing was accepted',
    );
    expectUnchanged(before);
  });

  it('exits 1 when every notebook failed, 2 when the named one was not in the run, changing nothing', async () => {
    const before = fixture.committed();
    const [analysis, model] = succeededAndFailed.notebooks;
    fixture.writeRecord({ ...succeededAndFailed, notebooks: [{ ...analysis, status: 'failed', cellIndex: 0, error: 'KernelDied', message: 'died' }, model] });
    const none = await repro('accept');
    expect(none.code).toBe(1);
    expect(none.stderr.split('\n')[0]).toBe(
      `repro: not accepted: notebooks/analysis.ipynb failed (cell 0: KernelDied); notebooks/model.ipynb failed (cell 4: ZeroDivisionError); nothing was accepted from .repro/runs/last`,
    );
    fixture.writeRecord({ ...succeededAndFailed, notebooks: [analysis] });
    const notRun = await repro('accept', 'notebooks/model.ipynb');
    expect(notRun.code).toBe(2);
    expect(notRun.stderr.split('\n')[0]).toBe('repro: not accepted: notebooks/model.ipynb was not run in this run; nothing was accepted from .repro/runs/last');
    expectUnchanged(before);
  });

  it('refuses a run.json that is not a run record (exit 2), changing nothing', async () => {
    const before = fixture.committed();
    writeFileSync(join(fixture.run, 'run.json'), '{"recordVersion": 1, "engine": "docker", "imageId": null, "notebooks": [{"notebook": 3}]}\n');
    const result = await repro('accept');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^repro: .*run\.json is not a run record: notebooks\.0\.notebook: /);
    writeFileSync(join(fixture.run, 'run.json'), '{');
    expect((await repro('accept')).stderr).toMatch(/^repro: .*run\.json is not JSON: /);
    expectUnchanged(before);
  });

  it('without a run.json, takes the outputs folders the run holds and names the others', async () => {
    rmSync(join(fixture.run, 'run.json'));
    const result = await repro('accept', '--dry-run');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'would accept notebooks/analysis.ipynb → results/analysis (3 files changed)\n' +
        'not accepted: notebooks/model.ipynb has no outputs in the run (results/model is missing; the folder has no run.json to say why)\n',
    );
  });
});
