// `repro verify --json`: stdout is verify.json and nothing else (the table goes to stderr), exit codes as without
// --json; with --no-run the image, engine and notebooks come from the run folder's run.json.
import { createHash } from 'node:crypto';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { VerifyRecord } from '../../src/verify/record.ts';
import { runCli } from '../verify/cli.ts';
import { imageId, succeededAndFailed, twoNotebookRepo, type TwoNotebookRepo } from './two-notebooks.ts';

let fixture: TwoNotebookRepo;
const repro = (...args: string[]) => runCli(fixture.repo, args);

beforeEach(() => {
  fixture = twoNotebookRepo();
});
afterEach(() => fixture.remove());

describe('repro verify --json', { timeout: 120_000 }, () => {
  it('prints verify.json alone on stdout, with the image, lock hash, toolkit, notebooks and verdict per file (exit 1)', async () => {
    const lock = 'recordVersion: 1\n';
    writeFileSync(join(fixture.repo, 'research.lock'), lock);
    const result = await repro('verify', '--json', '--no-run', '.repro/runs/last');
    expect(result.code).toBe(1);
    const record = JSON.parse(result.stdout) as VerifyRecord;
    expect(Object.keys(record)).toEqual([
      'recordVersion', 'toolkitVersion', 'imageId', 'engine', 'lockHash', 'runFolder', 'notebooks', 'passed', 'startedAt', 'finishedAt', 'files',
    ]);
    expect(record).toMatchObject({
      recordVersion: 1,
      toolkitVersion: '0.1.0',
      imageId,
      engine: 'docker',
      runFolder: '.repro/runs/last',
      notebooks: succeededAndFailed.notebooks,
      passed: false,
    });
    // sha256 of research.lock's bytes
    expect(record.lockHash).toBe(createHash('sha256').update(lock).digest('hex'));
    const verdicts = Object.fromEntries(record.files.map((file) => [file.path, file.verdict]));
    expect(verdicts).toMatchObject({
      'results/analysis/accuracy.csv': 'differs',
      'results/analysis/model.bin': 'missing',
      'results/analysis/new.json': 'extra',
      'results/analysis/figure.png': 'identical',
      'results/model/weights.csv': 'missing',
    });
    // The same record is in the run folder, and the table went to stderr.
    expect(JSON.parse(readFileSync(join(fixture.run, 'verify.json'), 'utf8'))).toEqual(record);
    expect(result.stderr).toMatch(/results\/analysis\/accuracy\.csv\s+csv\s+DIFFERS/);
    expect(result.stderr).toContain('verify: FAILED');
  });

  it('exits 0 on a faithful run, with the record still alone on stdout; --quiet leaves stderr without the table', async () => {
    rmSync(join(fixture.run, 'results'), { recursive: true });
    cpSync(join(fixture.repo, 'results'), join(fixture.run, 'results'), { recursive: true });
    const result = await repro('--quiet', 'verify', '--json', '--no-run', '.repro/runs/last');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toMatchObject({ passed: true, imageId, engine: 'docker' });
  });

  it('records no image, engine or notebooks for a run folder without run.json', async () => {
    rmSync(join(fixture.run, 'run.json'));
    const result = await repro('verify', '--json', '--no-run', '.repro/runs/last');
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ imageId: null, engine: null, notebooks: null, lockHash: null });
  });
});
