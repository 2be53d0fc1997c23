// The build context as a tar stream made in memory order: sorted paths, owner root, one fixed mtime, so the same
// files always give the engine the same layer cache keys.
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import tar from 'tar-stream';
import type { ContextFile } from './types.ts';

type TarHeader = Parameters<tar.Pack['entry']>[0];

interface Entry {
  path: string;
  kind: 'file' | 'symlink' | 'directory';
  source?: string;
  content?: Uint8Array;
  linkname?: string;
  mode: number;
  size: number;
}

/** Expand folders and stat files; the result is sorted by path and has no duplicates (the last one given wins). */
export async function listContext(files: ContextFile[]): Promise<Entry[]> {
  const byPath = new Map<string, Entry>();
  for (const file of files) {
    const path = posix.normalize(file.path).replace(/^\/+/, '');
    if ('content' in file) {
      const content = typeof file.content === 'string' ? Buffer.from(file.content) : file.content;
      byPath.set(path, { path, kind: 'file', content, mode: file.mode ?? 0o644, size: content.length });
    } else if ('symlink' in file) {
      byPath.set(path, { path, kind: 'symlink', linkname: file.symlink, mode: 0o777, size: 0 });
    } else if ('source' in file) {
      const info = await stat(file.source);
      byPath.set(path, { path, kind: 'file', source: file.source, mode: file.mode ?? executable(info.mode), size: info.size });
    } else if ('emptyDirectory' in file) {
      byPath.set(path, { path, kind: 'directory', mode: 0o755, size: 0 });
    } else {
      for (const entry of await walk(file.directory, path)) byPath.set(entry.path, entry);
    }
  }
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function walk(dir: string, prefix: string): Promise<Entry[]> {
  const entries: Entry[] = [];
  for (const name of (await readdir(dir)).sort()) {
    const source = join(dir, name);
    const path = posix.join(prefix, name);
    const info = await lstat(source);
    if (info.isDirectory()) entries.push(...(await walk(source, path)));
    else if (info.isSymbolicLink()) entries.push({ path, kind: 'symlink', linkname: await readlink(source), mode: 0o777, size: 0 });
    else if (info.isFile()) entries.push({ path, kind: 'file', source, mode: executable(info.mode), size: info.size });
  }
  return entries;
}

/** Only the executable bit survives: umask and owner differences between machines must not change the image. */
function executable(mode: number): number {
  return mode & 0o111 ? 0o755 : 0o644;
}

/** A tar stream of the Dockerfile plus the context files. */
export function packContext(entries: Entry[], dockerfile: string, mtimeSeconds: number): Readable {
  const pack = tar.pack();
  const mtime = new Date(mtimeSeconds * 1000);
  const header = (entry: Pick<Entry, 'path' | 'mode' | 'size'>) => ({ name: entry.path, mode: entry.mode, size: entry.size, mtime, uid: 0, gid: 0 });
  const write = async () => {
    await addBuffer(pack, header({ path: 'Dockerfile', mode: 0o644, size: Buffer.byteLength(dockerfile) }), Buffer.from(dockerfile));
    for (const entry of entries) {
      if (entry.path === 'Dockerfile') continue;
      if (entry.kind === 'directory') {
        await addBuffer(pack, { ...header(entry), type: 'directory' }, Buffer.alloc(0));
      } else if (entry.kind === 'symlink') {
        await addBuffer(pack, { ...header(entry), size: 0, type: 'symlink', linkname: entry.linkname ?? '' }, Buffer.alloc(0));
      } else if (entry.content) {
        await addBuffer(pack, header(entry), entry.content);
      } else if (entry.source) {
        await addFile(pack, header(entry), entry.source);
      }
    }
    pack.finalize();
  };
  // Node's own stream type for the engine client; tar-stream's streams are streamx streams.
  const output = new PassThrough();
  write().catch((error: Error) => output.destroy(error));
  pack.pipe(output);
  return output;
}

function addBuffer(pack: tar.Pack, header: TarHeader, content: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry(header, Buffer.from(content), (error) => (error ? reject(error) : resolve()));
  });
}

function addFile(pack: tar.Pack, header: TarHeader, source: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const entry = pack.entry(header, (error) => (error ? reject(error) : resolve()));
    // A file that changed size since it was listed fails this entry (and the build) instead of crashing.
    entry.on('error', reject);
    const input = createReadStream(source);
    input.on('error', reject);
    input.pipe(entry);
  });
}
