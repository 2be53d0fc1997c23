// Is the kernel still there while a cell runs? ipykernel echoes the heartbeat from a thread of its own, so silence
// means the whole process is stuck. tslab, jslab and IRkernel echo it from the thread that runs the cell: silence
// there only means "busy", and a long computation must not be taken for a frozen kernel. For every kernel, a
// process the system has stopped (SIGSTOP: state T in /proc) that does not answer is frozen.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { KernelUnresponsiveError } from './failures.ts';

/** One heartbeat round trip is tried this often while a cell runs, each with this long to answer. */
export const HEARTBEAT_INTERVAL_MS = 1_000;
/** How long without an answer before a stopped (or, for ipykernel, any) kernel counts as frozen. */
export const HEARTBEAT_SILENCE_MS = 4_000;

/** Kernels that echo the heartbeat beside the running code (ipykernel's heartbeat thread). */
export function heartbeatIsThreaded(kernelInfo: Record<string, unknown>): boolean {
  return kernelInfo.implementation === 'ipython';
}

/** The process's state letter from /proc/<pid>/stat (R, S, D, T, t, Z…); undefined without /proc or process. */
export function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state …": comm may hold spaces and parentheses, so read after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).charAt(0) || undefined;
  } catch {
    return undefined;
  }
}

/** The process's CPU time so far (utime + stime, in clock ticks of 10 ms) from /proc; undefined without it. */
export function processCpuTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}

/**
 * CPU ticks in one silent stretch above which the kernel counts as still working: a kernel waiting for requests
 * uses none (a heartbeat echo is far below a tick), one finishing a cell's work after its reply (tslab updating its
 * TypeScript program, a garbage collection) uses more, and its idle status is late, not lost.
 */
export const BUSY_TICKS = 10;

function isStopped(state: string | undefined): boolean {
  return state === 'T' || state === 't';
}

export interface HeartbeatWatch {
  ping(timeoutMs: number): Promise<boolean>;
  pid: number;
  threaded: boolean;
  signal: AbortSignal;
}

/**
 * Pings the kernel until `signal` aborts; rejects with KernelUnresponsiveError once the kernel has been silent for
 * HEARTBEAT_SILENCE_MS and is stopped (or, threaded, at all). Never resolves: race it against the cell's reply.
 */
export async function watchHeartbeat(watch: HeartbeatWatch): Promise<never> {
  let answered = Date.now();
  while (!watch.signal.aborted) {
    const started = Date.now();
    if (await watch.ping(HEARTBEAT_INTERVAL_MS)) {
      answered = Date.now();
    } else if (!watch.signal.aborted) {
      const silentMs = Date.now() - answered;
      const stopped = isStopped(processState(watch.pid));
      if (silentMs >= HEARTBEAT_SILENCE_MS && (stopped || watch.threaded)) {
        const seconds = (silentMs / 1000).toFixed(1);
        throw new KernelUnresponsiveError(stopped ? `its process ${watch.pid} is stopped; no answer for ${seconds} s` : `no answer for ${seconds} s`);
      }
    }
    const wait = Math.max(0, HEARTBEAT_INTERVAL_MS - (Date.now() - started));
    await sleep(wait, undefined, { signal: watch.signal }).catch(() => undefined);
  }
  return new Promise<never>(() => undefined);
}
