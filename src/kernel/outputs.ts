// Turns iopub messages into nbformat 4 outputs: streams merged, displays updated by id, clear_output honoured.
import { isObject, type Message } from './protocol.ts';

export type MimeBundle = Record<string, unknown>;

export type Output =
  | { output_type: 'stream'; name: 'stdout' | 'stderr'; text: string }
  | { output_type: 'display_data'; data: MimeBundle; metadata: Record<string, unknown> }
  | { output_type: 'execute_result'; execution_count: number | null; data: MimeBundle; metadata: Record<string, unknown> }
  | { output_type: 'error'; ename: string; evalue: string; traceback: string[] };

/**
 * Collects the outputs of one execute request. Display ids are shared across cells (an update may target an
 * earlier cell), so the notebook-wide `displays` map is passed in by the caller.
 */
export class OutputCollector {
  readonly outputs: Output[] = [];
  #clearPending = false;
  #displays: Map<string, Output[]>;

  constructor(displays: Map<string, Output[]> = new Map()) {
    this.#displays = displays;
  }

  /** Returns true when the message was an output (stream, display, result, error, clear). */
  add(message: Message): boolean {
    const content = message.content;
    switch (message.header.msg_type) {
      case 'stream': {
        const name = content.name === 'stderr' ? 'stderr' : 'stdout';
        this.#push({ output_type: 'stream', name, text: String(content.text ?? '') });
        return true;
      }
      case 'display_data': {
        const output: Output = { output_type: 'display_data', data: bundle(content.data), metadata: bundle(content.metadata) };
        this.#push(output);
        const id = displayId(content);
        if (id !== undefined) this.#displays.set(id, [...(this.#displays.get(id) ?? []), output]);
        return true;
      }
      case 'update_display_data': {
        const id = displayId(content);
        for (const output of (id !== undefined && this.#displays.get(id)) || []) {
          if (output.output_type === 'display_data' || output.output_type === 'execute_result') {
            output.data = bundle(content.data);
            output.metadata = bundle(content.metadata);
          }
        }
        return true;
      }
      case 'execute_result': {
        const count = typeof content.execution_count === 'number' ? content.execution_count : null;
        this.#push({ output_type: 'execute_result', execution_count: count, data: bundle(content.data), metadata: bundle(content.metadata) });
        return true;
      }
      case 'error':
        this.#push({
          output_type: 'error',
          ename: String(content.ename ?? 'Error'),
          evalue: String(content.evalue ?? ''),
          traceback: Array.isArray(content.traceback) ? content.traceback.map(String) : [],
        });
        return true;
      case 'clear_output':
        if (content.wait === true) this.#clearPending = true;
        else this.outputs.length = 0;
        return true;
      default:
        return false;
    }
  }

  #push(output: Output): void {
    if (this.#clearPending) {
      this.outputs.length = 0;
      this.#clearPending = false;
    }
    const last = this.outputs.at(-1);
    // Consecutive chunks of one stream are one output, as Jupyter shows and saves them.
    if (output.output_type === 'stream' && last?.output_type === 'stream' && last.name === output.name) {
      // Only the last line can still be rewritten: the text before it is left as it is, never scanned again (a cell
      // printing 50,000 lines in as many chunks would otherwise rescan all it printed with each one).
      if (!output.text.includes('\r') && !last.text.endsWith('\r')) last.text += output.text;
      else {
        const lineStart = last.text.lastIndexOf('\n') + 1;
        last.text = last.text.slice(0, lineStart) + overwriteReturns(last.text.slice(lineStart) + output.text);
      }
      return;
    }
    this.outputs.push(output.output_type === 'stream' ? { ...output, text: overwriteReturns(output.text) } : output);
  }
}

