// End to end through the command line: `repro verify --no-run DIR` and `repro accept` on a copy of the fixture repository.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { VerifyRecord } from '../../src/verify/record.ts';
import { barChart } from '../fixtures/verify/chart.ts';
import { runCli } from './cli.ts';

const fixture = fileURLToPath(new URL('../fixtures/verify/repo', import.meta.url));
let repo: string;
let run: string;

/** repro in the fixture copy. */
function repro(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runCli(repo, args);
}

const runFile = (name: string) => join(run, 'results/analysis', name);
/** The summary table row of one file, columns collapsed to single spaces. */
const row = (stdout: string, name: string) => stdout.split('\n').find((l) => l.startsWith(`results/analysis/${name} `))?.replace(/\s{2,}/g, ' | ');

beforeEach(() => {
  const root = mkdtempSync(join(tmpdir(), 'repro-verify-'));
  repo = join(root, 'repo');
  cpSync(fixture, repo, { recursive: true });
  run = join(repo, '.repro/runs/20261125T100000Z-1');
  cpSync(join(repo, 'results'), join(run, 'results'), { recursive: true });
  symlinkSync('20261125T100000Z-1', join(repo, '.repro/runs/last'));
});
afterEach(() => rmSync(join(repo, '..'), { recursive: true, force: true }));

describe('repro verify --no-run', { timeout: 120_000 }, () => {
  it('passes a faithful re-run (exit 0) and writes report.html and verify.json', async () => {
    const result = await repro('verify', '--no-run', run);
    expect(result.stderr).not.toContain('repro:');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('verify: OK, 8 files match within tolerance');
    const record = JSON.parse(readFileSync(join(run, 'verify.json'), 'utf8')) as VerifyRecord;
    expect(record).toMatchObject({ passed: true, toolkitVersion: '0.1.0', lockHash: null, imageId: null });
    expect(record.files.map((f) => f.verdict)).toEqual(Array(8).fill('identical'));
    expect(readFileSync(join(run, 'report.html'), 'utf8')).toContain('repro verify: passed');
  });

  it('catches one number changed beyond tolerance in a CSV, with row and column (exit 1)', async () => {
    writeFileSync(runFile('accuracy.csv'), readFileSync(runFile('accuracy.csv'), 'utf8').replace('0.7731', '0.7741'));
    const result = await repro('verify', '--no-run', run);
    expect(result.code).toBe(1);
    expect(row(result.stdout, 'accuracy.csv')).toBe('results/analysis/accuracy.csv | csv | DIFFERS | |Δ| 0.001 (rel 1.3e-3) | row 2 (line 3; model=tree), column "accuracy"');
    expect(result.stderr).toContain('repro: 1 file differs from the committed results beyond tolerance');
  });

  it('catches an altered figure, with the pixels and where, and writes its diff image (exit 1)', async () => {
    writeFileSync(runFile('figure.png'), barChart([30, 55, 20, 46]));
    const result = await repro('verify', '--no-run', run);
    expect(result.code).toBe(1);
    expect(row(result.stdout, 'figure.png')).toBe('results/analysis/figure.png | png | DIFFERS | 18 pixels (0.19%) | x 85–102, y 29–29');
    expect(existsSync(join(run, 'diff/results/analysis/figure.png.diff.png'))).toBe(true);
    expect(readFileSync(join(run, 'report.html'), 'utf8')).toMatch(/<img class="diff" alt="difference \(18 of 9600 pixels differ\): results\/analysis\/figure.png" src="data:image\/png;base64,/);
  });

  it('catches a committed file the re-run lacks and an extra output (exit 1)', async () => {
    rmSync(runFile('notes.txt'));
    writeFileSync(runFile('debug.log'), 'left over\n');
    const result = await repro('verify', '--no-run', run);
    expect(result.code).toBe(1);
    expect(row(result.stdout, 'notes.txt')).toBe('results/analysis/notes.txt | text | MISSING | missing from the re-run | file');
    expect(row(result.stdout, 'debug.log')).toBe('results/analysis/debug.log | text | EXTRA | not in the committed results | file');
    const record = JSON.parse(readFileSync(join(run, 'verify.json'), 'utf8')) as VerifyRecord;
    expect(record.passed).toBe(false);
    expect(record.files.filter((f) => f.fails).map((f) => [f.path, f.verdict])).toEqual([
      ['results/analysis/debug.log', 'extra'],
      ['results/analysis/notes.txt', 'missing'],
    ]);
  });

  it('shows an informational difference without failing (exit 0)', async () => {
    writeFileSync(runFile('timing.csv'), 'step,ms\nload,14.1\nfit,351.0\n');
    const result = await repro('verify', '--no-run', run);
    expect(result.code).toBe(0);
    expect(row(result.stdout, 'timing.csv')).toContain('differs (informational)');
  });

  it('refuses a missing folder or one not laid out like the repository (exit 2)', async () => {
    const missing = await repro('verify', '--no-run', 'no-such-run');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('repro: --no-run: no-such-run is not a folder');
    const flat = await repro('verify', '--no-run', join(run, 'results'));
    expect(flat.code).toBe(2);
    expect(flat.stderr).toContain('holds none of the entrypoint outputs (results/analysis)');
  });
});

describe('repro accept', { timeout: 120_000 }, () => {
  it("takes the last run's outputs as the results and lists what changed", async () => {
    writeFileSync(runFile('accuracy.csv'), readFileSync(runFile('accuracy.csv'), 'utf8').replace('0.7731', '0.7741'));
    writeFileSync(runFile('new.json'), '{}\n');
    rmSync(runFile('model.bin'));
    const dry = await repro('accept', '--dry-run');
    expect(dry.code).toBe(0);
    expect(readFileSync(join(repo, 'results/analysis/accuracy.csv'), 'utf8')).toContain('0.7731');
    const result = await repro('accept');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      'changed  results/analysis/accuracy.csv\nremoved  results/analysis/model.bin\nadded    results/analysis/new.json\n' +
        'accepted notebooks/analysis.ipynb → results/analysis (3 files changed)\nreview and commit results/analysis\n',
    );
    expect(readFileSync(join(repo, 'results/analysis/accuracy.csv'), 'utf8')).toContain('0.7741');
    expect(existsSync(join(repo, 'results/analysis/model.bin'))).toBe(false);
    expect((await repro('verify', '--no-run', join(repo, '.repro/runs/last'))).code).toBe(0);
  });

  it('refuses a run without every outputs folder and changes nothing (exit 2)', async () => {
    const partial = join(repo, '.repro/runs/partial');
    mkdirSync(join(partial, 'results'), { recursive: true });
    const before = readFileSync(join(repo, 'results/analysis/accuracy.csv'));
    const result = await repro('accept', '--from', partial);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'repro: not accepted: notebooks/analysis.ipynb has no outputs in the run (results/analysis is missing; the folder has no run.json to say why); nothing was accepted from .repro/runs/partial',
    );
    expect(readFileSync(join(repo, 'results/analysis/accuracy.csv'))).toEqual(before);
  });

  it('says so when there is no run to accept (exit 2)', async () => {
    rmSync(join(repo, '.repro'), { recursive: true });
    const result = await repro('accept');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no run to accept');
  });
});
