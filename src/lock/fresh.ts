// Is research.lock still what research.yaml, the npm lockfile and the base image resolve to? A build refuses a
// stale lock (exit 2) rather than silently building something the lock does not describe.
import { access, readFile, realpath } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { sha256File } from '../data/index.ts';
import { ManifestError } from '../errors.ts';
import type { LoadedManifest } from '../manifest/load.ts';
import type { Lock } from './schema.ts';
import { toolkitBundle, toolkitDependenciesSha256 } from './toolkit.ts';
import { toolkitRoot, toolkitVersion } from '../version.ts';

const relock = 'run `repro lock` to resolve it again, then commit research.lock';

/** Every way the lock disagrees with the manifest and the npm lockfile on disk; empty when fresh. */
export async function lockProblems(loaded: LoadedManifest, lock: Lock): Promise<string[]> {
  const problems: string[] = [];
  const environment = loaded.manifest.environment;
  // The verify rules are not part of it (a lock written before they were left out holds the whole manifest's hash).
  if (lock.manifestHash !== loaded.hash && lock.manifestHash !== loaded.wholeHash) problems.push('research.yaml changed since the lock was written');
  if (lock.base.ref !== environment.base) problems.push(`the base is ${environment.base} but the lock has ${lock.base.ref}`);
  if (lock.node.version !== environment.node) problems.push(`Node.js is ${environment.node} but the lock has ${lock.node.version}`);
  if (lock.lockfile?.path !== environment.lockfile) {
    const named = (path: string | undefined) => (path === undefined ? 'none' : path);
    problems.push(`the npm lockfile is ${named(environment.lockfile)} but the lock has ${named(lock.lockfile?.path)}`);
  } else if (lock.lockfile && environment.lockfile) {
    const actual = await sha256File(join(dirname(loaded.file), environment.lockfile)).catch(() => undefined);
    if (actual === undefined) problems.push(`${environment.lockfile} is missing`);
    else if (actual !== lock.lockfile.sha256) problems.push(`${environment.lockfile} changed since the lock was written`);
  }
  if (lock.toolkit.dependencies !== (await toolkitDependenciesSha256())) {
    problems.push(`repro's run-time dependencies (toolkit/package-lock.json of repro ${toolkitVersion}) differ from the ones locked by repro ${lock.toolkitVersion}`);
  }
  // Developing repro itself, its bundle changes with every edit; the image tag follows the working tree anyway.
  const bundle = (await toolkitBundle()).sha256;
  if (!(await isToolkitItself(dirname(loaded.file))) && lock.toolkit.bundle !== bundle) {
    const which = lock.toolkitVersion === toolkitVersion ? `another build of repro ${toolkitVersion}` : `repro ${lock.toolkitVersion}`;
    problems.push(`the lock was written by ${which} (bundle ${lock.toolkit.bundle.slice(0, 12)}; this repro's is ${bundle.slice(0, 12)})`);
  }
  return problems;
}

/** Throw ManifestError (exit 2) naming every stale part when the lock does not match. */
export async function assertLockFresh(loaded: LoadedManifest, lock: Lock): Promise<void> {
  const problems = await lockProblems(loaded, lock);
  if (problems.length > 0) throw staleLock(problems);
}

/**
 * The base must be the one locked: the same image, or one with the same installed packages (a base bootstrapped
 * again on another machine gets a new id but the same package digest).
 */
export function assertBaseFresh(lock: Lock, base: { id: string; packages?: string }): void {
  if (base.id === lock.base.imageId) return;
  if (base.packages !== undefined && base.packages === lock.base.packages) return;
  const found = base.packages ? `its installed packages (${short(base.packages)}) differ from the locked ${short(lock.base.packages)}` : 'it is a different image';
  throw staleLock([`the base image ${lock.base.ref} is ${short(base.id)}, not the locked ${short(lock.base.imageId)}, and ${found}`]);
}

function staleLock(problems: string[]): ManifestError {
  const list = problems.length === 1 ? problems[0] : problems.map((p) => `\n  - ${p}`).join('');
  return new ManifestError(`research.lock is stale: ${list}`, { hint: relock });
}

function short(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

/**
 * The project is repro's own repository, whose bundle is made from the working tree being edited: this checkout, or
 * a copy of the repository (another clone, or one unpacked from a pack by `repro build --from-pack`), whose image
 * carries the running repro's bundle as well.
 */
async function isToolkitItself(projectDir: string): Promise<boolean> {
  const [project, toolkit] = await Promise.all([realpath(projectDir).catch(() => projectDir), realpath(toolkitRoot).catch(() => toolkitRoot)]);
  if (project === toolkit) return true;
  const [theirs, ours] = await Promise.all([packageName(projectDir), packageName(toolkitRoot)]);
  return theirs !== undefined && theirs === ours && (await access(join(projectDir, 'src', 'cli', 'main.ts')).then(() => true, () => false));
}

async function packageName(dir: string): Promise<string | undefined> {
  try {
    const name: unknown = (JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { name?: unknown }).name;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}