/**
 * A stream's text with what carriage returns overwrite taken out: a line keeps only what follows its last `\r`
 * (a progress bar's updates, `\r[###   ] 40% | 1.2 s`, leave their last state), as nbformat's coalescing does for
 * deterministic outputs; `\r\n` is a line break. A return at the very end stays, for the next chunk to overwrite
 * from. Otherwise the saved text would hold every update, as many as the timing allowed, and differ for that alone.
 * Backspaces stay as they came: the coalescing this follows (nbval's, which Jupyter's tools adapt) has a loop for them
 * whose condition is false on entry, so it never runs and the notebooks those tools save keep them too.
 */
export function overwriteReturns(text: string): string {
  if (!text.includes('\r')) return text;
  return text.replace(/\r+\n/g, '\n').replace(/[^\n]*\r(?=[^\n])/g, '');
}

/**
 * tslab prints a failing cell's exception on stderr instead of sending an `error` message. Turn that last
 * stderr chunk into a proper error output so a failure carries ename, evalue and traceback like any kernel's.
 * `toCellLines` rewrites the frames' positions into the cell's (tslab-lines.ts).
 */
export function errorFromStderr(
  outputs: Output[],
  lastStderrChunk: string | undefined,
  toCellLines: (lines: string[]) => string[] = (lines) => lines,
): Output & { output_type: 'error' } {
  const text = (lastStderrChunk ?? '').replace(/\n+$/, '');
  dropTrailingStderr(outputs, lastStderrChunk);
  // Frames inside Node's vm and tslab itself say nothing about the notebook (and name host paths).
  const lines = toCellLines((text === '' ? [] : text.split('\n')).filter((line) => !/^\s+at .*(\(node:|\/tslab\/dist\/|sigintHandlersWrap)/.test(line)));
  let ename = 'Error';
  let evalue = lines[0] ?? '';
  const named = lines
    .map((line) => /^(?:Uncaught )?([A-Za-z_$][\w$]*(?:Error|Exception)|Error)(?: \[[A-Z_]+\])?: ?(.*)$/.exec(line))
    .find((match) => match !== null);
  if (named) {
    ename = named[1];
    evalue = named[2];
  } else if (/^(?:\S+ )?\d+:\d+ - /.test(lines[0] ?? '')) {
    // TypeScript diagnostics: "3:7 - Cannot find name 'x'."
    ename = 'TypeScriptError';
    evalue = lines.join('; ');
  }
  const error = { output_type: 'error' as const, ename, evalue, traceback: lines };
  outputs.push(error);
  return error;
}

/** Removes the given chunk from the end of the outputs when it is the last thing written to stderr. */
export function dropTrailingStderr(outputs: Output[], chunk: string | undefined): void {
  const last = outputs.at(-1);
  if (chunk && last?.output_type === 'stream' && last.name === 'stderr' && last.text.endsWith(chunk)) {
    last.text = last.text.slice(0, last.text.length - chunk.length);
    if (last.text === '') outputs.pop();
  }
}

/** Node's fatal report when a kernel's JavaScript heap is full ("FATAL ERROR: … JavaScript heap out of memory"). */
export function heapExhausted(kernelOutput: string): string | undefined {
  return /^.*JavaScript heap out of memory.*$/m.exec(kernelOutput)?.[0].trim();
}

/**
 * Written into a cell whose messages were lost on the way (the kernel's output queue overflowed): what arrived is
 * kept, and a reader is told it is not all. `dropped`: how many the kernel's message numbers show missing; else
 * the idle status never came within `graceMs` of the last message after the reply.
 */
export function lostOutputNote(lost: { dropped: number } | { graceMs: number }): string {
  const why =
    'dropped' in lost
      ? `${lost.dropped} of the kernel's messages for this cell were dropped on the way`
      : `the kernel's messages for this cell stopped before its "idle" status (nothing for ${(lost.graceMs / 1000).toFixed(1)} s after its reply)`;
  return `repro: output is missing here: ${why}; its output queue overflowed\n`;
}

function bundle(value: unknown): MimeBundle {
  return isObject(value) ? value : {};
}

function displayId(content: Record<string, unknown>): string | undefined {
  const transient = content.transient;
  if (!isObject(transient)) return undefined;
  return typeof transient.display_id === 'string' ? transient.display_id : undefined;
}
