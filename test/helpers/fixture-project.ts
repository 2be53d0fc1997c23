// A copy of a committed fixture repository whose research.lock names the repro running the tests. The lock pins
// repro's bundle, which changes with every edit of src/, so a committed fixture lock cannot hold it.
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseLock, serializeLock, toolkitBundle, toolkitDependenciesSha256 } from '../../src/lock/index.ts';

export async function copyFixtureWithThisToolkit(fixture: string): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), 'repro-fixture-')), basename(fixture));
  await cp(fixture, dir, { recursive: true });
  const file = join(dir, 'research.lock');
  const lock = parseLock(await readFile(file, 'utf8'));
  lock.toolkit = { bundle: (await toolkitBundle()).sha256, dependencies: await toolkitDependenciesSha256() };
  await writeFile(file, serializeLock(lock));
  return dir;
}
