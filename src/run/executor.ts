// Runs a notebook's code cells in order on a started kernel, under per-cell and whole-notebook time limits,
// and stops at the first failure, returning the partial notebook with what went wrong and where. An error that is
// expected (a cell tagged raises-exception) or allowed (allowErrors) is kept in the cell and the run goes on.
import type { Progress } from '../cli/progress.ts';
import { formatDuration } from '../cli/progress.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { KernelDiedError, KernelTimeoutError, KernelUnresponsiveError, type ExecuteResult, type Kernel } from '../kernel/kernel.ts';
import type { Output } from '../kernel/outputs.ts';
import { allowedErrorWarning, judgeCellError, noErrorRaised, raisesException } from './expected-errors.ts';
import type { Notebook } from './notebook.ts';

export interface ExecuteNotebookOptions {
  /** How messages name the notebook (repository-relative path). */
  name: string;
  notebook: Notebook;
  kernel: Kernel;
  cellTimeoutMs: number;
  notebookTimeoutMs: number;
  progress: Progress;
  /** Index in `notebook.cells` of the cell injected for parameters, which is not in the source file. */
  injectedAt?: number;
  /** The OOM killer's count for this container (src/run/memory.ts); a kernel death that raised it ran out of memory. */
  oomKills?: () => number | undefined;
  /** The entrypoint's allowErrors: every cell may raise; each error is kept and named in `warnings`. */
  allowErrors?: boolean;
}

export interface CellFailure {
  /**
   * aborted: the kernel refused to run the cell (answered abort), which no tag or setting allows; no-error: cells
   * tagged raises-exception raised nothing (reported once every cell has run).
   */
  kind: 'error' | 'aborted' | 'timeout' | 'died' | 'no-error';
  /** 0-based index of the failing cell in the source notebook. */
  cellIndex: number;
  ename: string;
  evalue: string;
  traceback: string[];
}

export interface ExecutedNotebook {
  /** The executed (or, on failure, partially executed) notebook. */
  notebook: Notebook;
  failure?: CellFailure;
  /** Errors allowErrors let through, one line each: `cell 3 raised ZeroDivisionError (allowed)`. */
  warnings: string[];
  elapsedMs: number;
}

export async function executeNotebook(options: ExecuteNotebookOptions): Promise<ExecutedNotebook> {
  const { kernel, progress, name } = options;
  const started = Date.now();
  const notebookDeadline = started + options.notebookTimeoutMs;
  const displays = new Map<string, Output[]>();
  const cells = options.notebook.cells.map((cell) => ({ ...cell }));
  const notebook: Notebook = { ...options.notebook, cells };
  const codeCells = cells.filter((cell) => cell.cell_type === 'code').length;
  const oomBefore = options.oomKills?.();
  const outOfMemory = () => {
    const now = options.oomKills?.();
    return now !== undefined && oomBefore !== undefined && now > oomBefore;
  };
  const allowErrors = options.allowErrors ?? false;
  const warnings: string[] = [];
  const raisedNothing: number[] = [];
  /** The last cell sent raised an error that was expected or allowed. */
  let afterError = false;
  let seen = 0;
  for (const [index, cell] of cells.entries()) {
    if (cell.cell_type !== 'code') continue;
    seen++;
    // Failures are reported by the index in the file the user edits: the injected cell counts as the parameters cell.
    const at = options.injectedAt;
    const cellIndex = at === undefined || index < at ? index : index === at ? Math.max(at - 1, 0) : index - 1;
    // Like nbclient: a blank cell is not sent to the kernel and keeps no execution count.
    if (cell.source.trim() === '') {
      Object.assign(cell, { outputs: [], execution_count: null });
      continue;
    }
    const label = `${name} [${index === at ? 'parameters' : cellIndex}] ${firstLine(cell.source)}`;
    progress.update(`${label} (${seen}/${codeCells})`);
    const left = notebookDeadline - Date.now();
    const byNotebook = left < options.cellTimeoutMs;
    const timeoutMs = Math.max(1, Math.min(options.cellTimeoutMs, left));
    const cellStarted = Date.now();
    const tagged = raisesException(cell);
    let failure: CellFailure | undefined;
    if (!(await kernel.ping())) {
      failure = died(cellIndex, 'no heartbeat before the cell started', kernel.process.outputTail);
      Object.assign(cell, { outputs: [], execution_count: null });
    } else {
      try {
        // As nbclient: a cell that may raise does not ask the kernel to abort what is queued after an error.
        const request = { timeoutMs, displays, stopOnError: !(tagged || allowErrors) };
        const result: ExecuteResult = afterError ? await executeRetryingAbort(kernel, cell.source, request) : await kernel.execute(cell.source, request);
        Object.assign(cell, { outputs: result.outputs, execution_count: result.executionCount });
        if (result.incomplete) progress.log(`  ! ${name} cell ${cellIndex}: ${result.incomplete.trim()}`);
        if (result.status !== 'ok') {
          const error = result.error ?? { ename: 'Error', evalue: `the kernel answered ${result.status}`, traceback: [] };
          failure = { kind: result.status === 'abort' ? 'aborted' : 'error', cellIndex, ...error };
        }
      } catch (error) {
        if (error instanceof KernelTimeoutError) {
          const limit = byNotebook
            ? `the notebook's time limit (${formatDuration(options.notebookTimeoutMs)})`
            : `the cell time limit (${formatDuration(options.cellTimeoutMs)})`;
          const evalue = `cell ${cellIndex} did not finish within ${limit}`;
          failure = { kind: 'timeout', cellIndex, ename: 'TimeoutError', evalue, traceback: [`TimeoutError: ${evalue}`] };
          Object.assign(cell, { outputs: [...error.outputs, errorOutput(failure)], execution_count: null });
        } else if (error instanceof KernelDiedError) {
          const heapFull = error.outOfMemory;
          failure = outOfMemory() ? outOfMemoryFailure(cellIndex, error.how) : heapFull ? heapFailure(cellIndex, heapFull) : died(cellIndex, error.how, error.outputTail);
          Object.assign(cell, { outputs: [...error.outputs, errorOutput(failure)], execution_count: null });
        } else if (error instanceof KernelUnresponsiveError) {
          const evalue = `the kernel stopped answering its heartbeat while running cell ${cellIndex} (${error.how}); it was killed`;
          failure = { kind: 'died', cellIndex, ename: 'KernelUnresponsive', evalue, traceback: [`KernelUnresponsive: ${evalue}`] };
          Object.assign(cell, { outputs: [...error.outputs, errorOutput(failure)], execution_count: null });
        } else {
          throw error;
        }
      }
    }
    const took = formatDuration(Date.now() - cellStarted);
    const verdict = failure ? judgeCellError(failure.kind, tagged, allowErrors) : undefined;
    if (verdict === 'fail' && failure) {
      progress.log(`  ✗ ${label}  ${took}`);
      return { notebook, failure, warnings, elapsedMs: Date.now() - started };
    }
    afterError = failure !== undefined;
    if (failure) {
      if (verdict === 'allowed') warnings.push(allowedErrorWarning(cellIndex, failure.ename));
      progress.log(`  ✓ ${label}  ${took}  (raised ${failure.ename}, ${verdict === 'expected' ? 'as tagged' : 'allowed'})`);
    } else if (tagged) {
      raisedNothing.push(cellIndex);
      progress.log(`  ✗ ${label}  ${took}  (tagged raises-exception, raised no error)`);
    } else {
      progress.log(`  ✓ ${label}  ${took}`);
    }
  }
  // Reported once every cell has run, so the notebook kept aside is complete.
  const failure: CellFailure | undefined = raisedNothing.length > 0 ? noErrorRaised(raisedNothing) : undefined;
  return { notebook, ...(failure ? { failure } : {}), warnings, elapsedMs: Date.now() - started };
}

