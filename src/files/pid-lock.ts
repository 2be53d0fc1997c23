// An exclusive lock file naming its owner (pid, host, command): one process at a time works in a folder two commands
// could otherwise share. The file appears whole or not at all (written aside, then hard-linked into place, which fails
// if it exists), so a reader never sees half an owner. A lock whose owner is gone (same host, no such pid) is taken
// over, by one taker at a time (see removeStale); a live owner's, or one on another host (whose pids cannot be checked from here), is a BusyError (exit 2).
import { createHash, randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
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
  const text = ownerText(mine);
  await mkdir(dirname(file), { recursive: true });
  let tookOver: LockOwner | undefined;
  const deadline = Date.now() + claimPatienceMs;
  // Rounds: another process may take, release or take over the lock between our steps.
  for (let round = 0; round < 8 || Date.now() < deadline; round++) {
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
    const removed = await removeStale(file, existing, mine, 0);
    if (removed) tookOver = owner;
    else if (removed === undefined) await sleep(5); // another taker is removing it: let it finish
  }
  throw new BusyError(`${request.what}: could not take ${file}; other processes keep taking and releasing it`, 'Run the command again when the others are done.');
}

/** How long a taker waits for another taker that is removing a stale lock (milliseconds). */
const claimPatienceMs = 2000;

/**
 * Removes `file` if it still holds `staleText`, a gone owner's lock. Only the holder of the claim on that text
 * (`file.claim-HASH`, placed whole) may remove it, so the read-then-remove cannot remove anything else: nobody but
 * the claim's holder ever removes a file holding that text, and every lock's text is unique. A claim whose holder is
 * gone is removed the same way, one level down. True: removed by this call; false: it was no longer there or no
 * longer that text; undefined: another live taker holds the claim.
 */
async function removeStale(file: string, staleText: string, mine: LockOwner, depth: number): Promise<boolean | undefined> {
  const claim = `${file}.claim-${createHash('sha256').update(staleText).digest('hex').slice(0, 16)}`;
  const claimText = ownerText(mine);
  if (!(await placeWhole(claim, claimText))) {
    const other = await readFile(claim, 'utf8').catch(() => undefined);
    if (other === undefined) return undefined; // released meanwhile: try again
    const claimant = parseOwner(other);
    if (claimant && ownerRunning(claimant)) return undefined;
    if (depth < 4) await removeStale(claim, other, mine, depth + 1);
    return undefined;
  }
  try {
    const current = await readFile(file, 'utf8').catch(() => undefined);
    if (current !== staleText) return false;
    await rm(file, { force: true });
    return true;
  } finally {
    await rm(claim, { force: true });
  }
}

/** The lock's text: the owner and a random token, so that no two locks ever hold the same text. */
function ownerText(owner: LockOwner): string {
  return JSON.stringify({ ...owner, token: randomBytes(8).toString('hex') }) + '\n';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
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
