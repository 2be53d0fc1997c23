// The run specification: written and read back unchanged, another version or a malformed file refused with the
// file named (an EngineError, exit 3), and a run result that crosses it keeps its error's message and hint.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineError, NotebookError } from '../../src/errors.ts';
import { containerCommandLine, runContainerOptions } from '../../src/run/container-options.ts';
import { fromRunResult, remapPath, specsFor, toRunResult } from '../../src/run/results.ts';
import { readRunResults, readRunResultsIfAny, readRunSpecs, runSpecVersion, specPath, writeRunResults, writeRunSpecs, type RunSpec } from '../../src/run/spec.ts';
import { manifestSchema } from '../../src/manifest/schema.ts';

const manifest = manifestSchema.parse({
  name: 'x',
  entrypoints: [{ notebook: 'notebooks/a.ipynb', outputs: 'results/a', timeout: '2m', allowErrors: true }, { notebook: 'notebooks/b.ipynb', outputs: 'results/b' }],
  run: { seed: 7, env: ['API_URL'] },
});

const spec: RunSpec = {
  version: runSpecVersion,
  notebook: 'notebooks/a.ipynb',
  outputs: 'out',
  outDir: '.',
  failedDir: 'failed',
  parameters: { scale: 2, name: 'x', flags: [true, null] },
  seed: 3,
  image: { tag: 'repro/x:abc' },
  timeouts: { notebookMs: 120_000, cellMs: 600_000 },
  allowErrors: false,
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'repro-spec-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('run specification files', () => {
  it('round-trips specs and results', async () => {
    await writeRunSpecs(join(dir, 'spec.json'), [spec]);
    expect(await readRunSpecs(join(dir, 'spec.json'))).toEqual([spec]);
    const result = { version: runSpecVersion as 1, notebook: spec.notebook, outputs: 'out', status: 'ok' as const, elapsedMs: 12, warnings: ['w'] };
    await writeRunResults(join(dir, 'result.json'), [result]);
    expect(await readRunResults(join(dir, 'result.json'))).toEqual([result]);
    expect(specPath(join(dir, 'spec.json'), 'failed')).toBe(join(dir, 'failed'));
  });

  it('refuses another format version, naming the file and the versions', async () => {
    const file = join(dir, 'v2.json');
    await writeFile(file, JSON.stringify({ version: 2, runs: [{ ...spec, version: 2 }] }));
    const error = await readRunSpecs(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).message).toBe(`${file}: the run specification has format version 2; this repro reads version 1`);
    expect((error as EngineError).exitCode).toBe(3);
  });

  it('refuses malformed files: not JSON, a missing field, a notebook outside the project, no runs', async () => {
    const cases: Array<[string, string]> = [
      ['{"version": 1, "runs": [', 'is not JSON'],
      [JSON.stringify({ version: 1, runs: [{ ...spec, seed: undefined }] }), 'is malformed: runs.0.seed:'],
      [JSON.stringify({ version: 1, runs: [{ ...spec, notebook: '../a.ipynb' }] }), 'is malformed: runs.0.notebook: must be relative to the project, inside it'],
      [JSON.stringify({ version: 1, runs: [] }), 'is malformed: runs:'],
      [JSON.stringify({ version: 1, runs: [{ ...spec, extra: 1 }] }), 'is malformed: runs.0:'],
    ];
    for (const [text, message] of cases) {
      await writeFile(join(dir, 'bad.json'), text);
      await expect(readRunSpecs(join(dir, 'bad.json')), text).rejects.toThrow(message);
    }
  });

  it('a missing result file is undefined for readRunResultsIfAny and an EngineError for readRunResults', async () => {
    expect(await readRunResultsIfAny(join(dir, 'none.json'))).toBeUndefined();
    await expect(readRunResults(join(dir, 'none.json'))).rejects.toBeInstanceOf(EngineError);
    await writeFile(join(dir, 'cut.json'), '{"version": 1, "results": [{"notebook"');
    await expect(readRunResultsIfAny(join(dir, 'cut.json'))).rejects.toThrow(/the run result is not JSON/);
  });
});

describe('specs from entrypoints, results back to the run stage', () => {
  it('takes time limits from the entrypoint, else research.yaml, and the seed from run.seed unless given', () => {
    const [a, b] = specsFor(manifest.entrypoints, { manifest, failedDir: '/f' });
    expect(a).toMatchObject({ notebook: 'notebooks/a.ipynb', outputs: 'results/a', seed: 7, allowErrors: true, timeouts: { notebookMs: 120_000, cellMs: 600_000 } });
    expect(b).toMatchObject({ seed: 7, allowErrors: false, timeouts: { notebookMs: 1_800_000 } });
    expect(a.outDir).toBeUndefined();
    expect(specsFor(manifest.entrypoints, { manifest, failedDir: 'f', seed: 11, outDir: '.' })[0]).toMatchObject({ seed: 11, outDir: '.' });
  });

  it('a failed result keeps message, hint and cell across the boundary; container paths map to the host', () => {
    const error = new NotebookError('RangeError: x is 1', { notebook: 'notebooks/a.ipynb', cellIndex: 3, hint: 'look in f' });
    const plain = toRunResult({ notebook: 'notebooks/a.ipynb', outputs: 'results/a', status: 'failed', error, cellIndex: 3, ename: 'RangeError', evalue: 'x is 1', failedNotebook: '/out/.failed/a.ipynb', elapsedMs: 5 });
    expect(plain).toMatchObject({ version: 1, message: 'notebooks/a.ipynb cell 3: RangeError: x is 1', hint: 'look in f' });
    expect(JSON.parse(JSON.stringify(plain))).toEqual(plain);
    const back = fromRunResult(plain, remapPath('/out', '/host/run'));
    expect(back.error).toBeInstanceOf(NotebookError);
    expect(back.error?.message).toBe('notebooks/a.ipynb cell 3: RangeError: x is 1');
    expect(back.error?.hint).toBe('look in f');
    expect(back.failedNotebook).toBe('/host/run/.failed/a.ipynb');
  });
});

describe('the run container as a command line', () => {
  it('is the engine options spelled for docker run: confined, the run folder at /out, the inner --spec/--result run', () => {
    const options = runContainerOptions({ image: 'repro/x:abc', manifest, runFolder: '/sweep/p1', data: [{ file: '/cache/d.csv', path: 'data/d.csv' }], user: '1000:1000', env: { API_URL: 'http://x', SECRET: 's' } });
    expect(options.env).toEqual({ API_URL: 'http://x', HOME: '/tmp/home' });
    const argv = containerCommandLine(options, 'podman');
    expect(argv.slice(0, 5)).toEqual(['podman', 'run', '--rm', '--network', 'none']);
    expect(argv).toContain('--read-only');
    expect(argv.join(' ')).toContain('--volume /cache/d.csv:/project/data/d.csv:ro --volume /sweep/p1:/out:rw');
    // Values of passed variables stay out of the command line.
    expect(argv.join(' ')).toContain('--env API_URL --env HOME=/tmp/home');
    expect(argv.join(' ')).not.toContain('http://x');
    expect(argv.slice(-9)).toEqual(['repro/x:abc', 'repro', '-C', '/project', 'run', '--spec', '/out/spec.json', '--result', '/out/result.json']);
  });
});
