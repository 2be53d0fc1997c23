// Expected errors: a cell tagged `raises-exception` (papermill's and nbval's tag) may raise, and an entrypoint with
// `allowErrors: true` (nbconvert's --allow-errors) lets every cell raise; the error output stays in the notebook and
// the run goes on. A tagged cell that raised nothing fails the notebook once all its cells have run.
import type { CellFailure } from './executor.ts';
import type { Cell } from './nbformat.ts';
import { isTagged } from './notebook.ts';

export const raisesExceptionTag = 'raises-exception';
/** The ename of the failure of a notebook whose tagged cells raised nothing (also across the container boundary). */
export const noErrorRaisedName = 'NoErrorRaised';

/** What a cell's error means for the run: it stops it, it was expected (tagged), or it is allowed (allowErrors). */
export type ErrorVerdict = 'fail' | 'expected' | 'allowed';

export function raisesException(cell: Cell): boolean {
  return isTagged(cell, raisesExceptionTag);
}

/**
 * Only an error the cell's code raised can be expected or allowed: a timeout, a dead or frozen kernel, a full heap
 * stop the run whatever the tag or setting (nbclient does the same), since the kernel is gone or interrupted; so does
 * a cell the kernel refused to run (abort), as its code never ran.
 */
export function judgeCellError(kind: CellFailure['kind'], tagged: boolean, allowErrors: boolean): ErrorVerdict {
  if (kind !== 'error') return 'fail';
  if (tagged) return 'expected';
  return allowErrors ? 'allowed' : 'fail';
}

/** The warning recorded on the notebook's result for an error allowErrors let through. */
export function allowedErrorWarning(cellIndex: number, ename: string): string {
  return `cell ${cellIndex} raised ${ename} (allowed)`;
}

/** The failure of a notebook whose tagged cells (0-based indices in the source notebook, in order) raised nothing. */
export function noErrorRaised(cellIndices: readonly number[]): CellFailure {
  if (cellIndices.length === 0) throw new Error('noErrorRaised needs at least one cell');
  // The message starts "<notebook> cell <first>: ", so one cell need not be named again.
  const which = cellIndices.length === 1 ? 'the cell is' : `cells ${listed(cellIndices)} are`;
  const evalue = `${which} tagged ${raisesExceptionTag} but raised no error`;
  return { kind: 'no-error', cellIndex: cellIndices[0], ename: noErrorRaisedName, evalue, traceback: [] };
}

/** The hint for a NoErrorRaised failure; `failedNotebook` is where the executed notebook was kept. */
export function noErrorRaisedHint(failedNotebook: string): string {
  return (
    `Remove the ${raisesExceptionTag} tag if the cell should succeed, or fix the cell so that it raises the error it is meant to show. ` +
    `Every cell ran; the executed notebook is in ${failedNotebook}, and outputs were left as they were.`
  );
}

function listed(numbers: readonly number[]): string {
  return numbers.length <= 2 ? numbers.join(' and ') : `${numbers.slice(0, -1).join(', ')} and ${numbers.at(-1)}`;
}
