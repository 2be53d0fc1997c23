// Links, FIFOs, sockets and devices in a folder a stranger's code wrote: found with lstat and never followed, and a
// file read only after fstat of a descriptor opened without following links or blocking, so that a link to
// /dev/zero or a FIFO can neither hang a reader nor fill its memory.
import { constants, type Stats } from 'node:fs';
import { lstat, open, readdir, readlink, type FileHandle } from 'node:fs/promises';
import { join, posix } from 'node:path';

export type SpecialKind = 'symlink' | 'FIFO' | 'socket' | 'character device' | 'block device';

export interface TreeEntry {
  /** Relative to the root the tree was listed from, with forward slashes. */
  path: string;
  kind: 'file' | SpecialKind;
  /** A symlink's target, as written in the link (never resolved). */
  target?: string;
}

/** What a file system entry is when it is neither a regular file nor a folder. */
export function specialKind(info: Stats): SpecialKind | undefined {
  if (info.isSymbolicLink()) return 'symlink';
  if (info.isFIFO()) return 'FIFO';
  if (info.isSocket()) return 'socket';
  if (info.isCharacterDevice()) return 'character device';
  if (info.isBlockDevice()) return 'block device';
  return undefined;
}

/** "symlink → /dev/zero", "FIFO", …: what a special entry is, for messages and verdicts. */
export function describeSpecial(entry: Pick<TreeEntry, 'kind' | 'target'>): string {
  return entry.kind === 'symlink' ? `symlink → ${entry.target ?? '?'}` : entry.kind;
}

/**
 * Regular files and special entries under root/folder, sorted, paths relative to root. Folders are entered, links
 * never: a folder on the way to root/folder that is a link or a special file is returned as the one entry, and a
 * folder that does not exist has none. Empty folders do not appear.
 */
export async function listTree(root: string, folder = ''): Promise<TreeEntry[]> {
  const parts = folder.split('/').filter((part) => part !== '' && part !== '.');
  for (let i = 1; i <= parts.length; i++) {
    const path = parts.slice(0, i).join('/');
    const info = await lstat(join(root, path)).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
      throw error;
    });
    if (!info) return [];
    if (info.isDirectory()) continue;
    const entry = await entryOf(root, path, info);
    return entry.kind === 'file' ? [] : [entry];
  }
  const entries: TreeEntry[] = [];
  await walk(root, parts.join('/'), entries);
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function walk(root: string, folder: string, into: TreeEntry[]): Promise<void> {
  for (const name of await readdir(join(root, folder))) {
    const path = folder === '' ? name : posix.join(folder, name);
    const info = await lstat(join(root, path));
    if (info.isDirectory()) await walk(root, path, into);
    else into.push(await entryOf(root, path, info));
  }
}

async function entryOf(root: string, path: string, info: Stats): Promise<TreeEntry> {
  const kind = specialKind(info) ?? 'file';
  if (kind !== 'symlink') return { path, kind };
  return { path, kind, target: await readlink(join(root, path)).catch(() => undefined) };
}

/** A regular file opened for reading (the caller closes it), or what the entry is instead. */
export type RegularOpen = { handle: FileHandle; size: number } | { special: TreeEntry };

/**
 * Opens root/path only if it is a regular file: O_NOFOLLOW (a link is not opened) and O_NONBLOCK (a FIFO without a
 * writer does not block the open), then fstat on the descriptor, so an entry swapped for a link, FIFO or device since
 * it was listed is told, never read.
 */
export async function openRegularFile(root: string, path: string): Promise<RegularOpen> {
  let handle;
  try {
    handle = await open(join(root, path), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOOP') throw error;
    return { special: await entryOf(root, path, await lstat(join(root, path))) };
  }
  try {
    const info = await handle.stat();
    const kind = specialKind(info);
    if (kind) {
      await handle.close();
      return { special: { path, kind } };
    }
    if (!info.isFile()) throw Object.assign(new Error(`${path} is a folder`), { code: 'EISDIR' });
    return { handle, size: info.size };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** A regular file's bytes, or what the entry is instead (see openRegularFile). */
export type RegularRead = { content: Buffer } | { special: TreeEntry };

export async function readRegularFile(root: string, path: string): Promise<RegularRead> {
  const opened = await openRegularFile(root, path);
  if ('special' in opened) return opened;
  try {
    return { content: await opened.handle.readFile() };
  } finally {
    await opened.handle.close();
  }
}
