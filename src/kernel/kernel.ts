// A running Jupyter kernel and the client speaking to it over ZeroMQ: start, kernel_info, execute, interrupt,
// heartbeat, shutdown. Every way out (shutdown, death, timeout) leaves no process, socket or file behind.
import { rm } from 'node:fs/promises';
import { Dealer, Request, Subscriber } from 'zeromq';
import { writeConnectionFile, type ConnectionFile } from './connection.ts';
import { findKernelSpec, type KernelSpec } from './kernelspec.ts';
import { dropTrailingStderr, errorFromStderr, OutputCollector, type Output } from './outputs.ts';
import { KernelProcess, type ExitStatus } from './process.ts';
import { Session, type Message } from './protocol.ts';

export interface StartOptions {
  /** The kernel's working directory: the notebook's folder, as in Jupyter. */
  cwd: string;
  /** Added to (and overriding) the base environment. */
  env?: Record<string, string>;
  /** What the kernel inherits before `env`: default this process's environment (the run stage passes an allow-list). */
  baseEnv?: NodeJS.ProcessEnv;
  spec?: KernelSpec;
  startupTimeoutMs?: number;
}

export interface ExecuteResult {
  status: 'ok' | 'error' | 'abort';
  executionCount: number | null;
  outputs: Output[];
  error?: { ename: string; evalue: string; traceback: string[] };
}

/** The kernel process exited (or stopped answering its heartbeat). */
export class KernelDiedError extends Error {
  constructor(
    readonly how: string,
    readonly outputs: Output[] = [],
    readonly outputTail = '',
  ) {
    super(`the kernel died (${how})`);
  }
}

/** A request ran past its deadline. `interrupted` says whether the kernel stopped the cell when asked to. */
export class KernelTimeoutError extends Error {
  constructor(
    readonly timeoutMs: number,
    readonly outputs: Output[],
    readonly interrupted: boolean,
  ) {
    super(`timed out after ${timeoutMs} ms`);
  }
}

const INTERRUPT_GRACE_MS = 5_000;
const SHUTDOWN_GRACE_MS = 2_000;

