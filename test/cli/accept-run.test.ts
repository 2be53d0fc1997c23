// A real run (local tslab kernels) in which one notebook succeeds and one fails at cell 3: `repro verify` records
// both in run.json and verify.json, and `repro accept` takes the one that succeeded and names the other.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { VerifyRecord } from '../../src/verify/record.ts';
import type { RunRecord } from '../../src/verify/run-record.ts';
import { fixtureProject, type FixtureProject } from '../run/project.ts';
import { runCli } from '../verify/cli.ts';

let project: FixtureProject | undefined;
afterEach(async () => project?.remove());

describe('repro verify then repro accept, one notebook failing', () => {
  it('accepts the notebook that succeeded and names the one that failed', { timeout: 600_000 }, async () => {
    project = await fixtureProject(['outputs.ipynb', 'error.ipynb']);
    const dir = project.dir;
    const verified = await runCli(dir, ['verify', '--engine', 'local', '--json']);
    expect(verified.code, verified.stderr).toBe(1);
    const record = JSON.parse(verified.stdout) as VerifyRecord;
    const notebooks = [
      { notebook: 'notebooks/outputs.ipynb', outputs: 'results/outputs', status: 'ok', cellIndex: null, error: null, message: null },
      {
        notebook: 'notebooks/error.ipynb',
        outputs: 'results/error',
        status: 'failed',
        cellIndex: 3,
        error: 'RangeError',
        message: expect.stringMatching(/^notebooks\/error\.ipynb cell 3: RangeError: x is 1/),
      },
    ];
    expect(record).toMatchObject({ engine: 'local', imageId: null, notebooks });
    const run = JSON.parse(readFileSync(join(dir, '.repro/runs/last/run.json'), 'utf8')) as RunRecord;
    expect(run).toMatchObject({ recordVersion: 1, engine: 'local', imageId: null, notebooks });

    const refused = await runCli(dir, ['accept', 'notebooks/error.ipynb']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('repro: not accepted: notebooks/error.ipynb failed (cell 3: RangeError); nothing was accepted');
    expect(existsSync(join(dir, 'results'))).toBe(false);

    const accepted = await runCli(dir, ['accept']);
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(accepted.stdout).toBe(
      'added    results/outputs/answer.json\nadded    results/outputs/outputs.ipynb\n' +
        'accepted notebooks/outputs.ipynb → results/outputs (2 files changed)\n' +
        'not accepted: notebooks/error.ipynb failed (cell 3: RangeError)\nreview and commit results/outputs\n',
    );
    expect(readdirSync(join(dir, 'results'))).toEqual(['outputs']);
    expect(JSON.parse(readFileSync(join(dir, 'results/outputs/answer.json'), 'utf8'))).toMatchObject({ answer: 42 });
  });

  it('repro run --out DIR records the run in DIR/run.json, and accept --from DIR takes what succeeded', { timeout: 600_000 }, async () => {
    project = await fixtureProject(['outputs.ipynb', 'error.ipynb']);
    const dir = project.dir;
    const out = join(dir, 'elsewhere');
    const ran = await runCli(dir, ['run', '--engine', 'local', '--out', out]);
    expect(ran.code).toBe(1);
    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as RunRecord;
    expect(run).toMatchObject({
      engine: 'local',
      notebooks: [
        { notebook: 'notebooks/outputs.ipynb', status: 'ok' },
        { notebook: 'notebooks/error.ipynb', status: 'failed', cellIndex: 3, error: 'RangeError' },
      ],
    });
    const accepted = await runCli(dir, ['accept', '--from', out]);
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(accepted.stdout).toContain('not accepted: notebooks/error.ipynb failed (cell 3: RangeError)');
    expect(readdirSync(join(dir, 'results'))).toEqual(['outputs']);
  });
});
