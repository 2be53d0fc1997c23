// Reading a pack back: every file checked against pack.json before anything is used, the image loaded into the
// engine from its OCI layout, and the repository unpacked with its data in place. No network is needed.
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Engine } from '../engine/index.ts';
import { DataError, EngineError, UsageError } from '../errors.ts';
import { checkPackFiles, dataFolder, imageFolder, packManifestName, parsePackManifest, repositoryEntry, type PackManifest } from './manifest.ts';
import { ImageArchiveError, ociToDockerArchive, type FileSet } from './oci.ts';
import { extractTar, sortedEntries, tarStream, TarEntryError } from './tar.ts';

export interface OpenedPack {
  manifest: PackManifest;
  /** Every file of the pack, extracted under the scratch folder and checked. */
  files: FileSet;
  /** Where they were extracted: each at its path in the pack. */
  dir: string;
}

/** Extracts `packFile` into `scratch` and checks it against its pack.json (DataError, exit 2, naming the file). */
export async function openPack(packFile: string, scratch: string, option = '--pack'): Promise<OpenedPack> {
  const name = path.basename(packFile);
  const info = await stat(packFile).catch(() => undefined);
  if (!info?.isFile()) throw new UsageError(`${option}: ${packFile} is not a file`, `Give the archive \`repro pack\` wrote, e.g. ${option} analyses-1a2b3c4d5e6f.repro.tar.`);
  let files: FileSet;
  const dir = path.join(scratch, 'pack');
  try {
    files = await extractTar(createReadStream(packFile), dir);
  } catch (error) {
    if (error instanceof TarEntryError) throw new DataError(`${name}: ${error.message}`, { hint: 'It is not a pack `repro pack` wrote.' });
    throw new DataError(`${name} cannot be read as a tar archive: ${error instanceof Error ? error.message : String(error)}`, {
      hint: 'It is damaged or not a pack: get the original again.',
      cause: error,
    });
  }
  const manifest = parsePackManifest(files.get(packManifestName)?.bytes, name);
  checkPackFiles(manifest, files, name);
  return { manifest, files, dir };
}

/** The files under `folder/` of the pack, by their path inside it. */
export function packFolder(files: FileSet, folder: string): FileSet {
  const prefix = `${folder}/`;
  return new Map([...files].filter(([p]) => p.startsWith(prefix)).map(([p, file]) => [p.slice(prefix.length), file]));
}

/** Docker's name for this machine's CPU architecture. */
export function engineArchitecture(arch: string = process.arch): string {
  return ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' } as Record<string, string>)[arch] ?? arch;
}

/**
 * Loads the pack's image into the engine (as the docker-archive Docker 20.10 takes) and checks that the engine now
 * has the packed image id: the same config bytes, hence the same image.
 */
export async function loadPackImage(opened: OpenedPack, engine: Pick<Engine, 'kind' | 'loadImage' | 'inspectImage'>): Promise<string> {
  const { image } = opened.manifest;
  if (image.architecture !== engineArchitecture()) {
    throw new EngineError(`the packed image is for ${image.os}/${image.architecture}; this machine is ${engineArchitecture()}`, {
      hint: 'A pack holds the image for the CPU it was built on: re-run it on a machine of that architecture (or under emulation).',
    });
  }
  let archive: FileSet;
  try {
    archive = ociToDockerArchive(packFolder(opened.files, imageFolder));
  } catch (error) {
    if (!(error instanceof ImageArchiveError)) throw error;
    throw new DataError(`the pack's image layout is not usable: ${error.message}`, { hint: 'It was not written by `repro pack`.' });
  }
  await engine.loadImage(tarStream(sortedEntries(archive)));
  const loaded = await engine.inspectImage(image.id);
  if (!loaded) throw new EngineError(`the engine loaded the pack's image but has no image ${image.id}`, { hint: `Check \`${engine.kind} images\`; the engine may have rewritten the image.` });
  return loaded.id;
}

/** Unpacks the repository into `dir` and puts the packed data files at their research.yaml paths. Returns the project folder. */
export async function unpackProject(opened: OpenedPack, dir: string): Promise<string> {
  const repository = opened.files.get(repositoryEntry);
  if (!repository?.source) throw new DataError(`the pack has no ${repositoryEntry}`);
  await mkdir(dir, { recursive: true });
  await extractTar(createReadStream(repository.source), dir, { createLinks: true });
  for (const [dataPath, file] of packFolder(opened.files, dataFolder)) {
    if (!file.source) continue;
    const target = path.join(dir, dataPath);
    await mkdir(path.dirname(target), { recursive: true });
    await rm(target, { force: true });
    await copyFile(file.source, target);
  }
  return dir;
}

/** Frees the disk the image's blobs took once the engine has them. */
export async function dropImageBlobs(opened: OpenedPack): Promise<void> {
  for (const file of packFolder(opened.files, imageFolder).values()) if (file.source) await rm(file.source, { force: true });
}
