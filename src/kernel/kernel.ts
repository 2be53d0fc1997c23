// A running Jupyter kernel and the client speaking to it over ZeroMQ: start, kernel_info, execute, interrupt,
// heartbeat, shutdown. Every way out (shutdown, death, timeout, repro killed) leaves no process, socket or file behind.
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { Dealer, Request, Subscriber } from 'zeromq';
import { writeConnectionFile, type ConnectionFile } from './connection.ts';
import { findKernelSpec, type KernelSpec } from './kernelspec.ts';
import { KERNEL_MARKER, killLeftovers, type LeftoverProcess } from './leftovers.ts';
import { KernelDiedError, KernelTimeoutError, KernelUnresponsiveError } from './failures.ts';
import { BUSY_TICKS, heartbeatIsThreaded, processCpuTicks, watchHeartbeat } from './liveness.ts';
import { MessageCount } from './message-count.ts';
import { dropTrailingStderr, errorFromStderr, lostOutputNote, OutputCollector, type Output } from './outputs.ts';
import { KernelProcess, type ExitStatus } from './process.ts';
import { Session, type Message } from './protocol.ts';
import { cellTraceback } from './tslab-lines.ts';
import { isTslab, withSynchronousSends } from './tslab-send.ts';

export { KernelDiedError, KernelTimeoutError, KernelUnresponsiveError } from './failures.ts';
export type { LeftoverProcess } from './leftovers.ts';

export interface StartOptions {
  /** The kernel's working directory: the notebook's folder, as in Jupyter. */
  cwd: string;
  /** Added to (and overriding) the base environment. */
  env?: Record<string, string>;
  /** What the kernel inherits before `env`: default this process's environment (the run stage passes an allow-list). */
  baseEnv?: NodeJS.ProcessEnv;
  spec?: KernelSpec;
  /** How long the kernel has to answer kernel_info and deliver on iopub (default 60 s). */
  startupTimeoutMs?: number;
  /** Called with the reason when a kernel that did not start is started once more. */
  onRestart?: (reason: string) => void;
}

export interface ExecuteResult {
  status: 'ok' | 'error' | 'abort';
  executionCount: number | null;
  outputs: Output[];
  error?: { ename: string; evalue: string; traceback: string[] };
  /** Set when the kernel's messages stopped before its idle status: the note also written into `outputs`. */
  incomplete?: string;
}

const INTERRUPT_GRACE_MS = 5_000;
const SHUTDOWN_GRACE_MS = 2_000;
/**
 * After execute_reply, how long the iopub messages may pause (the kernel using no CPU) before the idle status is
 * taken as lost. 3 s was too short on a loaded machine: tslab's idle came 3–5 s after a slow cell's reply.
 */
export const IDLE_GRACE_MS = 10_000;

/**
 * Starts a kernel and waits until it answers. A kernel that has not answered within half the start-up time (or
 * died on a port taken in the moment between choosing its ports and binding them) is killed and started once
 * more on fresh ports, with the whole start-up time: `onRestart` says why. A slow kernel still gets its time; a
 * stuck one costs half of it, not the run.
 */
export async function startKernel(options: StartOptions): Promise<Kernel> {
  const timeoutMs = options.startupTimeoutMs ?? 60_000;
  try {
    return await startOnce(options, Math.ceil(timeoutMs / 2));
  } catch (error) {
    if (!restartable(error)) throw error;
    options.onRestart?.(error.message);
    return await startOnce(options, timeoutMs);
  }
}

function restartable(error: unknown): error is Error {
  if (error instanceof KernelTimeoutError) return true;
  return error instanceof KernelDiedError && /EADDRINUSE|Address already in use/.test(error.outputTail);
}

