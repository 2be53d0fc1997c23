// The docker-archive ⇄ OCI layout conversion: a round trip keeps the config bytes (the image id) and every layer
// digest in order; what does not hold together is refused with the reason.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dockerArchiveToOci, fileFromBytes, ImageArchiveError, mediaTypes, ociToDockerArchive, readOciLayout, type FileSet } from '../../src/pack/oci.ts';
import { extractTar, sortedEntries, tarStream } from '../../src/pack/tar.ts';

const sha = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');
const layerA = Buffer.from('layer A: pretend this is a tar of /usr\n');
const layerB = Buffer.from('layer B: /home/repro\n');
const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [`sha256:${sha(layerA)}`, `sha256:${sha(layerB)}`] } }));
const configName = `${sha(config)}.json`;
const tag = 'repro/sample:0123456789abcdef';

/** What Docker 20.10's `docker save` writes for one image with two layers. */
function dockerArchive(overrides: { manifest?: unknown; layers?: Buffer[] } = {}): FileSet {
  const [a, b] = overrides.layers ?? [layerA, layerB];
  const manifest = overrides.manifest ?? [{ Config: configName, RepoTags: [tag], Layers: ['aaa/layer.tar', 'bbb/layer.tar'] }];
  return new Map([
    ['manifest.json', fileFromBytes(Buffer.from(JSON.stringify(manifest)))],
    [configName, fileFromBytes(config)],
    ['aaa/layer.tar', fileFromBytes(a)],
    ['aaa/VERSION', fileFromBytes(Buffer.from('1.0'))],
    ['bbb/layer.tar', fileFromBytes(b)],
    ['repositories', fileFromBytes(Buffer.from('{}'))],
  ]);
}

const json = (files: FileSet, p: string) => JSON.parse(files.get(p)?.bytes?.toString('utf8') ?? 'null');

describe('docker-archive → OCI layout', () => {
  it('writes oci-layout, index.json with the tag, and a manifest naming the config and the uncompressed layers by digest', () => {
    const layout = dockerArchiveToOci(dockerArchive());
    expect(json(layout, 'oci-layout')).toEqual({ imageLayoutVersion: '1.0.0' });
    const index = json(layout, 'index.json');
    expect(index.mediaType).toBe(mediaTypes.index);
    expect(index.manifests).toHaveLength(1);
    const [entry] = index.manifests;
    expect(entry.annotations).toEqual({ 'io.containerd.image.name': tag, 'org.opencontainers.image.ref.name': '0123456789abcdef' });
    const manifest = json(layout, `blobs/sha256/${entry.digest.slice(7)}`);
    expect(manifest.config).toEqual({ mediaType: mediaTypes.config, digest: `sha256:${sha(config)}`, size: config.length });
    expect(manifest.layers).toEqual([
      { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: `sha256:${sha(layerA)}`, size: layerA.length },
      { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: `sha256:${sha(layerB)}`, size: layerB.length },
    ]);
    expect(layout.get(`blobs/sha256/${sha(config)}`)?.bytes?.equals(config)).toBe(true);
    expect([...layout.keys()].sort()).toEqual(
      ['oci-layout', 'index.json', ...[sha(config), sha(layerA), sha(layerB), entry.digest.slice(7)].map((h) => `blobs/sha256/${h}`)].sort(),
    );
  });

  it('round trip: docker-archive → OCI → docker-archive keeps the config bytes, the tag and every layer digest in order', () => {
    const back = ociToDockerArchive(dockerArchiveToOci(dockerArchive()));
    const [image] = json(back, 'manifest.json');
    expect(image.RepoTags).toEqual([tag]);
    expect(back.get(image.Config)?.bytes?.equals(config)).toBe(true);
    expect(image.Layers.map((p: string) => back.get(p)?.sha256)).toEqual([sha(layerA), sha(layerB)]);
    // And again: the conversion is stable.
    expect(dockerArchiveToOci(back).get('index.json')?.sha256).toBe(dockerArchiveToOci(dockerArchive()).get('index.json')?.sha256);
  });

  it('keeps a layer that appears twice, in both positions', () => {
    const twice = Buffer.from(JSON.stringify({ rootfs: { type: 'layers', diff_ids: [`sha256:${sha(layerA)}`, `sha256:${sha(layerA)}`] } }));
    const archive: FileSet = new Map([
      ['manifest.json', fileFromBytes(Buffer.from(JSON.stringify([{ Config: 'c.json', RepoTags: null, Layers: ['x/layer.tar', 'y/layer.tar'] }])))],
      ['c.json', fileFromBytes(twice)],
      ['x/layer.tar', fileFromBytes(layerA)],
      ['y/layer.tar', fileFromBytes(layerA)],
    ]);
    const image = readOciLayout(dockerArchiveToOci(archive));
    expect(image.tag).toBeUndefined();
    expect(image.layers.map((l) => l.sha256)).toEqual([sha(layerA), sha(layerA)]);
  });

  it.each([
    ['a layer whose bytes do not hash to its diff_id', { layers: [layerB, layerB] }, /layer 0 \(aaa\/layer\.tar\) has sha256:[0-9a-f]{64}, the config says sha256:/],
    ['two images', { manifest: [{ Config: configName, Layers: [] }, { Config: configName, Layers: [] }] }, /manifest\.json lists 2 images; a pack holds exactly one/],
    ['a layer count that disagrees with the config', { manifest: [{ Config: configName, RepoTags: [tag], Layers: ['aaa/layer.tar'] }] }, /the config lists 2 layers, manifest\.json 1/],
    ['a missing layer', { manifest: [{ Config: configName, RepoTags: [tag], Layers: ['aaa/layer.tar', 'zzz/layer.tar'] }] }, /the layer zzz\/layer\.tar is missing/],
    ['a manifest of the wrong shape', { manifest: { Config: configName } }, /manifest\.json is not as expected/],
  ])('refuses %s', (_what, overrides, message) => {
    expect(() => dockerArchiveToOci(dockerArchive(overrides))).toThrow(ImageArchiveError);
    expect(() => dockerArchiveToOci(dockerArchive(overrides))).toThrow(message);
  });

  it('refuses a layout whose blob does not match its descriptor', () => {
    const layout = dockerArchiveToOci(dockerArchive());
    layout.set(`blobs/sha256/${sha(layerB)}`, fileFromBytes(Buffer.from('changed')));
    expect(() => ociToDockerArchive(layout)).toThrow(new RegExp(`blob sha256:${sha(layerB)} has sha256:${sha('changed')} and 7 bytes`));
  });
});

