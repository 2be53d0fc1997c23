// Read and write research.lock: JSON in a fixed key order with a trailing newline, so re-locking unchanged inputs
// rewrites the same bytes and a changed pin shows as a one-line diff.
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ManifestError } from '../errors.ts';
import { lockFileName, lockSchema, type Lock } from './schema.ts';

/** The lock as text: top-level keys in the schema's order, apt names sorted. */
export function serializeLock(lock: Lock): string {
  const ordered: Lock = {
    lockVersion: lock.lockVersion,
    toolkitVersion: lock.toolkitVersion,
    toolkit: { bundle: lock.toolkit.bundle, dependencies: lock.toolkit.dependencies },
    manifestHash: lock.manifestHash,
    sourceDateEpoch: lock.sourceDateEpoch,
    base: { ref: lock.base.ref, imageId: lock.base.imageId, packages: lock.base.packages },
    node: { version: lock.node.version, package: lock.node.package, sha256: lock.node.sha256 },
    npm: { version: lock.npm.version, sha256: lock.npm.sha256 },
    apt: Object.fromEntries(Object.keys(lock.apt).sort().map((name) => [name, lock.apt[name]])),
    lockfile: lock.lockfile && { path: lock.lockfile.path, sha256: lock.lockfile.sha256 },
    data: lock.data.map((entry) => ({ path: entry.path, sha256: entry.sha256 })),
  };
  return JSON.stringify(ordered, null, 2) + '\n';
}

/** Parse lock text; a malformed lock is bad input (exit 2) with the way out. */
export function parseLock(text: string, file = lockFileName): Lock {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ManifestError(`${file} is not valid JSON: ${(error as Error).message}`, { hint: 'run `repro lock` to write it again' });
  }
  const result = lockSchema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ManifestError(`${file}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`, {
      hint: 'run `repro lock` to write it again',
    });
  }
  return result.data;
}

/** The project's research.lock, or undefined when there is none. */
export async function readLock(projectDir: string): Promise<Lock | undefined> {
  const file = join(projectDir, lockFileName);
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  return text === undefined ? undefined : parseLock(text, lockFileName);
}

/** Like readLock, but a missing lock is an error that says to run `repro lock`. */
export async function requireLock(projectDir: string): Promise<Lock> {
  const lock = await readLock(projectDir);
  if (!lock) throw new ManifestError(`${lockFileName} is missing`, { hint: 'run `repro lock` to resolve research.yaml into research.lock, and commit it' });
  return lock;
}

/** Write research.lock through a temp file and rename, so a crash never leaves half a lock. */
export async function writeLock(projectDir: string, lock: Lock): Promise<string> {
  const file = join(projectDir, lockFileName);
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, serializeLock(lock));
  await rename(temp, file);
  return file;
}
