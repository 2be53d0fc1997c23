// Builds throw-away projects around the fixture notebooks: research.yaml-equivalent manifest, node_modules linked.
import { copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { loadManifest, type LoadedManifest } from '../../src/manifest/load.ts';
import { manifestSchema, type Manifest } from '../../src/manifest/schema.ts';

export const repoRoot = resolve(import.meta.dirname, '..', '..');
export const fixtures = join(repoRoot, 'test', 'fixtures', 'notebooks');

export interface FixtureProject {
  dir: string;
  manifest: Manifest;
  loaded: LoadedManifest;
  remove(): Promise<void>;
}

/** A project holding the named fixture notebooks as entrypoints writing to results/<name>. */
export async function fixtureProject(
  notebooks: string[],
  run: Record<string, unknown> = {},
  entry: Record<string, unknown> = {},
): Promise<FixtureProject> {
  const dir = await mkdtemp(join(tmpdir(), 'repro-run-test-'));
  await mkdir(join(dir, 'notebooks'));
  // Notebooks import "tslab", which tslab resolves from the kernel's working directory.
  await symlink(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
  const entrypoints = [];
  for (const name of notebooks) {
    await copyFile(join(fixtures, name), join(dir, 'notebooks', name));
    entrypoints.push({ notebook: `notebooks/${name}`, outputs: `results/${basename(name, '.ipynb')}`, ...entry });
  }
  const manifest = manifestSchema.parse({
    name: 'fixture',
    environment: { node: '20.20.2' },
    entrypoints,
    run: { seed: 42, ...run },
  });
  const yaml = JSON.stringify(manifest, (key, value) => (key === 'timeout' || key === 'cellTimeout' ? `${value}ms` : value), 1);
  await writeFile(join(dir, 'research.yaml'), yaml + '\n');
  return { dir, manifest, loaded: await loadManifest(dir), remove: () => rm(dir, { recursive: true, force: true }) };
}

/** True while a process with this pid exists. */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