async function startOnce(options: StartOptions, timeoutMs: number): Promise<Kernel> {
  const spec = options.spec ?? findKernelSpec('tslab');
  const connection = await writeConnectionFile(spec.name);
  const argv = spec.argv.map((arg) => arg.replaceAll('{connection_file}', connection.file));
  // Every process the notebook starts inherits the marker, even one that leaves the kernel's session (leftovers.ts).
  const id = randomUUID();
  let env: NodeJS.ProcessEnv = { ...(options.baseEnv ?? process.env), ...spec.env, ...options.env, [KERNEL_MARKER]: id };
  // Colour codes in a notebook's text would make outputs depend on the terminal repro was started from.
  delete env.FORCE_COLOR;
  if (isTslab(spec)) env = await withSynchronousSends(connection.dir, env);
  const kernelProcess = new KernelProcess(argv, { cwd: options.cwd, env, tempDir: connection.dir, markerEntry: `${KERNEL_MARKER}=${id}` });
  const kernel = new Kernel(spec, connection, kernelProcess);
  try {
    await kernel.waitReady(timeoutMs);
  } catch (error) {
    await kernel.shutdown();
    throw error;
  }
  return kernel;
}

type Listener = (message: Message) => void;

export class Kernel {
  readonly spec: KernelSpec;
  readonly process: KernelProcess;
  /** kernel_info_reply's content (language_info, implementation…). */
  info: Record<string, unknown> = {};
  readonly #connection: ConnectionFile;
  readonly #session: Session;
  readonly #shell: Dealer;
  readonly #control: Dealer;
  readonly #stdin: Dealer;
  readonly #iopub: Subscriber;
  #hb: Request;
  readonly #replies = new Map<string, Listener>();
  readonly #broadcasts = new Map<string, Listener>();
  readonly #died: Promise<never>;
  #stopped: Promise<LeftoverProcess[]> | undefined;
  /** Heartbeat round trips run one at a time: a REQ socket cannot send twice. */
  #pinging: Promise<unknown> = Promise.resolve();
  /** Frozen: shutdown does not ask it politely first. */
  #unresponsive = false;
  readonly #count = new MessageCount();

  constructor(spec: KernelSpec, connection: ConnectionFile, kernelProcess: KernelProcess) {
    this.spec = spec;
    this.process = kernelProcess;
    this.#connection = connection;
    this.#session = new Session(connection.info.key);
    const routingId = `repro-${this.#session.id}`;
    this.#shell = new Dealer({ linger: 0, routingId });
    this.#stdin = new Dealer({ linger: 0, routingId });
    this.#control = new Dealer({ linger: 0 });
    // No receive high-water mark: a burst of output is queued here rather than dropped while we parse it.
    this.#iopub = new Subscriber({ linger: 0, receiveHighWaterMark: 0 });
    this.#hb = new Request({ linger: 0 });
    this.#iopub.subscribe();
    const address = (port: number) => `tcp://${connection.info.ip}:${port}`;
    this.#shell.connect(address(connection.info.shell_port));
    this.#stdin.connect(address(connection.info.stdin_port));
    this.#control.connect(address(connection.info.control_port));
    this.#iopub.connect(address(connection.info.iopub_port));
    this.#hb.connect(address(connection.info.hb_port));
    for (const socket of [this.#shell, this.#control]) void this.#receive(socket, this.#replies);
    void this.#receive(this.#iopub, this.#broadcasts);
    this.#died = kernelProcess.exited.then((status) => {
      throw new KernelDiedError(describeExit(status), [], kernelProcess.outputTail);
    });
    this.#died.catch(() => undefined);
  }

  get pid(): number {
    return this.process.pid;
  }

