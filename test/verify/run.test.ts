// `repro verify` with a real run (local tslab kernel): fresh run folder, .repro/runs/last, then accept.
import { spawnSync } from 'node:child_process';
import { readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { VerifyRecord } from '../../src/verify/record.ts';
import { fixtureProject, type FixtureProject } from '../run/project.ts';

const bin = fileURLToPath(new URL('../../bin/repro.js', import.meta.url));
let project: FixtureProject | undefined;
afterEach(async () => project?.remove());

function repro(cwd: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('repro verify --engine local', () => {
  it('runs into a fresh run folder, catches a changed committed result, and accept restores it', async () => {
    project = await fixtureProject(['outputs.ipynb']);
    const dir = project.dir;
    expect(repro(dir, 'run', '--engine', 'local').code).toBe(0);

    const clean = repro(dir, 'verify', '--engine', 'local');
    expect(clean.stderr).not.toContain('repro:');
    expect(clean.code).toBe(0);
    const first = readlinkSync(join(dir, '.repro/runs/last'));
    const record = JSON.parse(readFileSync(join(dir, '.repro/runs', first, 'verify.json'), 'utf8')) as VerifyRecord;
    expect(record).toMatchObject({ passed: true, engine: 'local' });
    expect(record.files.map((f) => [f.path, f.verdict])).toEqual([
      ['results/outputs/answer.json', 'identical'],
      ['results/outputs/outputs.ipynb', 'identical'],
    ]);

    const answer = join(dir, 'results/outputs/answer.json');
    writeFileSync(answer, readFileSync(answer, 'utf8').replace('42', '43'));
    const changed = repro(dir, 'verify', '--engine', 'local');
    expect(changed.code).toBe(1);
    expect(changed.stdout).toMatch(/results\/outputs\/answer\.json\s+json\s+DIFFERS\s+\|Δ\| 1 \(rel 2\.3e-2\)\s+\$\.answer/);
    expect(readlinkSync(join(dir, '.repro/runs/last'))).not.toBe(first);

    const accepted = repro(dir, 'accept');
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toContain('changed  results/outputs/answer.json');
    expect(JSON.parse(readFileSync(answer, 'utf8'))).toMatchObject({ answer: 42 });
  });
});
