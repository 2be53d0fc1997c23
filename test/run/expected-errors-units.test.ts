// Expected errors without a kernel: the verdict per failure kind, the messages, and executeNotebook on a scripted
// kernel (which cells are sent, with which stop_on_error, what is kept, what fails and when).
import { describe, expect, it } from 'vitest';
import type { Progress } from '../../src/cli/progress.ts';
import { KernelTimeoutError, type ExecuteResult, type Kernel } from '../../src/kernel/kernel.ts';
import { executeNotebook } from '../../src/run/executor.ts';
import { allowedErrorWarning, judgeCellError, noErrorRaised, noErrorRaisedName } from '../../src/run/expected-errors.ts';
import { notebookError } from '../../src/run/local.ts';
import { parseNotebook, type Notebook } from '../../src/run/notebook.ts';

describe('judgeCellError', () => {
  it.each([
    ['error', false, false, 'fail'],
    ['error', true, false, 'expected'],
    ['error', true, true, 'expected'],
    ['error', false, true, 'allowed'],
    ['aborted', true, true, 'fail'],
    ['timeout', true, true, 'fail'],
    ['died', true, false, 'fail'],
    ['died', false, true, 'fail'],
  ] as const)('a %s failure, tagged %s, allowErrors %s: %s', (kind, tagged, allowErrors, verdict) => {
    expect(judgeCellError(kind, tagged, allowErrors)).toBe(verdict);
  });
});

describe('the messages', () => {
  it('names the cells tagged raises-exception that raised nothing, the first as the failing cell', () => {
    expect(noErrorRaised([4])).toEqual({ kind: 'no-error', cellIndex: 4, ename: 'NoErrorRaised', evalue: 'the cell is tagged raises-exception but raised no error', traceback: [] });
    expect(noErrorRaised([4, 6]).evalue).toBe('cells 4 and 6 are tagged raises-exception but raised no error');
    expect(noErrorRaised([1, 4, 6])).toMatchObject({ cellIndex: 1, evalue: 'cells 1, 4 and 6 are tagged raises-exception but raised no error' });
    expect(() => noErrorRaised([])).toThrow(/at least one cell/);
  });

  it('says an allowed error as a warning line', () => {
    expect(allowedErrorWarning(3, 'ZeroDivisionError')).toBe('cell 3 raised ZeroDivisionError (allowed)');
  });

  it('gives a NoErrorRaised failure its own hint (remove the tag or fix the cell), other failures the usual one', () => {
    const missing = notebookError('notebooks/a.ipynb', noErrorRaised([4]), '.repro/failed/x/a.ipynb');
    expect(missing.message).toBe('notebooks/a.ipynb cell 4: NoErrorRaised: the cell is tagged raises-exception but raised no error');
    expect(missing.exitCode).toBe(1);
    expect(missing.cellIndex).toBe(4);
    expect(missing.hint).toMatch(/^Remove the raises-exception tag if the cell should succeed, or fix the cell/);
    expect(missing.hint).toContain('Every cell ran; the executed notebook is in .repro/failed/x/a.ipynb');
    const raised = notebookError('notebooks/a.ipynb', { kind: 'error', cellIndex: 2, ename: 'ValueError', evalue: 'x', traceback: [] }, 'f.ipynb');
    expect(raised.hint).toBe('The partially executed notebook is in f.ipynb; outputs were left as they were.');
  });
});

type Reply = ExecuteResult | 'timeout';
interface Sent {
  code: string;
  stopOnError: boolean | undefined;
}

/** A kernel that answers each code with the scripted replies in turn (a code not scripted succeeds, printing nothing). */
function scriptedKernel(script: Record<string, Reply[]>): { kernel: Kernel; sent: Sent[] } {
  const sent: Sent[] = [];
  let count = 0;
  const fake = {
    process: { outputTail: '' },
    ping: async () => true,
    execute: async (code: string, options: { stopOnError?: boolean }): Promise<ExecuteResult> => {
      sent.push({ code, stopOnError: options.stopOnError });
      const reply = script[code]?.shift() ?? ok();
      if (reply === 'timeout') throw new KernelTimeoutError(1000, [], true);
      return reply.status === 'abort' ? reply : { ...reply, executionCount: ++count };
    },
  };
  return { kernel: fake as unknown as Kernel, sent };
}

