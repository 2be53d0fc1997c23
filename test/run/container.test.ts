// Notebooks inside the repository's image: no network, non-root user, read-only root, outputs moved into place
// on the host, a failure reported with its cell. Needs a Docker engine: fails in CI without one, never skips there.
import { readdirSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProgress } from '../../src/cli/progress.ts';
import { connectEngine } from '../../src/engine/index.ts';
import { loadManifest } from '../../src/manifest/load.ts';
import { runInContainer } from '../../src/run/container.ts';
import { ensureProjectImage } from '../../src/run/image.ts';
import { requireEngine } from '../helpers/engine.ts';
import { fixtureProject, repoRoot, type FixtureProject } from './project.ts';

const engineAnswers = await requireEngine();
const progress = createProgress({ quiet: true });

describe.runIf(engineAnswers)('repro run in the container', () => {
  let image: string;
  let project: FixtureProject;

  beforeAll(async () => {
    const engine = await connectEngine();
    image = await ensureProjectImage({ projectDir: repoRoot, loaded: await loadManifest(repoRoot), engine, progress });
    project = await fixtureProject(['container.ipynb', 'error.ipynb']);
    // Inside, the fixture project uses the image's toolkit and packages.
    await rm(join(project.dir, 'node_modules'));
    await symlink('/project/node_modules', join(project.dir, 'node_modules'));
    await chmod(project.dir, 0o755);
  });
  afterAll(async () => {
    await project?.remove();
  });

  it('runs with no network, as a non-root user, on a read-only root, and reports failures by cell', async () => {
    const options = { projectDir: project.dir, loaded: project.loaded, engine: 'docker' as const, progress };
    const results = await runInContainer(options, project.manifest.entrypoints, { image, mountProjectAt: '/bench' });

    expect(results[0]).toMatchObject({ notebook: 'notebooks/container.ipynb', status: 'ok', outputsDir: join(project.dir, 'results', 'container') });
    const notebook = JSON.parse(await readFile(join(project.dir, 'results', 'container', 'container.ipynb'), 'utf8'));
    expect(JSON.parse(notebook.cells[0].outputs[0].text.join(''))).toEqual({ uid: 1000, interfaces: ['lo'] });
    expect(JSON.parse(notebook.cells[1].outputs[0].text.join(''))).toEqual({ rootWritable: false });
    const where = JSON.parse(await readFile(join(project.dir, 'results', 'container', 'where.json'), 'utf8'));
    // The kernel ran in the notebook's folder, as Jupyter runs it.
    expect(where.cwd).toBe('/bench/notebooks');
    expect(where.outputs).toMatch(/^\/out\/results\//);

    expect(results[1]).toMatchObject({ notebook: 'notebooks/error.ipynb', status: 'failed', cellIndex: 3, ename: 'RangeError', evalue: 'x is 1' });
    expect(results[1].error?.message).toMatch(/^notebooks\/error\.ipynb cell 3: RangeError: x is 1/);
    // A folder of this run's own under .repro/failed/: concurrent runs never share one.
    expect(results[1].failedNotebook).toMatch(new RegExp(`^${join(project.dir, '.repro', 'failed')}/[^/]+/error\\.ipynb$`));
    const partial = JSON.parse(await readFile(results[1].failedNotebook ?? '', 'utf8'));
    expect(partial.cells[3].outputs.at(-1)).toMatchObject({ output_type: 'error', ename: 'RangeError' });

    // Nothing half-done left in the project: the host folder mounted at /out is gone.
    expect(readdirSync(project.dir).filter((name) => name.startsWith('.repro-container-'))).toEqual([]);
  });
});

describe.runIf(engineAnswers)('docker run IMAGE (the image default command)', () => {
  it('re-runs every entrypoint of this repository, with no network, to the committed bytes', async () => {
    const engine = await connectEngine();
    const image = await ensureProjectImage({ projectDir: repoRoot, loaded: await loadManifest(repoRoot), engine, progress });
    // /project is read-only for the image's user, so the default command writes under /tmp/repro-out: mount it.
    const out = await mkdtemp(join(tmpdir(), 'repro-docker-run-'));
    await chmod(out, 0o777);
    try {
      let log = '';
      const exitCode = await engine.runContainer({
        image,
        network: 'none',
        mounts: [{ host: out, container: '/tmp/repro-out' }],
        onOutput: (chunk) => {
          log += chunk.toString();
        },
      });
      expect(exitCode, log.slice(-2000)).toBe(0);
      expect(log).toContain('✓ notebooks/starcraft.ipynb');
      expect(log).toContain('✓ notebooks/games-model.ipynb');
      for (const file of ['results/starcraft/accuracy.csv', 'results/games-model/metrics.json', 'results/games-model/model/weights.bin']) {
        expect((await readFile(join(out, file))).equals(await readFile(join(repoRoot, file))), file).toBe(true);
      }
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 30 * 60_000);
});
