// A sweep's Slurm submissions on disk, and the one-line description of a task that --status and progress print.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeTask, readSubmissions, recordSubmission } from '../../src/cluster/submissions.ts';
import { EngineError } from '../../src/errors.ts';

describe('submissions.json', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'repro-submissions-'));
  });
  afterEach(async () => rm(root, { recursive: true, force: true }));

  it('is empty before any submission, then keeps every array in order', async () => {
    expect(await readSubmissions(root)).toEqual([]);
    await recordSubmission(root, { jobId: '34', submittedAt: '2026-11-29T09:06:59.306Z', points: { '0': 'seed-1', '1': 'seed-2' } });
    await recordSubmission(root, { jobId: '51', submittedAt: '2026-11-29T09:20:00.000Z', points: { '1': 'seed-2' } });
    expect((await readSubmissions(root)).map((submission) => [submission.jobId, submission.points])).toEqual([
      ['34', { '0': 'seed-1', '1': 'seed-2' }],
      ['51', { '1': 'seed-2' }],
    ]);
    expect(JSON.parse(await readFile(join(root, 'slurm/submissions.json'), 'utf8')).version).toBe(1);
  });

  it('a damaged file is exit 3 naming it and saying what to do', async () => {
    await mkdir(join(root, 'slurm'));
    await writeFile(join(root, 'slurm/submissions.json'), '{"version":1,"submissions":[{"jobId":"x"');
    const error = await readSubmissions(root).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).message).toMatch(/slurm\/submissions.json is not JSON/);
    expect((error as EngineError).hint).toMatch(/remove it to forget the earlier arrays/);
    await writeFile(join(root, 'slurm/submissions.json'), '{"version":1,"submissions":[{"jobId":"x","submittedAt":"","points":{}}]}');
    await expect(readSubmissions(root)).rejects.toThrow(/submissions.json is malformed: submissions.0.jobId/);
  });
});

describe('describeTask', () => {
  it.each([
    [{ task: 2, state: 'PENDING', reason: 'Resources' }, 'PENDING: Resources (job 18_2)'],
    [{ task: 2, state: 'PENDING' }, 'PENDING (job 18_2)'],
    [{ task: 0, state: 'RUNNING', node: 'vm', startedAt: '2026-11-29T09:00:25' }, 'RUNNING on vm since 2026-11-29T09:00:25 (job 18_0)'],
    [{ task: 3, state: 'FAILED', exitCode: 1, node: 'vm' }, 'FAILED, exit code 1 on vm (job 18_3)'],
    [{ task: 1, state: 'CANCELLED', exitCode: 0, signal: 15, node: 'n2' }, 'CANCELLED, exit code 0, signal 15 on n2 (job 18_1)'],
    [{ task: 5, state: 'UNKNOWN' }, 'UNKNOWN: Slurm no longer knows this task (job 18_5)'],
  ] as const)('%j → %s', (status, expected) => {
    expect(describeTask({ ...status, arrayJobId: '18' })).toBe(expected);
  });
});