function ok(text?: string): ExecuteResult {
  return { status: 'ok', executionCount: null, outputs: text === undefined ? [] : [{ output_type: 'stream', name: 'stdout', text }] };
}

function raised(ename: string, evalue = 'boom'): ExecuteResult {
  const error = { ename, evalue, traceback: [`${ename}: ${evalue}`] };
  return { status: 'error', executionCount: null, outputs: [{ output_type: 'error', ...error }], error };
}

const aborted: ExecuteResult = { status: 'abort', executionCount: null, outputs: [] };

function notebookOf(cells: Array<string | { code: string; tags: string[] } | { markdown: string }>): Notebook {
  const json = {
    nbformat: 4,
    nbformat_minor: 4,
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
    cells: cells.map((cell) =>
      typeof cell === 'string'
        ? { cell_type: 'code', source: cell, metadata: {}, outputs: [], execution_count: null }
        : 'markdown' in cell
          ? { cell_type: 'markdown', source: cell.markdown, metadata: {} }
          : { cell_type: 'code', source: cell.code, metadata: { tags: cell.tags }, outputs: [], execution_count: null },
    ),
  };
  return parseNotebook(JSON.stringify(json), 'a.ipynb');
}

const logged: string[] = [];
const progress: Progress = { update: () => undefined, log: (line) => void logged.push(line), done: () => undefined };

function execute(notebook: Notebook, kernel: Kernel, allowErrors?: boolean) {
  return executeNotebook({ name: 'a.ipynb', notebook, kernel, cellTimeoutMs: 60_000, notebookTimeoutMs: 600_000, progress, allowErrors });
}

const tagged = (code: string) => ({ code, tags: ['raises-exception'] });

