// End to end against the real engine: the minimal fixture repository builds from a (bootstrapped if need be) base,
// runs the pinned Node.js as a non-root user, and a second build does no Docker build at all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectEngine, type Engine } from '../../src/engine/index.ts';
import { loadManifest, type LoadedManifest } from '../../src/manifest/load.ts';
import { buildProjectImage, planProjectImage } from '../../src/render/index.ts';
import { requireEngine } from '../helpers/engine.ts';
import { copyFixtureWithThisToolkit } from '../helpers/fixture-project.ts';
import { toolkitVersion } from '../../src/version.ts';

const committed = join(import.meta.dirname, '../fixtures/repos/minimal');
let fixture = '';
const lines: string[] = [];
const progress = { update() {}, log: (text: string) => void lines.push(text) };

let engine: Engine | undefined;
let loaded: LoadedManifest;
let tag = '';
const extraTags: string[] = [];

async function output(image: string, cmd: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const code = await engine!.runContainer({ image, cmd, onOutput: (chunk, stream) => void (stream === 'stdout' && (stdout += chunk)) });
  return { code, stdout };
}

describe('repro build of test/fixtures/repos/minimal', () => {
  beforeAll(async () => {
    if (!(await requireEngine())) return;
    engine = await connectEngine();
    fixture = await copyFixtureWithThisToolkit(committed);
    loaded = await loadManifest(fixture);
    // Start cold for this image (the base is kept: bootstrapping it is what a fresh machine does once).
    tag = (await planProjectImage(fixture, loaded)).tag;
    await engine.removeImage(tag, { force: true });
  });

  afterAll(async () => {
    if (engine && tag) await engine.removeImage(tag, { force: true });
    for (const extra of extraTags) await engine?.removeImage(extra, { force: true });
  });

  it('builds an image whose node is the pinned version and whose user is not root', async (context) => {
    if (!engine) return context.skip();
    const result = await buildProjectImage({ projectDir: fixture, loaded, engine, progress });
    expect(result.built).toBe(true);
    expect(result.tag).toBe(tag);
    expect(await output(tag, ['node', '--version'])).toEqual({ code: 0, stdout: `v${loaded.manifest.environment.node}\n` });
    const uid = await output(tag, ['id', '-u']);
    expect(uid.code).toBe(0);
    expect(uid.stdout.trim()).not.toBe('0');
    expect(uid.stdout.trim()).toBe('1000');
    // repro and its kernels come with the image, not with the project.
    const kernel = await output(tag, ['cat', '/usr/local/share/jupyter/kernels/tslab/kernel.json']);
    expect(JSON.parse(kernel.stdout)).toMatchObject({ language: 'typescript', argv: ['/usr/local/bin/node', '/opt/repro/node_modules/tslab/bin/tslab', 'kernel', '--config-path', '{connection_file}'] });
    expect(await output(tag, ['repro', '--version'])).toEqual({ code: 0, stdout: `${toolkitVersion}\n` });
    const files = await output(tag, ['sh', '-c', 'ls /project /project/notebooks && node -e "require(\'commander\')" && echo deps-ok']);
    expect(files.stdout).toContain('hello.ipynb');
    expect(files.stdout).toContain('deps-ok');
    const info = await engine.inspectImage(tag);
    expect(info?.labels['org.repro.manifest-hash']).toBe(loaded.hash);
  }, 900_000);

  it('does no Docker build the second time, in well under a second', async (context) => {
    if (!engine) return context.skip();
    const before = lines.length;
    const result = await buildProjectImage({ projectDir: fixture, loaded, engine, progress });
    expect(result.built).toBe(false);
    expect(result.tag).toBe(tag);
    expect(lines.slice(before).filter((line) => line.includes('step '))).toEqual([]);
    expect(result.durationMs).toBeLessThan(1000);
  });

  it('rebuilds only the notebook layer and the metadata after it when a notebook changes', async (context) => {
    if (!engine) return context.skip();
    const dir = join(await mkdtemp(join(tmpdir(), 'repro-edit-')), 'minimal');
    try {
      await cp(fixture, dir, { recursive: true });
      const notebook = join(dir, 'notebooks/hello.ipynb');
      await writeFile(notebook, (await readFile(notebook, 'utf8')).replace('hello from Node.js', 'hi from Node.js'));
      const edited = await buildProjectImage({ projectDir: dir, loaded: await loadManifest(dir), engine, progress });
      extraTags.push(edited.tag);
      expect(edited.built).toBe(true);
      expect(edited.tag).not.toBe(tag);
      // COPY notebooks/, WORKDIR, USER, ENV, LABEL, CMD: everything before comes from the layer cache.
      expect(edited.steps - edited.cachedSteps).toBeLessThanOrEqual(6);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 600_000);
});
