// Which entrypoints accept takes (selectAccepted), the error when it must take none (refusalError), the listing
// (acceptReport), and the run record they read (buildRunRecord, describeFailure, readRunRecord).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acceptReport } from '../../src/cli/accept.ts';
import { ExitCode, NotebookError, UsageError } from '../../src/errors.ts';
import { entrypointSchema, type Entrypoint } from '../../src/manifest/schema.ts';
import type { NotebookResult } from '../../src/run/types.ts';
import { refusalError, selectAccepted, type AcceptSelection } from '../../src/verify/accept-select.ts';
import { buildRunRecord, describeFailure, readRunRecord, type NotebookOutcome, type RunRecord } from '../../src/verify/run-record.ts';

const entrypoints: Entrypoint[] = [
  entrypointSchema.parse({ notebook: 'notebooks/a.ipynb', outputs: 'results/a/' }),
  entrypointSchema.parse({ notebook: 'notebooks/b.ipynb', outputs: 'results/b' }),
];
const ok = (n: string): NotebookOutcome => ({ notebook: `notebooks/${n}.ipynb`, outputs: `results/${n}`, status: 'ok', cellIndex: null, error: null, message: null });
const failed = (n: string, cellIndex: number | null, error: string | null): NotebookOutcome => ({ ...ok(n), status: 'failed', cellIndex, error, message: 'm' });
const record = (...notebooks: NotebookOutcome[]): RunRecord => ({ recordVersion: 1, engine: 'local', imageId: null, notebooks });
const both = new Set(['results/a', 'results/b']);
const a = { notebook: 'notebooks/a.ipynb', outputs: 'results/a' };
const b = { notebook: 'notebooks/b.ipynb', outputs: 'results/b' };

describe('selectAccepted', () => {
  it('takes the notebooks the record says succeeded and names the failed ones with cell and error', () => {
    const selection = selectAccepted({ entrypoints, record: record(ok('a'), failed('b', 4, 'ZeroDivisionError')), present: new Set(['results/a']), requested: [] });
    expect(selection).toEqual({ accepted: [a], refused: [{ ...b, reason: 'failed (cell 4: ZeroDivisionError)', failed: true }] });
  });

  it('believes the record over the folder: a failed notebook whose outputs are there is still refused', () => {
    const selection = selectAccepted({ entrypoints, record: record(ok('a'), failed('b', null, 'KernelDied')), present: both, requested: [] });
    expect(selection.refused).toEqual([{ ...b, reason: 'failed (KernelDied)', failed: true }]);
  });

  it('refuses an entrypoint the run did not run, and one whose outputs the folder lacks', () => {
    expect(selectAccepted({ entrypoints, record: record(ok('a')), present: both, requested: [] }).refused).toEqual([
      { ...b, reason: 'was not run in this run', failed: false },
    ]);
    expect(selectAccepted({ entrypoints, record: record(ok('a'), ok('b')), present: new Set(['results/b']), requested: [] }).refused).toEqual([
      { ...a, reason: 'has no outputs in the run (results/a is missing)', failed: false },
    ]);
  });

  it('with no record, takes the outputs folders present', () => {
    expect(selectAccepted({ entrypoints, record: undefined, present: new Set(['results/b']), requested: [] })).toEqual({
      accepted: [b],
      refused: [{ ...a, reason: 'has no outputs in the run (results/a is missing; the folder has no run.json to say why)', failed: false }],
    });
  });

  it('takes only the named notebooks, once each, in the order named, with or without ./', () => {
    const selection = selectAccepted({ entrypoints, record: record(ok('a'), ok('b')), present: both, requested: ['./notebooks/b.ipynb', 'notebooks/a.ipynb', 'notebooks/b.ipynb'] });
    expect(selection).toEqual({ accepted: [b, a], refused: [] });
  });

  it('throws a UsageError (exit 2) for a notebook that is not an entrypoint', () => {
    expect(() => selectAccepted({ entrypoints, record: undefined, present: both, requested: ['notebooks/c.ipynb'] })).toThrowError(
      new UsageError('notebooks/c.ipynb is not an entrypoint in research.yaml (entrypoints: notebooks/a.ipynb, notebooks/b.ipynb); nothing was accepted', 'Name notebooks as research.yaml lists them under entrypoints.'),
    );
  });
});