export async function startKernel(options: StartOptions): Promise<Kernel> {
  const spec = options.spec ?? findKernelSpec('tslab');
  const connection = await writeConnectionFile(spec.name);
  const argv = spec.argv.map((arg) => arg.replaceAll('{connection_file}', connection.file));
  const env: NodeJS.ProcessEnv = { ...(options.baseEnv ?? process.env), ...spec.env, ...options.env };
  // Colour codes in a notebook's text would make outputs depend on the terminal repro was started from.
  delete env.FORCE_COLOR;
  const kernel = new Kernel(spec, connection, new KernelProcess(argv, { cwd: options.cwd, env, tempDir: connection.dir }));
  try {
    await kernel.waitReady(options.startupTimeoutMs ?? 60_000);
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
  #stopped: Promise<void> | undefined;

  constructor(spec: KernelSpec, connection: ConnectionFile, kernelProcess: KernelProcess) {
    this.spec = spec;
    this.process = kernelProcess;
    this.#connection = connection;
    this.#session = new Session(connection.info.key);
    const routingId = `repro-${this.#session.id}`;
    this.#shell = new Dealer({ linger: 0, routingId });
    this.#stdin = new Dealer({ linger: 0, routingId });
    this.#control = new Dealer({ linger: 0 });
    this.#iopub = new Subscriber({ linger: 0 });
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

  /** Waits for kernel_info_reply, then until iopub delivers (a PUB socket drops what it sends before we subscribe). */
  async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const reply = await this.#within(this.request('kernel_info_request', {}), timeoutMs);
    this.info = reply.content;
    for (;;) {
      const { header, frames } = this.#session.request('kernel_info_request', {});
      const seen = new Promise<void>((resolve) => this.#broadcasts.set(header.msg_id, () => resolve()));
      const answered = new Promise<Message>((resolve) => this.#replies.set(header.msg_id, resolve));
      await this.#shell.send(frames);
      const left = deadline - Date.now();
      if (left <= 0) throw new KernelTimeoutError(timeoutMs, [], false);
      const ok = await this.#within(seen.then(() => true), Math.min(250, left)).catch((error: unknown) => {
        if (error instanceof KernelTimeoutError) return false;
        throw error;
      });
      try {
        await this.#within(answered, Math.max(deadline - Date.now(), 1));
      } finally {
        this.#broadcasts.delete(header.msg_id);
        this.#replies.delete(header.msg_id);
      }
      if (ok) break;
    }
    if (!(await this.ping(Math.max(deadline - Date.now(), 1000)))) throw new KernelDiedError('no heartbeat');
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
   * Runs code and collects its outputs until both execute_reply and the idle status have arrived (iopub messages
   * can follow the reply). On timeout it interrupts the kernel and waits a short grace for the cell to stop.
   */
  async execute(code: string, options: { timeoutMs: number; displays?: Map<string, Output[]> }): Promise<ExecuteResult> {
    const collector = new OutputCollector(options.displays);
    let lastStderr: string | undefined;
    const { header, frames } = this.#session.request('execute_request', {
      code,
      silent: false,
      store_history: true,
      user_expressions: {},
      allow_stdin: false,
      stop_on_error: true,
    });
    let markIdle: () => void = () => undefined;
    const idle = new Promise<void>((resolve) => (markIdle = resolve));
    this.#broadcasts.set(header.msg_id, (message) => {
      if (message.header.msg_type === 'status') {
        if (message.content.execution_state === 'idle') markIdle();
        return;
      }
      if (!collector.add(message)) return;
      // Only a stderr chunk that is the cell's last output can be tslab's report of the exception.
      const isStderr = message.header.msg_type === 'stream' && message.content.name === 'stderr';
      lastStderr = isStderr ? String(message.content.text ?? '') : undefined;
    });
    const reply = new Promise<Message>((resolve) => this.#replies.set(header.msg_id, resolve));
    const done = Promise.all([reply, idle]).then(([message]) => message);
    try {
      await this.#shell.send(frames);
      let message: Message;
      try {
        message = await this.#within(done, options.timeoutMs);
      } catch (error) {
        if (error instanceof KernelDiedError) throw new KernelDiedError(error.how, collector.outputs, this.process.outputTail);
        if (!(error instanceof KernelTimeoutError)) throw error;
        this.interrupt();
        const stopped = await this.#within(done, INTERRUPT_GRACE_MS).then(() => true, () => false);
        // What the kernel printed about our interrupt is noise next to the timeout the caller reports.
        if (stopped) dropTrailingStderr(collector.outputs, lastStderr);
        throw new KernelTimeoutError(options.timeoutMs, collector.outputs, stopped);
      }
      const status = message.content.status === 'ok' ? 'ok' : message.content.status === 'abort' ? 'abort' : 'error';
      const count = typeof message.content.execution_count === 'number' ? message.content.execution_count : null;
      const result: ExecuteResult = { status, executionCount: count, outputs: collector.outputs };
      if (status === 'error') {
        const reported = collector.outputs.find((output) => output.output_type === 'error');
        const error = reported?.output_type === 'error' ? reported : errorFromStderr(collector.outputs, lastStderr);
        result.error = { ename: error.ename, evalue: error.evalue, traceback: error.traceback };
      }
      return result;
    } finally {
      this.#replies.delete(header.msg_id);
      this.#broadcasts.delete(header.msg_id);
    }
  }

  /** Interrupts the running cell: SIGINT for signal-mode kernels (tslab), interrupt_request otherwise. */
  interrupt(): void {
    if (this.spec.interruptMode === 'signal') this.process.signal('SIGINT');
    else void this.request('interrupt_request', {}, 'control').catch(() => undefined);
  }

  /** One heartbeat round trip; false when the kernel does not echo within the deadline. */
  async ping(timeoutMs = 2_000): Promise<boolean> {
    if (!this.process.alive) return false;
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

  /** shutdown_request on control, then the process group is killed if it has not exited. Idempotent. */
  shutdown(): Promise<void> {
    this.#stopped ??= this.#shutdown();
    return this.#stopped;
  }

  async #shutdown(): Promise<void> {
    if (this.process.alive) {
      await this.#within(this.request('shutdown_request', { restart: false }, 'control'), 1_000).catch(() => undefined);
      const exited = await this.#within(this.process.exited, SHUTDOWN_GRACE_MS).then(() => true, () => false);
      if (!exited) {
        this.process.killGroup('SIGKILL');
        await this.process.exited;
      }
    }
    // Anything the notebook started in the kernel's process group goes too.
    this.process.killGroup('SIGKILL');
    for (const socket of [this.#shell, this.#control, this.#stdin, this.#iopub, this.#hb]) socket.close();
    await rm(this.#connection.dir, { recursive: true, force: true });
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
