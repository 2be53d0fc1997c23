// How a request to a kernel can fail besides an error in the cell: the kernel died, froze, or ran out of time.
import { heapExhausted, type Output } from './outputs.ts';

/** The kernel process exited. */
export class KernelDiedError extends Error {
  constructor(
    readonly how: string,
    readonly outputs: Output[] = [],
    readonly outputTail = '',
  ) {
    super(`the kernel died (${how})`);
  }

  /** Node's fatal report when a tslab or jslab kernel's JavaScript heap was full, from the kernel's stderr. */
  get outOfMemory(): string | undefined {
    return heapExhausted(this.outputTail);
  }
}

/**
 * A request ran past its deadline. `interrupted` says whether the kernel stopped the cell when asked to; at
 * start-up, `step` names what did not come and `outputTail` holds what the kernel printed.
 */
export class KernelTimeoutError extends Error {
  constructor(
    readonly timeoutMs: number,
    readonly outputs: Output[],
    readonly interrupted: boolean,
    readonly step?: string,
    readonly outputTail = '',
  ) {
    super(`timed out after ${timeoutMs} ms${step === undefined ? '' : ` (${step})`}`);
  }
}

/** The kernel stopped answering its heartbeat while a cell ran (liveness.ts says when that counts). */
export class KernelUnresponsiveError extends Error {
  constructor(
    readonly how: string,
    readonly outputs: Output[] = [],
  ) {
    super(`the kernel stopped answering its heartbeat (${how})`);
  }
}
