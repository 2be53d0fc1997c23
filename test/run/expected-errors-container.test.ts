// Expected errors in the container: allowErrors reaches the inner run through research.yaml, a tagged cell's error is
// kept, the inner run's warnings come back on the host's result, and a tagged cell that raised nothing fails with
// its hint. tslab, in this repository's image (the inner executor is the one --engine local runs, tested per kernel
// in expected-errors.test.ts). Needs a Docker engine: fails in CI without one, never skips there.
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProgress } from '../../src/cli/progress.ts';
import { connectEngine } from '../../src/engine/index.ts';
import { loadManifest } from '../../src/manifest/load.ts';
import { manifestSchema } from '../../src/manifest/schema.ts';
import { runInContainer } from '../../src/run/container.ts';
import { ensureProjectImage } from '../../src/run/image.ts';
import { requireEngine } from '../helpers/engine.ts';
import { repoRoot } from './project.ts';

const engineAnswers = await requireEngine();
const progress = createProgress({ quiet: true });
const fixtures = join(repoRoot, 'test', 'fixtures', 'expected-errors');

describe.runIf(engineAnswers)('expected errors in the container', () => {
  let dir: string | undefined;
  let image: string;
  beforeAll(async () => {
    const engine = await connectEngine();
    image = await ensureProjectImage({ projectDir: repoRoot, loaded: await loadManifest(repoRoot), engine, progress });
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('keeps a tagged error, takes allowErrors from research.yaml with its warnings, and fails a tagged cell that raised nothing', async () => {
    dir = await mkdtemp(join(tmpdir(), 'repro-expected-errors-container-'));
    await mkdir(join(dir, 'notebooks'));
    // Inside, the project uses the image's toolkit and packages.
    await symlink('/project/node_modules', join(dir, 'node_modules'));
    const names = ['ts-tagged', 'ts-allowed', 'ts-silent'];
    for (const name of names) await copyFile(join(fixtures, `${name}.ipynb`), join(dir, 'notebooks', `${name}.ipynb`));
    const entrypoints = names.map((name) => ({ notebook: `notebooks/${name}.ipynb`, outputs: `results/${name}`, ...(name === 'ts-allowed' ? { allowErrors: true } : {}) }));
    const manifest = manifestSchema.parse({ name: 'expected-errors', environment: { node: '20.20.2' }, entrypoints, run: { seed: 42 } });
    await writeFile(join(dir, 'research.yaml'), JSON.stringify(manifest, null, 1) + '\n');
    await chmod(dir, 0o755);

    const options = { projectDir: dir, loaded: await loadManifest(dir), engine: 'docker' as const, progress };
    const [tagged, allowed, silent] = await runInContainer(options, manifest.entrypoints, { image, mountProjectAt: '/bench' });

    expect(tagged).toMatchObject({ status: 'ok', outputsDir: join(dir, 'results', 'ts-tagged') });
    const taggedCells = JSON.parse(await readFile(join(dir, 'results', 'ts-tagged', 'ts-tagged.ipynb'), 'utf8')).cells;
    expect(taggedCells[2].outputs.at(-1)).toMatchObject({ output_type: 'error', ename: 'RangeError', evalue: 'x is 1' });
    expect(taggedCells[3].outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: ['after\n'] }]);
    expect(JSON.parse(await readFile(join(dir, 'results', 'ts-tagged', 'after.json'), 'utf8'))).toEqual({ x: 1 });

    expect(allowed).toMatchObject({ status: 'ok', warnings: ['cell 1 raised SyntaxError (allowed)', 'cell 3 raised TypeError (allowed)'] });
    expect(await readFile(join(dir, 'results', 'ts-allowed', 'after.txt'), 'utf8')).toBe('after\n');

    expect(silent).toMatchObject({ status: 'failed', cellIndex: 2, ename: 'NoErrorRaised' });
    expect(silent.error?.message).toBe('notebooks/ts-silent.ipynb cell 2: NoErrorRaised: the cell is tagged raises-exception but raised no error');
    expect(silent.error?.hint).toMatch(/^Remove the raises-exception tag if the cell should succeed/);
    const partial = JSON.parse(await readFile(silent.failedNotebook ?? '', 'utf8')).cells;
    expect(partial[3].outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: ['after\n'] }]);
  }, 180_000);
});
