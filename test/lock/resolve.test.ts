// `repro lock` against the real engine: resolving the minimal fixture again gives its committed lock (the base
// image id aside, which a machine that bootstrapped its own base does not share), and re-locking keeps the bytes.
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { connectEngine, type Engine } from '../../src/engine/index.ts';
import { parseLock, resolveLock, serializeLock } from '../../src/lock/index.ts';
import { loadManifest } from '../../src/manifest/load.ts';
import { requireEngine } from '../helpers/engine.ts';

const fixture = join(import.meta.dirname, '../fixtures/repos/minimal');
const progress = { update() {}, log() {} };
let engine: Engine | undefined;

describe('resolveLock on test/fixtures/repos/minimal', () => {
  beforeAll(async () => {
    if (await requireEngine()) engine = await connectEngine();
  });

  it('reproduces the committed lock: manifest hash, base packages, node tarball, lockfile and data hashes', async (context) => {
    if (!engine) return context.skip();
    const committed = parseLock(await readFile(join(fixture, 'research.lock'), 'utf8'));
    const loaded = await loadManifest(fixture);
    const lock = await resolveLock({ loaded, engine, progress, previous: committed });
    expect(lock.manifestHash).toBe(committed.manifestHash);
    expect(lock.base.packages).toBe(committed.base.packages);
    expect(lock.node).toEqual(committed.node);
    expect(lock.apt).toEqual({});
    expect(lock.lockfile).toEqual(committed.lockfile);
    expect(lock.data).toEqual([]);
    // Same inputs on the same base: the same bytes, the resolution date included.
    if (lock.base.imageId === committed.base.imageId && lock.npm.version === committed.npm.version) {
      expect(serializeLock(lock)).toBe(serializeLock(committed));
    }
  }, 600_000);
});
