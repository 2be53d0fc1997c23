// A coloured traceback (IPython's) printed to a log or a file: plain text there, colours kept on a terminal.
import { describe, expect, it } from 'vitest';
import { reportError } from '../../src/cli/main.ts';
import { createProgress } from '../../src/cli/progress.ts';
import { withoutEscapes } from '../../src/escapes.ts';
import { NotebookError } from '../../src/errors.ts';

/** A stream that keeps what is written, a terminal or not. */
function stream(isTTY: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  const chunks: string[] = [];
  const fake = { isTTY, columns: 200, write: (chunk: string) => chunks.push(chunk) > 0 };
  return { stream: fake as unknown as NodeJS.WriteStream, text: () => chunks.join('') };
}

// Two lines of what a python3 kernel sent for df["NO_SUCH_COLUMN"] (pandas' KeyError), as repro printed them.
const traceback = '\u001b[0;32m----> 1\u001b[0m \u001b[43mdf\u001b[49m\u001b[43m[\u001b[49m\u001b[38;5;124;43m"\u001b[39;49m\u001b[38;5;124;43mNO_SUCH_COLUMN\u001b[39;49m\u001b[38;5;124;43m"\u001b[39;49m\u001b[43m]\u001b[49m\n    \u001b[0;31mKeyError\u001b[0m: \'NO_SUCH_COLUMN\'';

describe('escape codes', () => {
  it('withoutEscapes leaves the text', () => {
    expect(withoutEscapes(traceback)).toBe('----> 1 df["NO_SUCH_COLUMN"]\n    KeyError: \'NO_SUCH_COLUMN\'');
    expect(withoutEscapes('plain [1] text')).toBe('plain [1] text');
  });

  it('progress lines are plain when the stream is no terminal, coloured on one', () => {
    const log = stream(false);
    createProgress({ stream: log.stream }).log(`  │ ${traceback}`);
    expect(log.text()).toBe(`  │ ----> 1 df["NO_SUCH_COLUMN"]\n    KeyError: 'NO_SUCH_COLUMN'\n`);
    const terminal = stream(true);
    createProgress({ stream: terminal.stream }).log(traceback);
    expect(terminal.text()).toContain('\u001b[0;31mKeyError\u001b[0m');
  });

  it('a failed cell is reported plain when stderr is no terminal', () => {
    const error = new NotebookError(`KeyError: 'NO_SUCH_COLUMN'\n${traceback}`, { notebook: 'nb/a.ipynb', cellIndex: 1, hint: 'The partially executed notebook is in f.ipynb.' });
    const log = stream(false);
    expect(reportError(error, log.stream)).toBe(1);
    expect(log.text()).toBe(`repro: nb/a.ipynb cell 1: KeyError: 'NO_SUCH_COLUMN'\n----> 1 df["NO_SUCH_COLUMN"]\n    KeyError: 'NO_SUCH_COLUMN'\n  The partially executed notebook is in f.ipynb.\n`);
    const terminal = stream(true);
    reportError(error, terminal.stream);
    expect(terminal.text()).toContain('\u001b[43mdf');
  });
});