describe('refusalError', () => {
  const refusedB = { ...b, reason: 'failed (cell 4: ZeroDivisionError)', failed: true };
  const missingB = { ...b, reason: 'was not run in this run', failed: false };

  it('is none when something is accepted and nothing named was refused', () => {
    expect(refusalError({ accepted: [a], refused: [refusedB] }, 'runs/last', false)).toBeUndefined();
    expect(refusalError({ accepted: [a], refused: [] }, 'runs/last', true)).toBeUndefined();
    expect(refusalError({ accepted: [], refused: [] }, 'runs/last', false)).toBeUndefined();
  });

  it('is exit 1 when a failed notebook is why nothing is accepted, exit 2 when the run lacks it', () => {
    const failedOnly = refusalError({ accepted: [], refused: [refusedB] }, 'runs/last', false);
    expect(failedOnly?.exitCode).toBe(ExitCode.difference);
    expect(failedOnly?.message).toBe('not accepted: notebooks/b.ipynb failed (cell 4: ZeroDivisionError); nothing was accepted from runs/last');
    expect(failedOnly?.hint).toBe("Fix the notebook and run `repro verify` again; a failed notebook's outputs never become results.");
    const missing = refusalError({ accepted: [], refused: [missingB] }, 'runs/last', false);
    expect(missing).toBeInstanceOf(UsageError);
    expect(missing?.exitCode).toBe(ExitCode.badInput);
  });

  it('refuses everything when a named notebook is refused, suggesting the ones that succeeded', () => {
    const error = refusalError({ accepted: [a], refused: [refusedB] }, 'runs/last', true);
    expect(error?.exitCode).toBe(1);
    expect(error).not.toBeInstanceOf(NotebookError);
    expect(error?.hint).toContain('or name only the notebooks that succeeded (notebooks/a.ipynb)');
  });
});

describe('acceptReport', () => {
  const selection: AcceptSelection = { accepted: [a, b], refused: [{ notebook: 'notebooks/c.ipynb', outputs: 'results/c', reason: 'failed (cell 2: ValueError)', failed: true }] };
  const plan = { outputs: ['results/a', 'results/b'], changes: [{ path: 'results/a/x.csv', change: 'changed' as const }] };

  it('lists files, then each notebook with its count, then those not accepted', () => {
    expect(acceptReport(selection, plan, false)).toBe(
      'changed  results/a/x.csv\naccepted notebooks/a.ipynb → results/a (1 file changed)\naccepted notebooks/b.ipynb → results/b (no changes)\n' +
        'not accepted: notebooks/c.ipynb failed (cell 2: ValueError)\nreview and commit results/a\n',
    );
    expect(acceptReport(selection, plan, true)).toContain('would accept notebooks/a.ipynb → results/a (1 file changed)\n');
    expect(acceptReport(selection, plan, true).endsWith('(dry run) 1 change not applied\n')).toBe(true);
  });

  it('says when nothing changes', () => {
    expect(acceptReport({ accepted: [a], refused: [] }, { outputs: ['results/a'], changes: [] }, false)).toBe(
      'accepted notebooks/a.ipynb → results/a (no changes)\nnothing to change: the accepted outputs match the committed results byte for byte\n',
    );
  });
});

describe('the run record', () => {
  const base = { elapsedMs: 1 };
  const results: NotebookResult[] = [
    { ...base, notebook: 'notebooks/a.ipynb', outputs: 'results/a/', status: 'ok', imageId: 'sha256:1', warnings: ['cell 1 raised KeyError (allowed)'] },
    {
      ...base,
      notebook: 'notebooks/b.ipynb',
      outputs: 'results/b',
      status: 'failed',
      cellIndex: 4,
      ename: 'ZeroDivisionError',
      evalue: 'division by zero',
      imageId: 'sha256:1',
      error: new NotebookError('ZeroDivisionError: division by zero', { notebook: 'notebooks/b.ipynb', cellIndex: 4 }),
    },
  ];

  it('records each notebook, what it warned about, and the image the results carry', () => {
    expect(buildRunRecord(results, 'docker')).toEqual({
      recordVersion: 1,
      engine: 'docker',
      imageId: 'sha256:1',
      notebooks: [
        { notebook: 'notebooks/a.ipynb', outputs: 'results/a', status: 'ok', cellIndex: null, error: null, message: null, warnings: ['cell 1 raised KeyError (allowed)'] },
        { notebook: 'notebooks/b.ipynb', outputs: 'results/b', status: 'failed', cellIndex: 4, error: 'ZeroDivisionError', message: 'notebooks/b.ipynb cell 4: ZeroDivisionError: division by zero', warnings: [] },
      ],
    });
    expect(buildRunRecord(results.map(({ imageId: _, ...rest }) => rest), 'local').imageId).toBeNull();
  });

  it('describes a failure as repro run does', () => {
    expect(describeFailure(failed('b', 4, 'ZeroDivisionError'))).toBe('failed (cell 4: ZeroDivisionError)');
    expect(describeFailure(failed('b', 0, null))).toBe('failed (cell 0)');
    expect(describeFailure(failed('b', null, null))).toBe('failed');
  });

  it('reads run.json back, undefined when absent, a UsageError naming the field when malformed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'repro-run-record-'));
    try {
      expect(await readRunRecord(dir)).toBeUndefined();
      const written = buildRunRecord(results, 'docker');
      writeFileSync(join(dir, 'run.json'), JSON.stringify(written));
      expect(await readRunRecord(dir)).toEqual(written);
      // A run.json written before warnings were recorded still reads.
      writeFileSync(join(dir, 'run.json'), JSON.stringify({ ...written, notebooks: written.notebooks.map(({ warnings: _, ...rest }) => rest) }));
      expect((await readRunRecord(dir))?.notebooks[0].warnings).toBeUndefined();
      writeFileSync(join(dir, 'run.json'), JSON.stringify({ ...written, notebooks: [{ ...written.notebooks[0], status: 'maybe' }] }));
      const error = await readRunRecord(dir).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).message).toMatch(/run\.json is not a run record: notebooks\.0\.status: /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