describe('executeNotebook with expected errors', () => {
  it('keeps a tagged cell\'s error, asks the kernel not to stop on it, and runs the cells after it', async () => {
    const { kernel, sent } = scriptedKernel({ boom: [raised('ValueError')], after: [ok('after\n')] });
    const run = await execute(notebookOf(['x', { markdown: 'why' }, tagged('boom'), 'after']), kernel);
    expect(run.failure).toBeUndefined();
    expect(run.warnings).toEqual([]);
    expect(sent).toEqual([
      { code: 'x', stopOnError: true },
      { code: 'boom', stopOnError: false },
      { code: 'after', stopOnError: true },
    ]);
    expect(run.notebook.cells[2]).toMatchObject({ execution_count: 2, outputs: [{ output_type: 'error', ename: 'ValueError', evalue: 'boom' }] });
    expect(run.notebook.cells[3]).toMatchObject({ execution_count: 3, outputs: [{ output_type: 'stream', text: 'after\n' }] });
    expect(logged.some((line) => /^ {2}✓ a\.ipynb \[2\] boom {2}\d+ ms {2}\(raised ValueError, as tagged\)$/.test(line))).toBe(true);
  });

  it('stops at an untagged error as before: the cells after it are never sent', async () => {
    const { kernel, sent } = scriptedKernel({ boom: [raised('ValueError')] });
    const run = await execute(notebookOf(['x', 'boom', 'after']), kernel);
    expect(run.failure).toMatchObject({ kind: 'error', cellIndex: 1, ename: 'ValueError' });
    expect(sent.map((s) => s.code)).toEqual(['x', 'boom']);
  });

  it('fails a tagged cell that raised nothing only after every cell ran, naming the first one', async () => {
    const { kernel, sent } = scriptedKernel({});
    const run = await execute(notebookOf(['x', tagged('quiet'), 'middle', tagged('also quiet'), 'last']), kernel);
    expect(sent.map((s) => s.code)).toEqual(['x', 'quiet', 'middle', 'also quiet', 'last']);
    expect(run.failure).toEqual(noErrorRaised([1, 3]));
    expect(run.failure?.ename).toBe(noErrorRaisedName);
    expect(run.notebook.cells[4]).toMatchObject({ execution_count: 5 });
  });

  it('reports a real error after a silent tagged cell as the failure (the run stops there)', async () => {
    const { kernel } = scriptedKernel({ boom: [raised('KeyError')] });
    const run = await execute(notebookOf([tagged('quiet'), 'boom', 'never']), kernel);
    expect(run.failure).toMatchObject({ kind: 'error', cellIndex: 1, ename: 'KeyError' });
  });

  it('with allowErrors keeps every error, goes on, and names each error in warnings', async () => {
    const { kernel, sent } = scriptedKernel({ div: [raised('ZeroDivisionError')], parse: [raised('ValueError')] });
    const run = await execute(notebookOf(['x', 'div', 'between', 'parse', 'after']), kernel, true);
    expect(run.failure).toBeUndefined();
    expect(run.warnings).toEqual(['cell 1 raised ZeroDivisionError (allowed)', 'cell 3 raised ValueError (allowed)']);
    expect(sent.every((s) => s.stopOnError === false)).toBe(true);
    expect(run.notebook.cells[3]).toMatchObject({ outputs: [{ output_type: 'error', ename: 'ValueError' }] });
  });

  it('still fails a tagged cell that raised nothing under allowErrors: the tag says an error is expected', async () => {
    const { kernel } = scriptedKernel({});
    const run = await execute(notebookOf([tagged('quiet')]), kernel, true);
    expect(run.failure).toMatchObject({ kind: 'no-error', cellIndex: 0 });
  });

  it('never lets a tagged or allowed cell time out', async () => {
    const { kernel, sent } = scriptedKernel({ slow: ['timeout'] });
    const run = await execute(notebookOf([tagged('slow'), 'after']), kernel, true);
    expect(run.failure).toMatchObject({ kind: 'timeout', cellIndex: 0, ename: 'TimeoutError' });
    expect(sent.map((s) => s.code)).toEqual(['slow']);
  });

  it('sends a cell again that the kernel refused (abort) right after an expected error, as tslab does for 200 ms', async () => {
    const { kernel, sent } = scriptedKernel({ boom: [raised('RangeError')], after: [aborted, aborted, ok('after\n')] });
    const run = await execute(notebookOf([tagged('boom'), 'after']), kernel);
    expect(run.failure).toBeUndefined();
    expect(sent.map((s) => s.code)).toEqual(['boom', 'after', 'after', 'after']);
    expect(run.notebook.cells[1]).toMatchObject({ execution_count: 2, outputs: [{ text: 'after\n' }] });
  });

  it('fails a cell the kernel refuses when no expected error came before it, even under allowErrors', async () => {
    const { kernel, sent } = scriptedKernel({ refused: [aborted] });
    const run = await execute(notebookOf(['refused', 'after']), kernel, true);
    expect(run.failure).toMatchObject({ kind: 'aborted', cellIndex: 0, evalue: 'the kernel answered abort' });
    expect(run.warnings).toEqual([]);
    expect(sent.map((s) => s.code)).toEqual(['refused']);
  });

  it('reports cells by their index in the source file when parameters were injected', async () => {
    const { kernel } = scriptedKernel({ boom: [raised('ValueError')] });
    const notebook = notebookOf(['a = 1', 'a = 2', tagged('quiet'), 'boom']);
    const run = await executeNotebook({ name: 'a.ipynb', notebook, kernel, cellTimeoutMs: 60_000, notebookTimeoutMs: 600_000, progress, injectedAt: 1, allowErrors: true });
    // The file's cells: 0 parameters, 1 tagged, 2 boom (the injected cell at 1 is not in the file).
    expect(run.warnings).toEqual(['cell 2 raised ValueError (allowed)']);
    expect(run.failure).toMatchObject({ kind: 'no-error', cellIndex: 1 });
  });
});
