// An exclusive lock file naming its owner (pid, host, command): one process at a time works in a folder two commands
// could otherwise share. The file appears whole or not at all (written aside, then hard-linked into place, which fails
// if it exists), so a reader never sees half an owner. A lock whose owner is gone (same host, no such pid) is taken
// over; a live owner's, or one on another host (whose pids cannot be checked from here), is a BusyError (exit 2).
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { BusyError } from '../errors.ts';

export interface LockOwner {
  pid: number;
  host: string;
  /** What the owner runs, for the message (e.g. `repro sweep noise -j 2`). */
  command: string;
  /** ISO time the lock was taken. */
  since: string;
}

export interface HeldLock {
  file: string;
  /** The owner whose lock was taken over because it was no longer running. */
  tookOver?: LockOwner;
  /** Removes the lock if it is still this one's. */
  release(): Promise<void>;
}

export interface LockRequest {
  /** What the lock guards, for messages: `sweep noise`. */
  what: string;
  /** What to tell the user when a live owner holds it. */
  hint(owner: LockOwner, file: string): string;
  /** Recorded in the lock; default this process's arguments. */
  command?: string;
}

/** Takes the lock at `file` (its folder is made), or throws BusyError naming the owner. */
export async function acquireLock(file: string, request: LockRequest): Promise<HeldLock> {
  const mine: LockOwner = { pid: process.pid, host: hostname(), command: request.command ?? commandLine(), since: new Date().toISOString() };
  const text = JSON.stringify(mine) + '\n';
  await mkdir(dirname(file), { recursive: true });
  let tookOver: LockOwner | undefined;
  // A few rounds: another process may take, release or take over the lock between our steps.
  for (let round = 0; round < 8; round++) {
    if (await placeWhole(file, text)) return { file, ...(tookOver ? { tookOver } : {}), release: () => releaseIfMine(file, text) };
    const existing = await readFile(file, 'utf8').catch(() => undefined);
    if (existing === undefined) continue; // released meanwhile
    const owner = parseOwner(existing);
    if (!owner) {
      throw new BusyError(`${request.what} is locked by ${file}, which does not name its owner`, `If no other repro command is working on it, remove ${file} and run the command again.`);
    }
    if (ownerRunning(owner)) {
      const where = owner.host === mine.host ? '' : ` on ${owner.host}`;
      throw new BusyError(`${request.what} is in use by another process: pid ${owner.pid}${where} (${owner.command}, since ${owner.since}); lock ${file}`, request.hint(owner, file));
    }
    // The owner is gone: move its lock aside (only one taker's rename succeeds), and make sure it was that lock.
    const aside = `${file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
    const moved = await rename(file, aside).then(() => true, (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? false : Promise.reject(error)));
    if (!moved) continue;
    const movedText = await readFile(aside, 'utf8').catch(() => undefined);
    if (movedText !== existing) await link(aside, file).catch(() => undefined); // a live owner's new lock: put it back
    else tookOver = owner;
    await rm(aside, { force: true });
  }
  throw new BusyError(`${request.what}: could not take ${file}; other processes keep taking and releasing it`, 'Run the command again when the others are done.');
}

/** Is the owner's process there? Only on this host can we tell; elsewhere it counts as running. */
export function ownerRunning(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but is another user's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Writes `text` aside and links it to `file`: true if this put it there, false if `file` exists. */
async function placeWhole(file: string, text: string): Promise<boolean> {
  const temp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temp, text, { flag: 'wx' });
  try {
    await link(temp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await rm(temp, { force: true });
  }
}

async function releaseIfMine(file: string, text: string): Promise<void> {
  const current = await readFile(file, 'utf8').catch(() => undefined);
  if (current === text) await rm(file, { force: true });
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return undefined;
    const { pid, host, command, since } = value as Record<string, unknown>;
    if (!Number.isSafeInteger(pid) || (pid as number) <= 0 || typeof host !== 'string') return undefined;
    return { pid: pid as number, host, command: typeof command === 'string' ? command : '?', since: typeof since === 'string' ? since : '?' };
  } catch {
    return undefined;
  }
}

function commandLine(): string {
  return ['repro', ...process.argv.slice(2)].join(' ');
}
