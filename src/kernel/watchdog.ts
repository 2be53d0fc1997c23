// The kernel dies with repro. Linux's parent-death signal is out of Node's reach, so each kernel gets a watchdog: a
// tiny shell in a session of its own (Ctrl-C on repro's terminal does not reach it) that reads a pipe from repro.
// End of file on that pipe without a "done" first means repro is gone (SIGKILL, the OOM killer): the watchdog kills
// the kernel's process group and every process carrying the kernel's marker, and removes the private folder that
// holds the connection file and its key.
import { spawn, type ChildProcess } from 'node:child_process';

const script = [
  'IFS= read -r line',
  '[ "$line" = done ] && exit 0',
  'kill -KILL -- "-$1" 2>/dev/null',
  'for file in $(grep -lxzF -e "$3" /proc/[0-9]*/environ 2>/dev/null); do',
  '  pid=${file#/proc/}; kill -KILL "${pid%/environ}" 2>/dev/null',
  'done',
  'rm -rf -- "$2"',
].join('\n');

export class Watchdog {
  readonly #child: ChildProcess;

  /** Watches for repro's death on behalf of the kernel `pid` (its process group), its `dir` and its marker entry. */
  constructor(pid: number, dir: string, markerEntry: string) {
    this.#child = spawn('/bin/sh', ['-c', script, 'repro-watchdog', String(pid), dir, markerEntry], {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
      env: { PATH: '/usr/bin:/bin', LC_ALL: 'C' },
    });
    // No /bin/sh (not Linux-like): the signal handlers still clean up on any exit but SIGKILL.
    this.#child.on('error', () => undefined);
    this.#child.stdin?.on('error', () => undefined);
    // Neither the watchdog nor its pipe may keep repro running.
    this.#child.unref();
    (this.#child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** repro has cleaned up itself: the watchdog exits without touching anything. */
  release(): void {
    this.#child.stdin?.end('done\n');
  }
}
