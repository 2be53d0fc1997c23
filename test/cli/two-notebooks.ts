// A copy of the verify fixture repository with a second entrypoint (notebooks/model.ipynb → results/model) and a run
// folder, .repro/runs/last, in which the analysis succeeded with changed outputs and the model failed at cell 4.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunRecord } from '../../src/verify/run-record.ts';

const fixture = fileURLToPath(new URL('../fixtures/verify/repo', import.meta.url));

export const imageId = 'sha256:' + 'ab'.repeat(32);

export interface TwoNotebookRepo {
  repo: string;
  run: string;
  /** The bytes of every committed file that accept must leave alone when it refuses. */
  committed(): Record<string, string>;
  writeRecord(record: RunRecord): void;
  remove(): void;
}

export const succeededAndFailed: RunRecord = {
  recordVersion: 1,
  engine: 'docker',
  imageId,
  notebooks: [
    { notebook: 'notebooks/analysis.ipynb', outputs: 'results/analysis', status: 'ok', cellIndex: null, error: null, message: null },
    {
      notebook: 'notebooks/model.ipynb',
      outputs: 'results/model',
      status: 'failed',
      cellIndex: 4,
      error: 'ZeroDivisionError',
      message: 'notebooks/model.ipynb cell 4: ZeroDivisionError: division by zero',
    },
  ],
};

export function twoNotebookRepo(): TwoNotebookRepo {
  const root = mkdtempSync(join(tmpdir(), 'repro-accept-'));
  const repo = join(root, 'repo');
  cpSync(fixture, repo, { recursive: true });
  const yaml = readFileSync(join(repo, 'research.yaml'), 'utf8');
  writeFileSync(
    join(repo, 'research.yaml'),
    yaml.replace('    outputs: results/analysis\n', '    outputs: results/analysis\n  - notebook: notebooks/model.ipynb\n    outputs: results/model\n'),
  );
  cpSync(join(repo, 'notebooks/analysis.ipynb'), join(repo, 'notebooks/model.ipynb'));
  mkdirSync(join(repo, 'results/model'));
  writeFileSync(join(repo, 'results/model/weights.csv'), 'w\n0.5\n');

  const run = join(repo, '.repro/runs/20261129T080000Z-7');
  cpSync(join(repo, 'results/analysis'), join(run, 'results/analysis'), { recursive: true });
  const accuracy = join(run, 'results/analysis/accuracy.csv');
  writeFileSync(accuracy, readFileSync(accuracy, 'utf8').replace('0.7731', '0.7741'));
  writeFileSync(join(run, 'results/analysis/new.json'), '{}\n');
  rmSync(join(run, 'results/analysis/model.bin'));
  symlinkSync('20261129T080000Z-7', join(repo, '.repro/runs/last'));
  const writeRecord = (record: RunRecord) => writeFileSync(join(run, 'run.json'), JSON.stringify(record, null, 2) + '\n');
  writeRecord(succeededAndFailed);

  const committed = () => {
    const files: Record<string, string> = {};
    for (const name of ['analysis/accuracy.csv', 'analysis/model.bin', 'model/weights.csv']) files[name] = readFileSync(join(repo, 'results', name), 'latin1');
    return files;
  };
  return { repo, run, committed, writeRecord, remove: () => rmSync(root, { recursive: true, force: true }) };
}
