// The kernel's operating-system process: spawned in its own process group, watched for exit, and always
// reaped, including when repro itself is stopped with Ctrl-C or SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Watchdog } from './watchdog.ts';

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class KernelProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<ExitStatus>;
  status: ExitStatus | undefined;
  #tail = '';

  /** A folder of ours (the connection file's) to delete if repro is stopped before the kernel shuts down. */
  readonly tempDir: string | undefined;
  /** Kills the kernel and removes `tempDir` if repro dies without doing so (see watchdog.ts). */
  readonly watchdog: Watchdog | undefined;
  /** `REPRO_KERNEL_ID=<id>` as in the environment of the kernel and of everything it starts. */
  readonly markerEntry: string | undefined;

  constructor(argv: string[], options: { cwd: string; env: NodeJS.ProcessEnv; tempDir?: string; markerEntry?: string }) {
    this.tempDir = options.tempDir;
    this.markerEntry = options.markerEntry;
    // Own process group (detached) so that stopping it also stops anything a notebook started.
    this.child = spawn(argv[0], argv.slice(1), { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const spawnError = new Promise<ExitStatus>((resolve) => {
      this.child.once('error', (error) => {
        this.#keep(`${error.message}\n`);
        resolve({ code: 127, signal: null });
      });
    });
    const exit = new Promise<ExitStatus>((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal }))).then(async (status) => {
      // 'exit' can come before the last of stderr (Node's fatal out-of-memory report); a process the notebook
      // started may hold the pipes open, so wait for their end only briefly.
      const ended = [this.child.stdout, this.child.stderr].filter((s) => s !== null && !s.readableEnded).map((s) => once(s!, 'end').catch(() => undefined));
      await Promise.race([Promise.all(ended), sleep(250)]);
      return status;
    });
    this.exited = Promise.race([exit, spawnError]).then((status) => {
      this.status = status;
      live.delete(this);
      updateSignalHandlers();
      return status;
    });
    this.pid = this.child.pid ?? -1;
    this.child.stdout?.on('data', (chunk: Buffer) => this.#keep(chunk.toString('utf8')));
    this.child.stderr?.on('data', (chunk: Buffer) => this.#keep(chunk.toString('utf8')));
    if (this.pid > 0) {
      live.add(this);
      updateSignalHandlers();
      if (options.tempDir !== undefined && options.markerEntry !== undefined) this.watchdog = new Watchdog(this.pid, options.tempDir, options.markerEntry);
    }
  }

  get alive(): boolean {
    return this.status === undefined && this.pid > 0;
  }

  /** The last few kilobytes the kernel printed outside any cell (start-up errors, crashes). */
  get outputTail(): string {
    return this.#tail;
  }

  signal(signal: NodeJS.Signals): void {
    if (!this.alive) return;
    try {
      process.kill(this.pid, signal);
    } catch {
      // Already gone: the exit handler will notice.
    }
  }

  /** Kills the whole process group; harmless when it is already gone. */
  killGroup(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.pid <= 0) return;
    try {
      process.kill(-this.pid, signal);
    } catch {
      // ESRCH: nothing left in the group.
    }
  }

  #keep(text: string): void {
    this.#tail = (this.#tail + text).slice(-8192);
  }
}

const live = new Set<KernelProcess>();
let handlersInstalled = false;

function killAllAndExit(signal: NodeJS.Signals): void {
  // A command that owns Ctrl-C (src/cli/signals.ts) stops its kernels through its AbortSignal and exits itself; this
  // handler is the fallback for code that does not.
  if (process.listenerCount(signal) > 1) return;
  // process.exit runs the 'exit' listeners: onExit kills the kernels and removes their files.
  process.exit(signal === 'SIGINT' ? 130 : 143);
}
const onSigint = () => killAllAndExit('SIGINT');
const onSigterm = () => killAllAndExit('SIGTERM');
const onExit = () => {
  for (const kernel of live) {
    kernel.killGroup('SIGKILL');
    if (kernel.tempDir) rmSync(kernel.tempDir, { recursive: true, force: true });
  }
};

/** While a kernel lives, a signal to repro must not orphan it: its own process group would not receive Ctrl-C. */
function updateSignalHandlers(): void {
  if (live.size > 0 && !handlersInstalled) {
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigterm);
    process.on('exit', onExit);
    handlersInstalled = true;
  } else if (live.size === 0 && handlersInstalled) {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
    process.off('exit', onExit);
    handlersInstalled = false;
  }
}
