// Docker's legacy `docker save` archive ⇄ an OCI image layout, as a pure transformation of file sets: the layer tars
// and the config keep their bytes (so their digests, and the image id, which is the config's digest, are unchanged);
// only the small JSON files that index them are written anew.
import { createHash } from 'node:crypto';
import { z } from 'zod';

/** One file of an archive: its digest and size, and its bytes when small (JSON), or an opaque source for big ones. */
export interface ArchiveFile {
  sha256: string;
  size: number;
  /** The content, for files small enough to hold (every JSON file the conversion reads). */
  bytes?: Buffer;
  /** Where the content is (e.g. a file on disk) when it is not held. */
  source?: string;
}

/** Path inside the archive → file. */
export type FileSet = Map<string, ArchiveFile>;

export const mediaTypes = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar',
} as const;

const refNameAnnotation = 'org.opencontainers.image.ref.name';
/** The full reference (repository:tag), as containerd and podman read it from an OCI layout. */
const imageNameAnnotation = 'io.containerd.image.name';

const dockerManifestSchema = z.array(
  z.object({ Config: z.string(), RepoTags: z.array(z.string()).nullable().optional(), Layers: z.array(z.string()) }),
);
const configSchema = z.object({ rootfs: z.object({ type: z.string(), diff_ids: z.array(z.string()) }) }).loose();
const descriptorSchema = z.object({ mediaType: z.string(), digest: z.string(), size: z.number(), annotations: z.record(z.string(), z.string()).optional() });
const indexSchema = z.object({ schemaVersion: z.literal(2), manifests: z.array(descriptorSchema) });
const ociManifestSchema = z.object({ schemaVersion: z.literal(2), config: descriptorSchema, layers: z.array(descriptorSchema) });

/** The archive is not what the conversion expects (a bug in the engine's output, or a damaged file). */
export class ImageArchiveError extends Error {}

export function fileFromBytes(bytes: Buffer): ArchiveFile {
  return { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length, bytes };
}

/** Canonical JSON bytes as written into a layout: no spaces, no trailing newline. */
function jsonFile(value: unknown): ArchiveFile {
  return fileFromBytes(Buffer.from(JSON.stringify(value)));
}

function need(files: FileSet, path: string, what: string): ArchiveFile {
  const file = files.get(path);
  if (!file) throw new ImageArchiveError(`${what} ${path} is missing`);
  return file;
}

function parse<T>(schema: z.ZodType<T>, file: ArchiveFile, what: string): T {
  if (!file.bytes) throw new ImageArchiveError(`${what} was not read into memory`);
  const parsed = schema.safeParse(JSON.parse(file.bytes.toString('utf8')));
  if (!parsed.success) throw new ImageArchiveError(`${what} is not as expected: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

const hexOf = (digest: string) => digest.replace(/^sha256:/, '');

/**
 * `docker save` of one image → an OCI image layout (oci-layout, index.json, blobs/sha256/…). Each layer tar must
 * hash to the config's diff_id at its position: the layer blobs are the uncompressed tars, as the layer media type says.
 */
export function dockerArchiveToOci(archive: FileSet): FileSet {
  const manifest = parse(dockerManifestSchema, need(archive, 'manifest.json', 'the archive index'), 'manifest.json');
  if (manifest.length !== 1) throw new ImageArchiveError(`manifest.json lists ${manifest.length} images; a pack holds exactly one`);
  const [image] = manifest;
  const config = need(archive, image.Config, 'the image config');
  const diffIds = parse(configSchema, config, image.Config).rootfs.diff_ids;
  if (diffIds.length !== image.Layers.length) {
    throw new ImageArchiveError(`the config lists ${diffIds.length} layers, manifest.json ${image.Layers.length}`);
  }
  const layout: FileSet = new Map();
  layout.set(`blobs/sha256/${config.sha256}`, config);
  const layers = image.Layers.map((path, i) => {
    const layer = need(archive, path, 'the layer');
    if (`sha256:${layer.sha256}` !== diffIds[i]) {
      throw new ImageArchiveError(`layer ${i} (${path}) has sha256:${layer.sha256}, the config says ${diffIds[i]}`);
    }
    layout.set(`blobs/sha256/${layer.sha256}`, layer);
    return { mediaType: mediaTypes.layer, digest: `sha256:${layer.sha256}`, size: layer.size };
  });
  const ociManifest = jsonFile({
    schemaVersion: 2,
    mediaType: mediaTypes.manifest,
    config: { mediaType: mediaTypes.config, digest: `sha256:${config.sha256}`, size: config.size },
    layers,
  });
  layout.set(`blobs/sha256/${ociManifest.sha256}`, ociManifest);
  const tag = image.RepoTags?.[0];
  const annotations = tag === undefined ? undefined : { [imageNameAnnotation]: tag, [refNameAnnotation]: tag.slice(tag.lastIndexOf(':') + 1) };
  layout.set(
    'index.json',
    jsonFile({
      schemaVersion: 2,
      mediaType: mediaTypes.index,
      manifests: [{ mediaType: mediaTypes.manifest, digest: `sha256:${ociManifest.sha256}`, size: ociManifest.size, ...(annotations ? { annotations } : {}) }],
    }),
  );
  layout.set('oci-layout', jsonFile({ imageLayoutVersion: '1.0.0' }));
  return layout;
}

/** What an OCI layout holds: the image's tag (when it names one), the config and the layers in order. */
export interface OciImage {
  tag?: string;
  config: ArchiveFile;
  layers: ArchiveFile[];
}

/** Reads an OCI layout with one image; every blob it names must be present and match its digest and size. */
export function readOciLayout(layout: FileSet): OciImage {
  const index = parse(indexSchema, need(layout, 'index.json', 'the layout index'), 'index.json');
  if (index.manifests.length !== 1) throw new ImageArchiveError(`index.json lists ${index.manifests.length} images; a pack holds exactly one`);
  const [entry] = index.manifests;
  const blob = (descriptor: z.infer<typeof descriptorSchema>): ArchiveFile => {
    const file = need(layout, `blobs/sha256/${hexOf(descriptor.digest)}`, 'the blob');
    if (`sha256:${file.sha256}` !== descriptor.digest || file.size !== descriptor.size) {
      throw new ImageArchiveError(`blob ${descriptor.digest} has sha256:${file.sha256} and ${file.size} bytes, its descriptor says ${descriptor.size}`);
    }
    return file;
  };
  const manifest = parse(ociManifestSchema, blob(entry), `manifest ${entry.digest}`);
  const tag = entry.annotations?.[imageNameAnnotation];
  return { ...(tag === undefined ? {} : { tag }), config: blob(manifest.config), layers: manifest.layers.map(blob) };
}

/**
 * An OCI layout → the archive Docker 20.10's `docker load` takes: manifest.json naming the config and the layer tars
 * by path. The blobs keep their layout paths (blobs/sha256/…), as newer Docker writes them.
 */
export function ociToDockerArchive(layout: FileSet): FileSet {
  const image = readOciLayout(layout);
  const archive: FileSet = new Map();
  const configPath = `blobs/sha256/${image.config.sha256}`;
  archive.set(configPath, image.config);
  const layerPaths = image.layers.map((layer) => {
    const path = `blobs/sha256/${layer.sha256}`;
    archive.set(path, layer);
    return path;
  });
  archive.set('manifest.json', jsonFile([{ Config: configPath, RepoTags: image.tag === undefined ? null : [image.tag], Layers: layerPaths }]));
  return archive;
}