  /**
   * Waits for kernel_info_reply, then until iopub delivers (a PUB socket drops what it sends before we subscribe),
   * then for the heartbeat. A timeout names the step that did not come, with what the kernel printed.
   */
  async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const timedOut = (step: string) => new KernelTimeoutError(timeoutMs, [], false, step, this.process.outputTail);
    const reply = await this.#within(this.request('kernel_info_request', {}), timeoutMs).catch((error: unknown) => {
      throw error instanceof KernelTimeoutError ? timedOut('no reply to kernel_info_request on its shell port') : error;
    });
    this.info = reply.content;
    for (;;) {
      const { header, frames } = this.#session.request('kernel_info_request', {});
      const seen = new Promise<void>((resolve) => this.#broadcasts.set(header.msg_id, () => resolve()));
      const answered = new Promise<Message>((resolve) => this.#replies.set(header.msg_id, resolve));
      await this.#shell.send(frames);
      const left = deadline - Date.now();
      const silentIopub = 'it replied on shell, but nothing arrived on its iopub port';
      if (left <= 0) throw timedOut(silentIopub);
      const ok = await this.#within(seen.then(() => true), Math.min(250, left)).catch((error: unknown) => {
        if (error instanceof KernelTimeoutError) return false;
        throw error;
      });
      try {
        await this.#within(answered, Math.max(deadline - Date.now(), 1));
      } catch (error) {
        throw error instanceof KernelTimeoutError ? timedOut(ok ? 'no reply to a second kernel_info_request' : silentIopub) : error;
      } finally {
        this.#broadcasts.delete(header.msg_id);
        this.#replies.delete(header.msg_id);
      }
      if (ok) break;
    }
    if (!(await this.ping(Math.max(deadline - Date.now(), 1000)))) throw new KernelDiedError('no heartbeat', [], this.process.outputTail);
    this.#count.baseline();
  }

  /** Sends a request on shell (or control) and resolves with its reply. */
  async request(msgType: string, content: object, channel: 'shell' | 'control' = 'shell'): Promise<Message> {
    const { header, frames } = this.#session.request(msgType, content);
    const reply = new Promise<Message>((resolve) => this.#replies.set(header.msg_id, resolve));
    await (channel === 'shell' ? this.#shell : this.#control).send(frames);
    try {
      return await Promise.race([reply, this.#died]);
    } finally {
      this.#replies.delete(header.msg_id);
    }
  }

  /**
   * Runs code and collects its outputs until execute_reply and then the idle status have arrived (iopub messages
   * can follow the reply). Meanwhile the heartbeat is watched, so a frozen kernel fails in seconds. If idle does
   * not come within IDLE_GRACE_MS of the last message after the reply, the kernel's messages were lost: the cell
   * ends with what arrived and a note saying so. On timeout it interrupts the kernel and waits a short grace.
   */
  async execute(code: string, options: { timeoutMs: number; displays?: Map<string, Output[]>; stopOnError?: boolean }): Promise<ExecuteResult> {
    const collector = new OutputCollector(options.displays);
    const deadline = Date.now() + options.timeoutMs;
    let lastStderr: string | undefined;
    let lastHeard = Date.now();
    const { header, frames } = this.#session.request('execute_request', {
      code,
      silent: false,
      store_history: true,
      user_expressions: {},
      allow_stdin: false,
      // true (the default): after an error the kernel aborts requests already queued; false for a cell that may raise.
      stop_on_error: options.stopOnError ?? true,
    });
    let markIdle: (msgId: string) => void = () => undefined;
    const idle = new Promise<string>((resolve) => (markIdle = resolve));
    this.#broadcasts.set(header.msg_id, (message) => {
      lastHeard = Date.now();
      if (message.header.msg_type === 'status') {
        if (message.content.execution_state === 'idle') markIdle(message.header.msg_id);
        return;
      }
      if (!collector.add(message)) return;
      // Only a stderr chunk that is the cell's last output can be tslab's report of the exception.
      const isStderr = message.header.msg_type === 'stream' && message.content.name === 'stderr';
      lastStderr = isStderr ? String(message.content.text ?? '') : undefined;
    });
    const reply = new Promise<Message>((resolve) => this.#replies.set(header.msg_id, resolve));
    const watching = new AbortController();
    const frozen = watchHeartbeat({ ping: (ms) => this.ping(ms), pid: this.pid, threaded: heartbeatIsThreaded(this.info), signal: watching.signal });
    frozen.catch(() => undefined);
    try {
      await this.#shell.send(frames);
      let message: Message;
      let idleCame: boolean;
      let dropped = 0;
      try {
        message = await this.#within(Promise.race([reply, frozen]), options.timeoutMs);
        idleCame = await this.#settle(Promise.race([idle, frozen]), () => lastHeard, Math.max(deadline, Date.now() + IDLE_GRACE_MS));
        // Nothing is still on its way once idle is here: a message number not seen by now was dropped.
        if (idleCame) dropped = this.#count.missingUpTo(await idle);
      } catch (error) {
        if (error instanceof KernelDiedError) throw new KernelDiedError(error.how, collector.outputs, this.process.outputTail);
        if (error instanceof KernelUnresponsiveError) {
          this.#unresponsive = true;
          throw new KernelUnresponsiveError(error.how, collector.outputs);
        }
        if (!(error instanceof KernelTimeoutError)) throw error;
        const stopped = await this.#interruptAndWait(reply, idle, () => lastHeard);
        // What the kernel printed about our interrupt is noise next to the timeout the caller reports.
        if (stopped) dropTrailingStderr(collector.outputs, lastStderr);
        throw new KernelTimeoutError(options.timeoutMs, collector.outputs, stopped);
      }
      const status = message.content.status === 'ok' ? 'ok' : message.content.status === 'abort' ? 'abort' : 'error';
      const count = typeof message.content.execution_count === 'number' ? message.content.execution_count : null;
      const result: ExecuteResult = { status, executionCount: count, outputs: collector.outputs };
      if (status === 'error') {
        const reported = collector.outputs.find((output) => output.output_type === 'error');
        const error = reported?.output_type === 'error' ? reported : errorFromStderr(collector.outputs, lastStderr, (lines) => this.#cellLines(lines, code));
        result.error = { ename: error.ename, evalue: error.evalue, traceback: error.traceback };
      }
      if (!idleCame || dropped > 0) {
        result.incomplete = lostOutputNote(idleCame ? { dropped } : { graceMs: IDLE_GRACE_MS });
        result.outputs.push({ output_type: 'stream', name: 'stderr', text: result.incomplete });
      }
      return result;
    } finally {
      watching.abort();
      this.#replies.delete(header.msg_id);
      this.#broadcasts.delete(header.msg_id);
    }
  }

  /** After a timeout: interrupts the cell and says whether it stopped (its reply came) within a short grace. */
  async #interruptAndWait(reply: Promise<Message>, idle: Promise<unknown>, lastHeard: () => number): Promise<boolean> {
    this.interrupt();
    const graceEnd = Date.now() + INTERRUPT_GRACE_MS;
    return this.#within(reply, INTERRUPT_GRACE_MS).then(
      () => this.#settle(idle, lastHeard, Math.max(graceEnd, Date.now() + 500)).then(() => true),
      () => false,
    );
  }

  /**
   * Waits for `arrived` until IDLE_GRACE_MS after the last message or `deadline`, whichever is first; true if it
   * came. A silent kernel that is still using CPU (a busy thread holds back its idle status, and a loaded machine
   * stretches that) is given more time, up to the deadline: only a kernel silent and doing nothing has lost it.
   */
  async #settle(arrived: Promise<unknown>, lastHeard: () => number, deadline: number): Promise<boolean> {
    let busyAt = 0;
    let ticks = processCpuTicks(this.pid);
    for (;;) {
      const wait = Math.min(Math.max(lastHeard(), busyAt) + IDLE_GRACE_MS, deadline) - Date.now();
      if (wait <= 0) {
        const now = processCpuTicks(this.pid);
        const working = now !== undefined && ticks !== undefined && now - ticks > BUSY_TICKS;
        if (!working || Date.now() >= deadline) return false;
        ticks = now;
        busyAt = Date.now();
        continue;
      }
      const came = await this.#within(arrived.then(() => true), wait).catch((error: unknown) => {
        if (error instanceof KernelTimeoutError) return false;
        throw error;
      });
      if (came) return true;
    }
  }

  /** tslab's and jslab's frames count lines of the compiled cell: point them at the cell's own lines. */
  #cellLines(lines: string[], code: string): string[] {
    if (!isTslab(this.spec)) return lines;
    return cellTraceback(lines, code, this.info.implementation === 'jslab');
  }

  /** Interrupts the running cell: SIGINT for signal-mode kernels (tslab), interrupt_request otherwise. */
  interrupt(): void {
    if (this.spec.interruptMode === 'signal') this.process.signal('SIGINT');
    else void this.request('interrupt_request', {}, 'control').catch(() => undefined);
  }

  /** One heartbeat round trip; false when the kernel does not echo within the deadline. */
  ping(timeoutMs = 2_000): Promise<boolean> {
    const answered = this.#pinging.then(() => this.#pingOnce(timeoutMs));
    this.#pinging = answered;
    return answered;
  }

  async #pingOnce(timeoutMs: number): Promise<boolean> {
    if (!this.process.alive || this.#stopped) return false;
    try {
      await this.#hb.send('ping');
      await this.#within(this.#hb.receive(), timeoutMs);
      return true;
    } catch {
      // A REQ socket that missed its reply cannot send again: start a fresh one for the next ping.
      this.#hb.close();
      this.#hb = new Request({ linger: 0 });
      this.#hb.connect(`tcp://${this.#connection.info.ip}:${this.#connection.info.hb_port}`);
      return false;
    }
  }

  /**
   * shutdown_request on control (not to a frozen kernel), then the process is killed if it has not exited; then
   * every process the notebook left running, detached ones too, is killed and returned. Idempotent.
   */
  shutdown(): Promise<LeftoverProcess[]> {
    this.#stopped ??= this.#shutdown();
    return this.#stopped;
  }

  async #shutdown(): Promise<LeftoverProcess[]> {
    if (this.process.alive && !this.#unresponsive) {
      await this.#within(this.request('shutdown_request', { restart: false }, 'control'), 1_000).catch(() => undefined);
      await this.#within(this.process.exited, SHUTDOWN_GRACE_MS).catch(() => undefined);
    }
    if (this.process.alive) {
      this.process.signal('SIGKILL');
      await this.process.exited;
    }
    const markerEntry = this.process.markerEntry ?? `${KERNEL_MARKER}=`;
    const leftovers = this.pid > 0 ? await killLeftovers({ session: this.pid, markerEntry, except: [this.pid] }) : [];
    // Anything else still in the kernel's process group goes too.
    this.process.killGroup('SIGKILL');
    for (const socket of [this.#shell, this.#control, this.#stdin, this.#iopub, this.#hb]) socket.close();
    await rm(this.#connection.dir, { recursive: true, force: true });
    this.process.watchdog?.release();
    return leftovers;
  }

  async #receive(socket: Dealer | Subscriber, listeners: Map<string, Listener>): Promise<void> {
    try {
      for await (const frames of socket) {
        let message: Message;
        try {
          message = this.#session.parse(frames);
        } catch {
          continue; // unsigned or malformed: ignored, as the spec asks
        }
        this.#count.see(message.header.msg_id);
        const parent = message.parent_header.msg_id;
        if (parent !== undefined) listeners.get(parent)?.(message);
      }
    } catch {
      // The socket was closed while waiting: the kernel is being shut down.
    }
  }

  /** Resolves with the promise, or rejects on the deadline or when the kernel dies, whichever comes first. */
  #within<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new KernelTimeoutError(timeoutMs, [], false)), timeoutMs);
    });
    return Promise.race([promise, deadline, this.#died]).finally(() => clearTimeout(timer));
  }
}

function describeExit(status: ExitStatus): string {
  if (status.signal) return `killed by ${status.signal}`;
  return `exit code ${status.code}`;
}
