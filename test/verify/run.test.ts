// `repro verify` with a real run (local tslab kernel): fresh run folder, .repro/runs/last, then accept.
import { readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { VerifyRecord } from '../../src/verify/record.ts';
import { fixtureProject, type FixtureProject } from '../run/project.ts';
import { runCli } from './cli.ts';

let project: FixtureProject | undefined;
afterEach(async () => project?.remove());

function repro(cwd: string, ...args: string[]) {
  return runCli(cwd, args);
}

describe('repro verify --engine local', () => {
  // Four CLI runs, three of them starting a kernel: minutes on a loaded machine.
  it('runs into a fresh run folder, catches a changed committed result, and accept restores it', { timeout: 600_000 }, async () => {
    project = await fixtureProject(['outputs.ipynb']);
    const dir = project.dir;
    const ran = await repro(dir, 'run', '--engine', 'local');
    expect(ran.code, ran.stderr).toBe(0);

    const clean = await repro(dir, 'verify', '--engine', 'local');
    expect(clean.code, clean.stderr).toBe(0);
    const first = readlinkSync(join(dir, '.repro/runs/last'));
    const record = JSON.parse(readFileSync(join(dir, '.repro/runs', first, 'verify.json'), 'utf8')) as VerifyRecord;
    expect(record).toMatchObject({ passed: true, engine: 'local', runFolder: `.repro/runs/${first}` });
    expect(record.files.map((f) => [f.path, f.verdict])).toEqual([
      ['results/outputs/answer.json', 'identical'],
      ['results/outputs/outputs.ipynb', 'identical'],
    ]);

    const answer = join(dir, 'results/outputs/answer.json');
    writeFileSync(answer, readFileSync(answer, 'utf8').replace('42', '43'));
    const changed = await repro(dir, 'verify', '--engine', 'local');
    expect(changed.code, changed.stderr).toBe(1);
    expect(changed.stdout).toMatch(/results\/outputs\/answer\.json\s+json\s+DIFFERS\s+\|Δ\| 1 \(rel 2\.3e-2\)\s+\$\.answer/);
    expect(readlinkSync(join(dir, '.repro/runs/last'))).not.toBe(first);

    const accepted = await repro(dir, 'accept');
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(accepted.stdout).toContain('changed  results/outputs/answer.json');
    expect(JSON.parse(readFileSync(answer, 'utf8'))).toMatchObject({ answer: 42 });
  });
});
