// Processes a notebook started and left running. The kernel runs in its own session and process group, but a
// process started with `detached: true` or setsid leaves both; what it keeps is its environment, where the kernel
// put a marker (REPRO_KERNEL_ID). Found through /proc, which needs no privileges for one's own processes and works
// inside a container. A process that clears its whole environment and leaves the session escapes.
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** The environment variable marking every process started from one kernel. */
export const KERNEL_MARKER = 'REPRO_KERNEL_ID';

export interface LeftoverProcess {
  pid: number;
  /** Its command line (shortened), or its name when the command line cannot be read. */
  command: string;
}

interface Owner {
  /** The kernel's pid: leader of its session and process group. */
  session: number;
  /** `REPRO_KERNEL_ID=<id>` as it appears in /proc/<pid>/environ. */
  markerEntry: string;
  /** Never reported or killed (the kernel itself, already handled by the caller). */
  except: number[];
}

/** The live processes in the kernel's session or carrying its marker. */
export function findLeftovers(owner: Owner): LeftoverProcess[] {
  let pids: number[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);
  } catch {
    return []; // no /proc: only the process group kill applies
  }
  const found: LeftoverProcess[] = [];
  for (const pid of pids) {
    if (pid === process.pid || owner.except.includes(pid)) continue;
    const stat = readStat(pid);
    if (!stat || stat.state === 'Z') continue; // gone, or dead and waiting for its parent
    if (stat.session === owner.session || stat.group === owner.session || carriesMarker(pid, owner.markerEntry)) {
      found.push({ pid, command: commandOf(pid, stat.name) });
    }
  }
  return found;
}

/**
 * Kills the kernel's leftover processes with SIGKILL, a few rounds in case one was starting another, and returns
 * them (each once) once they are gone or a short deadline has passed.
 */
export async function killLeftovers(owner: Owner): Promise<LeftoverProcess[]> {
  const killed = new Map<number, LeftoverProcess>();
  for (let round = 0; round < 5; round++) {
    const found = findLeftovers(owner);
    if (found.length === 0) break;
    for (const leftover of found) {
      if (!killed.has(leftover.pid)) killed.set(leftover.pid, leftover);
      try {
        process.kill(leftover.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    const deadline = Date.now() + 1_000;
    while (Date.now() < deadline && found.some((leftover) => alive(leftover.pid))) await sleep(10);
  }
  return [...killed.values()].sort((a, b) => a.pid - b.pid);
}

function alive(pid: number): boolean {
  const stat = readStat(pid);
  return stat !== undefined && stat.state !== 'Z';
}

function readStat(pid: number): { name: string; state: string; group: number; session: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    const [state, , group, session] = text.slice(close + 2).split(' ');
    return { name: text.slice(text.indexOf('(') + 1, close), state, group: Number(group), session: Number(session) };
  } catch {
    return undefined;
  }
}

function carriesMarker(pid: number, entry: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(entry);
  } catch {
    return false; // another user's, or gone
  }
}

function commandOf(pid: number, name: string): string {
  let command = '';
  try {
    command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    // Gone meanwhile: its name will do.
  }
  command ||= name;
  return command.length > 100 ? `${command.slice(0, 99)}…` : command;
}
