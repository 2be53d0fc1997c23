// Moving bytes safely: hash while writing to a temp file beside the target, then put it in place
// without ever replacing a file that is already there.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { link, mkdir, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface Written {
  sha256: string;
  bytes: number;
}

/** sha256 of a file's bytes. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A fresh temp file name in the target's folder, so the final rename stays on one file system. */
export function tempPathFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.repro-tmp`);
}

/** Writes `source` to `temp` (which must not exist), hashing on the way; reports bytes written so far. */
export async function writeHashed(source: Readable, temp: string, onBytes?: (bytes: number) => void): Promise<Written> {
  await mkdir(path.dirname(temp), { recursive: true });
  const hash = createHash('sha256');
  let bytes = 0;
  await pipeline(
    source,
    async function* (chunks: AsyncIterable<Buffer>) {
      for await (const chunk of chunks) {
        hash.update(chunk);
        bytes += chunk.length;
        onBytes?.(bytes);
        yield chunk;
      }
    },
    createWriteStream(temp, { flags: 'wx' }),
  );
  return { sha256: hash.digest('hex'), bytes };
}

/**
 * Moves `temp` to `target` only if nothing is at `target`: a hard link fails with EEXIST instead of
 * replacing, which a rename would not. Returns false (temp removed) when something is already there.
 */
export async function placeNoClobber(temp: string, target: string): Promise<boolean> {
  try {
    await link(temp, target);
    await unlink(temp);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      await rm(temp, { force: true });
      return false;
    }
    // File systems without hard links: rename, having checked just before that the target is free.
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'EXDEV' || code === 'EMLINK') {
      if (await stat(target).then(() => true, () => false)) {
        await rm(temp, { force: true });
        return false;
      }
      await rename(temp, target);
      return true;
    }
    await rm(temp, { force: true });
    throw error;
  }
}
