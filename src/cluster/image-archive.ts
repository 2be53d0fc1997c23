// The project's image as a `docker save` archive in the shared folder, for nodes without a registry: one file per
// image id (.repro/images/<id>.tar), written once, renamed into place so a node never loads half an archive.
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { EngineError } from '../errors.ts';

export function imageArchivePath(projectDir: string, imageId: string): string {
  if (!/^sha256:[0-9a-f]{64}$/.test(imageId)) throw new EngineError(`'${imageId}' is not an image id (sha256:…)`);
  return join(projectDir, '.repro', 'images', `${imageId.slice('sha256:'.length)}.tar`);
}

/** Writes the archive unless it is there; resolves to its path and whether it was written now. */
export async function ensureImageArchive(
  projectDir: string,
  imageId: string,
  save: (ref: string) => Promise<NodeJS.ReadableStream>,
): Promise<{ path: string; written: boolean; bytes: number }> {
  const path = imageArchivePath(projectDir, imageId);
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isFile() && existing.size > 0) return { path, written: false, bytes: existing.size };
  await mkdir(join(projectDir, '.repro', 'images'), { recursive: true });
  const partial = `${path}.${process.pid}.partial`;
  try {
    await pipeline(await save(imageId), createWriteStream(partial));
    await rename(partial, path);
  } catch (error) {
    await rm(partial, { force: true });
    if (error instanceof EngineError) throw error;
    throw new EngineError(`cannot write the image archive ${path}: ${(error as Error).message}`, {
      hint: 'The shared folder needs room for the image (see `docker image ls`); free some, or point the project at a larger disk.',
      cause: error,
    });
  }
  return { path, written: true, bytes: (await stat(path)).size };
}
