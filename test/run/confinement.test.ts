// A reviewer runs code they did not write: in the container it gets no capabilities and cannot gain any, cannot
// exhaust the machine's processes, sees none of the caller's environment but what research.yaml names, and a cell
// that hits the memory limit is reported as out of memory. Needs a Docker engine: fails in CI without one.
import { chmod, readFile, rm, symlink } from 'node:fs/promises';
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

/** A fixture project that runs in this repository's image, mounted at /bench (no build of its own). */
async function inImage(notebooks: string[], run: Record<string, unknown>): Promise<FixtureProject> {
  const project = await fixtureProject(notebooks, run);
  await rm(join(project.dir, 'node_modules'));
  await symlink('/project/node_modules', join(project.dir, 'node_modules'));
  await chmod(project.dir, 0o755);
  return project;
}

function lines(cell: { outputs: Array<{ text?: string[] }> }): string[] {
  return cell.outputs.flatMap((output) => output.text ?? []).join('').trim().split('\n');
}

describe.runIf(engineAnswers)('a run container holds untrusted code', () => {
  let image: string;
  const projects: FixtureProject[] = [];

  beforeAll(async () => {
    const engine = await connectEngine();
    image = await ensureProjectImage({ projectDir: repoRoot, loaded: await loadManifest(repoRoot), engine, progress });
  });
  afterAll(async () => {
    for (const project of projects) await project.remove();
  });

  it('has no capabilities, cannot gain privileges or exhaust processes, and sees only the allowed environment', async () => {
    const project = await inImage(['confined.ipynb'], { env: ['ALLOWED_FOR_NOTEBOOK'], pids: 128 });
    projects.push(project);
    process.env.SECRET_TOKEN = 'do-not-leak';
    process.env.ALLOWED_FOR_NOTEBOOK = 'yes';
    try {
      const options = { projectDir: project.dir, loaded: project.loaded, engine: 'docker' as const, progress };
      const [result] = await runInContainer(options, project.manifest.entrypoints, { image, mountProjectAt: '/bench' });
      expect(result, result.error?.message).toMatchObject({ status: 'ok' });
    } finally {
      delete process.env.SECRET_TOKEN;
      delete process.env.ALLOWED_FOR_NOTEBOOK;
    }
    const notebook = JSON.parse(await readFile(join(project.dir, 'results', 'confined', 'confined.ipynb'), 'utf8'));
    expect(JSON.parse(lines(notebook.cells[0])[0])).toEqual({ CapEff: '0000000000000000', CapBnd: '0000000000000000', NoNewPrivs: '1' });
    expect(JSON.parse(lines(notebook.cells[1])[0])).toEqual({ refused: true });
    expect(JSON.parse(lines(notebook.cells[2])[0])).toEqual({ token: null, passed: 'yes', seed: '42', home: '/tmp/home' });
  });

  it('reports a cell that hits the memory limit as out of memory, in that cell', async () => {
    const project = await inImage(['oom.ipynb'], { memory: '700m' });
    projects.push(project);
    const options = { projectDir: project.dir, loaded: project.loaded, engine: 'docker' as const, progress };
    const [result] = await runInContainer(options, project.manifest.entrypoints, { image, mountProjectAt: '/bench' });
    expect(result).toMatchObject({ status: 'failed', cellIndex: 1, ename: 'OutOfMemory' });
    expect(result.evalue).toContain("cell 1 ran out of memory: the kernel was killed at the container's memory limit");
    // In a folder of this run's own: concurrent runs never share one.
    expect(result.error?.hint).toMatch(/ \.repro\/failed\/\d{8}T\d{6}Z-\d+-[0-9a-f]{6}\/oom\.ipynb;/);
  });
});
