// Against the real engine: an image saved by `docker save`, turned into an OCI layout and back into the archive
// Docker 20.10 loads, comes back with the same image id and tag after the original was removed. A small image of
// its own (FROM scratch, two layers), so no other test's image is touched.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectEngine, type Engine } from '../../src/engine/index.ts';
import { EngineError } from '../../src/errors.ts';
import { dockerArchiveToOci, fileFromBytes, ociToDockerArchive, readOciLayout } from '../../src/pack/oci.ts';
import { extractTar, sortedEntries, tarStream } from '../../src/pack/tar.ts';
import { requireEngine } from '../helpers/engine.ts';

const engineAnswers = await requireEngine();

describe.runIf(engineAnswers)('save → OCI layout → load on the engine', { timeout: 120_000 }, () => {
  const tag = `repro-test/pack-archive:${randomBytes(6).toString('hex')}`;
  let engine: Engine;
  let dir: string | undefined;

  afterAll(async () => {
    await engine?.removeImage(tag, { force: true });
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('loads the converted image with the same id, tag and layers', async () => {
    engine = await connectEngine();
    const built = await engine.buildImage({
      tag,
      dockerfile: 'FROM scratch\nCOPY a.txt /a.txt\nCOPY b.txt /b.txt\n',
      contextFiles: [
        { path: 'a.txt', content: `first layer ${tag}\n` },
        { path: 'b.txt', content: 'second layer\n' },
      ],
      mtime: 0,
    });
    dir = await mkdtemp(path.join(tmpdir(), 'repro-archive-test-'));
    const saved = await extractTar(await engine.saveImage(tag), path.join(dir, 'saved'));
    const layout = dockerArchiveToOci(saved);
    const image = readOciLayout(layout);
    expect(image.tag).toBe(tag);
    expect(`sha256:${image.config.sha256}`).toBe(built.imageId);
    expect(image.layers).toHaveLength(2);

    // The layout as a pack holds it (written and read back), then the original gone from the engine.
    const reread = await extractTar(tarStream(sortedEntries(layout)), path.join(dir, 'layout'));
    await engine.removeImage(tag, { force: true });
    expect(await engine.inspectImage(built.imageId)).toBeUndefined();

    const said = await engine.loadImage(tarStream(sortedEntries(ociToDockerArchive(reread))));
    expect(said.join('\n')).toContain(tag);
    const loaded = await engine.inspectImage(tag);
    expect(loaded?.id).toBe(built.imageId);
    expect(loaded?.tags).toEqual([tag]);
  });

  it('an archive naming a file it does not hold, or no image at all, is an EngineError', async () => {
    const manifest = (value: unknown) => fileFromBytes(Buffer.from(JSON.stringify(value)));
    const missing = tarStream([['manifest.json', manifest([{ Config: 'c.json', RepoTags: null, Layers: ['x/layer.tar'] }])]]);
    const error = await engine.loadImage(missing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).message).toMatch(/^the engine (could not load|refused to load) the image: .*c\.json/);
    const empty = tarStream([['manifest.json', manifest([])]]);
    await expect(engine.loadImage(empty)).rejects.toThrow(/^the engine loaded no image from the archive/);
  });

  it('saving an image that does not exist says so', async () => {
    await expect(engine.saveImage('repro-test/no-such-image:0')).rejects.toThrow(/^cannot save image repro-test\/no-such-image:0: /);
  });
});
