// Through the command line: special files in a run folder are differences (exit 1, never read), and a run folder
// that is, or resolves into, the committed results is refused (exit 2) by verify --no-run, run --out and accept --from.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { VerifyRecord } from '../../src/verify/record.ts';
import { runCli } from './cli.ts';

const fixture = fileURLToPath(new URL('../fixtures/verify/repo', import.meta.url));
let repo: string;
let run: string;

const repro = (...args: string[]) => runCli(repo, args);
const runFile = (name: string) => join(run, 'results/analysis', name);
const row = (stdout: string, name: string) => stdout.split('\n').find((l) => l.startsWith(`results/analysis/${name} `))?.replace(/\s{2,}/g, ' | ');

beforeEach(() => {
  repo = join(mkdtempSync(join(tmpdir(), 'repro-verify-links-')), 'repo');
  cpSync(fixture, repo, { recursive: true });
  run = join(repo, '.repro/runs/20261125T100000Z-1');
  cpSync(join(repo, 'results'), join(run, 'results'), { recursive: true });
});
afterEach(() => rmSync(join(repo, '..'), { recursive: true, force: true }));

describe('repro verify --no-run with special files', { timeout: 120_000 }, () => {
  it('reports links to /dev/zero and to a FIFO, and a FIFO, as SPECIAL rows and exits 1', async () => {
    rmSync(runFile('model.bin'));
    symlinkSync('/dev/zero', runFile('model.bin'));
    execFileSync('mkfifo', [join(repo, '..', 'fifo')]);
    rmSync(runFile('notes.txt'));
    symlinkSync(join(repo, '..', 'fifo'), runFile('notes.txt'));
    rmSync(runFile('metrics.json'));
    execFileSync('mkfifo', [runFile('metrics.json')]);
    const result = await repro('verify', '--no-run', run);
    expect(result.code).toBe(1);
    expect(row(result.stdout, 'model.bin')).toBe('results/analysis/model.bin | binary | SPECIAL | symlink → /dev/zero | re-run');
    expect(row(result.stdout, 'notes.txt')).toBe(`results/analysis/notes.txt | text | SPECIAL | symlink → ${join(repo, '..', 'fifo')} | re-run`);
    expect(row(result.stdout, 'metrics.json')).toBe('results/analysis/metrics.json | json | SPECIAL | FIFO | re-run');
    expect(result.stderr).toContain('repro: 3 files differ from the committed results beyond tolerance');
    const record = JSON.parse(readFileSync(join(run, 'verify.json'), 'utf8')) as VerifyRecord;
    expect(record.files.filter((f) => f.verdict === 'special').map((f) => f.path)).toEqual([
      'results/analysis/metrics.json',
      'results/analysis/model.bin',
      'results/analysis/notes.txt',
    ]);
  });
});

describe('a run folder that is, or resolves into, the committed results', { timeout: 120_000 }, () => {
  it('is refused by verify --no-run (exit 2): results, the project itself, a results/ link, a linked run', async () => {
    const linked = join(repo, '..', 'linked-run');
    mkdirSync(linked);
    symlinkSync(join(repo, 'results'), join(linked, 'results'));
    const cases: Array<[string, string]> = [
      ['results', 'repro: --no-run results: the run folder is results/, which holds the committed results results/analysis; nothing was compared or written'],
      ['.', 'repro: --no-run .: its results/analysis resolves to the committed results/analysis; nothing was compared or written'],
      [linked, `repro: --no-run ${linked}: its results/analysis resolves through a link to the committed results/analysis; nothing was compared or written`],
    ];
    for (const [dir, message] of cases) {
      const result = await repro('verify', '--no-run', dir);
      expect(result.code, dir).toBe(2);
      expect(result.stderr.split('\n')[0]).toBe(message);
      expect(result.stderr).toContain('Give a folder a run wrote, e.g. .repro/runs/last');
      expect(existsSync(join(repo, 'results/analysis/verify.json'))).toBe(false);
    }
  });

  it('is refused by run --out (exit 2) before any notebook runs', async () => {
    for (const out of ['results', 'results/analysis/tmp', '.']) {
      const result = await repro('run', '--engine', 'local', '--out', out);
      expect(result.code, out).toBe(2);
      expect(result.stderr).toMatch(/repro: --out .*(is inside results\/|is results\/|resolves to the committed results\/analysis)/);
      expect(result.stderr).toContain('Write the run elsewhere, e.g. --out /tmp/rerun.');
    }
    expect(existsSync(join(repo, 'results/analysis/tmp'))).toBe(false);
  });

  it('is refused by accept --from (exit 2), and a run holding a link is not accepted (exit 2)', async () => {
    const refused = await repro('accept', '--from', 'results');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('repro: --from results: the run folder is results/');
    rmSync(runFile('model.bin'));
    symlinkSync('/dev/zero', runFile('model.bin'));
    const linked = await repro('accept', '--from', run);
    expect(linked.code).toBe(2);
    expect(linked.stderr).toContain('results/analysis/model.bin (symlink → /dev/zero); nothing was accepted');
    expect(readFileSync(join(repo, 'results/analysis/model.bin')).length).toBeGreaterThan(0);
  });
});