/** How long a cell answered abort after an expected error is sent again (tslab takes 200 ms to accept requests). */
const abortRetryMs = 5_000;

/**
 * tslab and jslab answer abort to every request for 200 ms after an error, whatever stop_on_error says (their task
 * queue is reset 200 ms later). An aborted request never ran, so after an expected or allowed error the next cell is
 * sent again, with short pauses, until the kernel takes it (or abortRetryMs has passed).
 */
async function executeRetryingAbort(kernel: Kernel, source: string, request: Parameters<Kernel['execute']>[1]): Promise<ExecuteResult> {
  const started = Date.now();
  const retryUntil = started + Math.min(request.timeoutMs, abortRetryMs);
  let pause = 20;
  for (;;) {
    const timeoutMs = Math.max(1, started + request.timeoutMs - Date.now());
    const result = await kernel.execute(source, { ...request, timeoutMs });
    if (result.status !== 'abort' || Date.now() + pause >= retryUntil) return result;
    await sleep(pause);
    pause = Math.min(pause * 2, 160);
  }
}

function died(cellIndex: number, how: string, tail: string): CellFailure {
  const evalue = `the kernel died while running cell ${cellIndex} (${how})`;
  const lastLines = tail.trimEnd().split('\n').slice(-10).filter((line) => line !== '');
  return { kind: 'died', cellIndex, ename: 'KernelDied', evalue, traceback: [`KernelDied: ${evalue}`, ...lastLines] };
}

function outOfMemoryFailure(cellIndex: number, how: string): CellFailure {
  const evalue = `cell ${cellIndex} ran out of memory: the kernel was killed at the container's memory limit (${how})`;
  return { kind: 'died', cellIndex, ename: 'OutOfMemory', evalue, traceback: [`OutOfMemory: ${evalue}`, 'Raise run.memory in research.yaml, or use less memory in this cell.'] };
}

/** A tslab or jslab kernel whose JavaScript heap was full: Node's one-line report, not its native stack frames. */
function heapFailure(cellIndex: number, report: string): CellFailure {
  const evalue = `cell ${cellIndex} ran out of memory: ${report}`;
  const hint = 'Use less memory in this cell, or give Node a larger heap: NODE_OPTIONS=--max-old-space-size=<MB>, listed under run.env in research.yaml.';
  return { kind: 'died', cellIndex, ename: 'OutOfMemory', evalue, traceback: [`OutOfMemory: ${evalue}`, hint] };
}

function errorOutput(failure: CellFailure): Output {
  return { output_type: 'error', ename: failure.ename, evalue: failure.evalue, traceback: failure.traceback };
}

function firstLine(source: string): string {
  const line = source.split('\n').find((l) => l.trim() !== '') ?? '';
  const trimmed = line.trim();
  return trimmed.length > 60 ? `${trimmed.slice(0, 59)}…` : trimmed;
}