describe('through tar files', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'repro-oci-test-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a docker save tar with a symlinked layer → OCI tar → docker-archive tar keeps every digest', async () => {
    // Docker 20.10 writes a layer it already saved as a link to the first copy.
    const pack = tar.pack();
    const archive = dockerArchive();
    for (const [name, file] of sortedEntries(archive)) pack.entry({ name, size: file.size }, file.bytes ?? Buffer.alloc(0));
    pack.entry({ name: 'ccc/layer.tar', type: 'symlink', linkname: '../aaa/layer.tar' });
    pack.finalize();
    const saved = await extractTar(Readable.from(pack as AsyncIterable<Buffer>), path.join(dir, 'saved'));
    expect(saved.get('ccc/layer.tar')?.sha256).toBe(sha(layerA));
    expect(await readFile(saved.get(configName)?.source ?? '')).toEqual(config);

    const layoutFiles = await extractTar(tarStream(sortedEntries(dockerArchiveToOci(saved))), path.join(dir, 'layout'));
    const back = await extractTar(tarStream(sortedEntries(ociToDockerArchive(layoutFiles))), path.join(dir, 'back'));
    const [image] = json(back, 'manifest.json');
    expect(back.get(image.Config)?.sha256).toBe(sha(config));
    expect(image.Layers.map((p: string) => back.get(p)?.sha256)).toEqual([sha(layerA), sha(layerB)]);
  });

  it('makes a repository\'s links as links, and refuses one that points outside', async () => {
    const pack = tar.pack();
    pack.entry({ name: 'a.txt', size: 1 }, Buffer.from('a'));
    pack.entry({ name: 'sub/b.txt', type: 'symlink', linkname: '../a.txt' });
    pack.finalize();
    const files = await extractTar(Readable.from(pack as AsyncIterable<Buffer>), path.join(dir, 'repo'), { createLinks: true });
    expect([...files.keys()]).toEqual(['a.txt']);
    expect(await readlink(path.join(dir, 'repo', 'sub', 'b.txt'))).toBe('../a.txt');
    const outside = tar.pack();
    outside.entry({ name: 'sub/c.txt', type: 'symlink', linkname: '../../../etc/passwd' });
    outside.finalize();
    await expect(extractTar(Readable.from(outside as AsyncIterable<Buffer>), path.join(dir, 'repo2'), { createLinks: true })).rejects.toThrow(
      "the archive's link sub/c.txt points outside it (../../../etc/passwd)",
    );
  });

  it('refuses an entry that would land outside the folder', async () => {
    const pack = tar.pack();
    pack.entry({ name: '../escape.txt', size: 1 }, Buffer.from('x'));
    pack.finalize();
    await expect(extractTar(Readable.from(pack as AsyncIterable<Buffer>), path.join(dir, 'out'))).rejects.toThrow('the archive has an entry outside its folder: ../escape.txt');
  });
});
