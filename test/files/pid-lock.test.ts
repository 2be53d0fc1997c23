// The pid lock: taken whole, refused while its owner runs (exit 2, naming the pid and the fix), taken over from an
// owner that is gone, released only by its owner; of many takers at once exactly one gets it.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BusyError, ExitCode } from '../../src/errors.ts';
import { acquireLock, ownerRunning, type LockOwner } from '../../src/files/pid-lock.ts';

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'repro-lock-'));
  file = join(dir, 'sub', 'x.lock');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const request = { what: 'sweep noise', command: 'repro sweep noise', hint: (owner: LockOwner, at: string) => `wait for ${owner.pid} or remove ${at}` };

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid ?? expect.fail('no pid');
}

async function failure(promise: Promise<unknown>): Promise<BusyError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(BusyError);
  return error as BusyError;
}

describe('acquireLock', () => {
  it('writes the owner (pid, host, command, time) and release removes it; nothing else is left in the folder', async () => {
    const lock = await acquireLock(file, request);
    expect(lock.tookOver).toBeUndefined();
    const owner = JSON.parse(await readFile(file, 'utf8')) as LockOwner;
    expect(owner).toMatchObject({ pid: process.pid, host: hostname(), command: 'repro sweep noise' });
    expect(Number.isNaN(Date.parse(owner.since))).toBe(false);
    expect(await readdir(join(dir, 'sub'))).toEqual(['x.lock']);
    await lock.release();
    expect(await readdir(join(dir, 'sub'))).toEqual([]);
  });

  it('a live owner: BusyError, exit 2, naming the pid, its command and the fix; the lock is left as it was', async () => {
    const held = await acquireLock(file, request);
    const before = await readFile(file, 'utf8');
    const error = await failure(acquireLock(file, request));
    expect(error.exitCode).toBe(ExitCode.badInput);
    expect(error.message).toMatch(new RegExp(`^sweep noise is in use by another process: pid ${process.pid} \\(repro sweep noise, since [0-9T:.Z-]+\\); lock ${file.replace(/[.]/g, '\\.')}$`));
    expect(error.hint).toBe(`wait for ${process.pid} or remove ${file}`);
    expect(await readFile(file, 'utf8')).toBe(before);
    await held.release();
  });

  it('an owner that is gone: taken over, and said so', async () => {
    const pid = await deadPid();
    expect(ownerRunning({ pid, host: hostname(), command: '', since: '' })).toBe(false);
    await writeFile(join(dir, 'stale.lock'), JSON.stringify({ pid, host: hostname(), command: 'repro sweep noise -j 2', since: '2026-01-01T00:00:00.000Z' }));
    const lock = await acquireLock(join(dir, 'stale.lock'), request);
    expect(lock.tookOver).toEqual({ pid, host: hostname(), command: 'repro sweep noise -j 2', since: '2026-01-01T00:00:00.000Z' });
    expect(JSON.parse(await readFile(join(dir, 'stale.lock'), 'utf8'))).toMatchObject({ pid: process.pid });
    expect(await readdir(dir)).toEqual(['stale.lock']);
    await lock.release();
  });

  it('an owner on another host counts as running (its pid cannot be checked here), and says where', async () => {
    await writeFile(join(dir, 'far.lock'), JSON.stringify({ pid: 12345, host: 'node-7', command: 'repro sweep noise', since: '2026-01-01T00:00:00.000Z' }));
    expect((await failure(acquireLock(join(dir, 'far.lock'), request))).message).toContain('pid 12345 on node-7 (repro sweep noise');
  });

  it('a lock that names no owner is not taken over: the message names the file to remove', async () => {
    await writeFile(join(dir, 'bad.lock'), 'garbage');
    const error = await failure(acquireLock(join(dir, 'bad.lock'), request));
    expect(error.message).toBe(`sweep noise is locked by ${join(dir, 'bad.lock')}, which does not name its owner`);
    expect(error.hint).toContain(`remove ${join(dir, 'bad.lock')}`);
  });

  it('release leaves a lock that is no longer its own', async () => {
    const lock = await acquireLock(file, request);
    const other = JSON.stringify({ pid: 1, host: hostname(), command: 'other', since: 'now' });
    await writeFile(file, other);
    await lock.release();
    expect(await readFile(file, 'utf8')).toBe(other);
  });

  it('a stale lock whose taker died while taking it over (a claim naming a gone pid): taken over, and nothing is left', async () => {
    const stale = JSON.stringify({ pid: await deadPid(), host: hostname(), command: 'gone', since: 'then' });
    await writeFile(join(dir, 'stale.lock'), stale);
    const claim = join(dir, `stale.lock.claim-${createHash('sha256').update(stale).digest('hex').slice(0, 16)}`);
    await writeFile(claim, JSON.stringify({ pid: await deadPid(), host: hostname(), command: 'died mid-takeover', since: 'then' }));
    const lock = await acquireLock(join(dir, 'stale.lock'), request);
    expect(lock.tookOver).toMatchObject({ command: 'gone' });
    expect(await readdir(dir)).toEqual(['stale.lock']);
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('a stale lock that a live process is taking over: the taker waits for it, then finds the new owner', async () => {
    const stale = JSON.stringify({ pid: await deadPid(), host: hostname(), command: 'gone', since: 'then' });
    await writeFile(join(dir, 'stale.lock'), stale);
    const claim = join(dir, `stale.lock.claim-${createHash('sha256').update(stale).digest('hex').slice(0, 16)}`);
    await writeFile(claim, JSON.stringify({ pid: process.pid, host: hostname(), command: 'taking over', since: 'now' }));
    const pending = acquireLock(join(dir, 'stale.lock'), request).then(() => 'taken', (e: unknown) => (e instanceof BusyError ? e.message : e));
    await new Promise((resolve) => setTimeout(resolve, 50));
    // The claimant finishes: its own lock replaces the stale one whole (as placeWhole does; a plain writeFile would
    // let the waiting taker read the file empty, between its truncation and its write), and its claim goes.
    await writeFile(join(dir, 'new.tmp'), JSON.stringify({ pid: process.pid, host: hostname(), command: 'new owner', since: 'now' }));
    await rename(join(dir, 'new.tmp'), join(dir, 'stale.lock'));
    await rm(claim);
    expect(await pending).toMatch(/^sweep noise is in use by another process: pid \d+ \(new owner, since now\)/);
  });

  it('of 20 takers at once, exactly one gets it; taking over a stale lock, too (30 rounds)', async () => {
    for (const stale of Array.from({ length: 30 }, (_, i) => i % 2 === 1)) {
      if (stale) await writeFile(file, JSON.stringify({ pid: await deadPid(), host: hostname(), command: 'gone', since: 'then' }));
      const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => acquireLock(file, request)));
      const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
      expect(won, `stale: ${stale}`).toHaveLength(1);
      expect(outcomes.filter((outcome) => outcome.status === 'rejected' && outcome.reason instanceof BusyError)).toHaveLength(19);
      await (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireLock>>>).value.release();
      expect(await readdir(join(dir, 'sub'))).toEqual([]);
    }
  });
});
