// `repro lock` against the real engine: resolving the minimal fixture again gives its committed lock (the base
// image id aside, which a machine that bootstrapped its own base does not share), and re-locking keeps the bytes.
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { connectEngine, type Engine } from '../../src/engine/index.ts';
import { parseLock, resolveLock, serializeLock, toolkitBundle, toolkitDependenciesSha256, type Lock } from '../../src/lock/index.ts';
import { loadManifest } from '../../src/manifest/load.ts';
import { requireEngine } from '../helpers/engine.ts';

const fixture = join(import.meta.dirname, '../fixtures/repos/minimal');
const progress = { update() {}, log() {} };
let engine: Engine | undefined;

describe('resolveLock on test/fixtures/repos/minimal', () => {
  beforeAll(async () => {
    if (await requireEngine()) engine = await connectEngine();
  });

  it('reproduces the committed lock: every field but the toolkit entry, and the same bytes on the same base', async (context) => {
    if (!engine) return context.skip();
    // The toolkit entry pins repro itself, not the fixture: toolkit.bundle is the sha256 of repro's bundled CLI and
    // changes with every edit under src/, toolkit.dependencies that of toolkit/package-lock.json and changes with
    // repro's run-time dependencies. A committed fixture cannot keep up with either, so the lock must hold the running
    // repro's two hashes, and the committed lock is read as if this repro had written it; every other field, the
    // project's own pins, must come out exactly as committed. (test/lock/lock.test.ts covers a stale toolkit entry.)
    const toolkit = { bundle: (await toolkitBundle()).sha256, dependencies: await toolkitDependenciesSha256() };
    const committed: Lock = { ...parseLock(await readFile(join(fixture, 'research.lock'), 'utf8')), toolkit };
    const loaded = await loadManifest(fixture);
    const lock = await resolveLock({ loaded, engine, progress, previous: committed });
    expect(lock.lockVersion).toBe(2);
    expect(lock.toolkit).toEqual(toolkit);
    expect(lock.manifestHash).toBe(committed.manifestHash);
    expect(lock.base.packages).toBe(committed.base.packages);
    expect(lock.node).toEqual(committed.node);
    // No kernels beyond tslab/jslab (repro's own pack installs no Debian package) and no apt: nothing to pin.
    expect(lock.apt).toEqual({});
    expect(lock.lockfile).toEqual(committed.lockfile);
    expect(lock.data).toEqual([]);
    // Same inputs on the same base: the same bytes, the resolution date included.
    if (lock.base.imageId === committed.base.imageId && lock.npm.version === committed.npm.version) {
      expect(serializeLock(lock)).toBe(serializeLock(committed));
    }
  }, 600_000);
});
