// Tar files to and from file sets: extraction hashes every file as it is written (a symlink becomes the file it
// names), and writing gives the same bytes for the same files (given order, fixed times, owners and modes).
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, Transform, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import type { ArchiveFile, FileSet } from './oci.ts';

/** Files up to this size are also kept in memory: every JSON index and config the conversions read. */
const keepBelow = 8 * 1024 * 1024;

/** An entry's name as a safe relative path, or undefined when it would leave the folder. */
export function safeEntryPath(name: string): string | undefined {
  const normal = path.posix.normalize(name.replace(/^\.\/+/, '')).replace(/\/+$/, '');
  if (normal === '' || normal === '.' || normal.startsWith('../') || normal === '..' || path.posix.isAbsolute(normal)) return undefined;
  return normal;
}

export class TarEntryError extends Error {}

/**
 * Extracts regular files (and symlinks to them) from a tar stream into `dir`, hashing each; folders are implied.
 * Returns every file by its path in the archive; a link is the file it names, or with createLinks a link on disk
 * (a repository's own links, never followed).
 */
export async function extractTar(input: NodeJS.ReadableStream, dir: string, options: { createLinks?: boolean } = {}): Promise<FileSet> {
  const files: FileSet = new Map();
  const links: [string, string][] = [];
  const extract = tar.extract();
  const done = pipeline(input, extract);
  // Awaited after the last entry; when an entry is refused first, leaving the loop destroys the extractor and this
  // rejection is expected.
  done.catch(() => undefined);
  for await (const entry of extract) {
    const { header } = entry;
    const name = safeEntryPath(header.name);
    if (header.type === 'directory') {
      entry.resume();
      continue;
    }
    if (name === undefined) throw new TarEntryError(`the archive has an entry outside its folder: ${header.name}`);
    if (header.type === 'symlink' && header.linkname) {
      entry.resume();
      if (options.createLinks) {
        if (safeEntryPath(path.posix.join(path.posix.dirname(name), header.linkname)) === undefined || path.posix.isAbsolute(header.linkname)) {
          throw new TarEntryError(`the archive's link ${name} points outside it (${header.linkname})`);
        }
        await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
        await symlink(header.linkname, path.join(dir, name));
        continue;
      }
      links.push([name, path.posix.join(path.posix.dirname(name), header.linkname)]);
      continue;
    }
    if (header.type !== 'file' && header.type !== 'contiguous-file') throw new TarEntryError(`the archive has a ${header.type} entry (${header.name}); only files are expected`);
    const target = path.join(dir, name);
    await mkdir(path.dirname(target), { recursive: true });
    const hash = createHash('sha256');
    const held: Buffer[] = [];
    let size = 0;
    const out = createWriteStream(target, { mode: (header.mode ?? 0o644) & 0o755 });
    for await (const chunk of entry as AsyncIterable<Buffer>) {
      hash.update(chunk);
      size += chunk.length;
      if (size <= keepBelow) held.push(chunk);
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
    files.set(name, { sha256: hash.digest('hex'), size, source: target, ...(size <= keepBelow ? { bytes: Buffer.concat(held) } : {}) });
  }
  await done;
  for (const [name, target] of links) {
    const file = files.get(safeEntryPath(target) ?? '');
    if (!file) throw new TarEntryError(`the archive's link ${name} names ${target}, which it does not hold`);
    files.set(name, file);
  }
  return files;
}

/** The same header for every entry, whoever packs it and when: only the name and size vary. */
function header(name: string, size: number): Partial<tar.Header> & { name: string } {
  return { name, size, mode: 0o644, uid: 0, gid: 0, uname: '', gname: '', mtime: new Date(0), type: 'file' };
}

/** A tar stream of `entries` in the order given; each file's content is read only when its turn comes. */
export function tarStream(entries: readonly [string, ArchiveFile][]): Readable {
  const pack = tar.pack();
  const write = async () => {
    for (const [name, file] of entries) await addEntry(pack, name, file);
    pack.finalize();
  };
  // Node's own stream type for pipeline and the engine client; tar-stream's streams are streamx streams.
  const output = new PassThrough();
  write().catch((error: unknown) => output.destroy(error instanceof Error ? error : new Error(String(error))));
  pack.pipe(output);
  return output;
}

function addEntry(pack: tar.Pack, name: string, file: ArchiveFile): Promise<void> {
  return new Promise((resolve, reject) => {
    if (file.bytes) {
      pack.entry(header(name, file.size), file.bytes, (error) => (error ? reject(error) : resolve()));
      return;
    }
    if (!file.source) throw new Error(`${name}: an archive file with neither bytes nor a source`);
    const sink = pack.entry(header(name, file.size), (error) => (error ? reject(error) : resolve()));
    // A file that changed size since it was hashed fails the entry (and the pack) instead of writing a broken tar.
    sink.on('error', reject);
    const input = createReadStream(file.source);
    input.on('error', reject);
    input.pipe(sink);
  });
}

/** Writes `entries` as a tar into `out`, returning the tar's sha256 and size. */
export async function writeTar(entries: readonly [string, ArchiveFile][], out: Writable): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  const measure = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  await pipeline(tarStream(entries), measure, out);
  return { sha256: hash.digest('hex'), size };
}

/** Entries sorted by path (code-unit order, as every machine sorts them). */
export function sortedEntries(files: FileSet): [string, ArchiveFile][] {
  return [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
