// Papermill-style parameters: `-p key=value` overrides become a cell tagged `injected-parameters` placed right
// after the cell tagged `parameters` (or first, when there is none).
import { UsageError } from '../errors.ts';
import { isTagged, type Cell, type Notebook } from './notebook.ts';

/** `seed=7` → ['seed', 7]; the value is JSON when it parses as JSON, a string otherwise. */
export function parseParameter(text: string): [string, unknown] {
  const at = text.indexOf('=');
  if (at <= 0) throw new UsageError(`-p ${text}: expected key=value`, 'For example: repro run -p seed=7 -p name=\'"fast"\'');
  const key = text.slice(0, at);
  const raw = text.slice(at + 1);
  assertIdentifier(key);
  try {
    return [key, JSON.parse(raw) as unknown];
  } catch {
    return [key, raw];
  }
}

export function parseParameters(list: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(list.map(parseParameter));
}

function assertIdentifier(key: string): void {
  if (!/^[A-Za-z_$][\w$]*$/.test(key)) {
    throw new UsageError(`parameter name ${JSON.stringify(key)} is not a TypeScript identifier`, 'Use names such as seed or sample_size.');
  }
}

export interface InjectResult {
  notebook: Notebook;
  /** Index (in the returned notebook) of the injected cell, when one was added. */
  injectedAt?: number;
  /** False when the notebook has no `parameters` cell and the overrides were put first. */
  foundParametersCell: boolean;
}

/**
 * Returns a copy of the notebook with any earlier injected cell removed and, when there are overrides, a new
 * one inserted. `let` redeclares a name tslab already knows from the parameters cell (tslab allows that across cells).
 */
export function injectParameters(notebook: Notebook, parameters: Record<string, unknown>): InjectResult {
  const cells = notebook.cells.filter((cell) => !isTagged(cell, 'injected-parameters'));
  const anchor = cells.findIndex((cell) => cell.cell_type === 'code' && isTagged(cell, 'parameters'));
  const copy: Notebook = { ...notebook, cells };
  const keys = Object.keys(parameters);
  if (keys.length === 0) return { notebook: copy, foundParametersCell: anchor >= 0 };
  for (const key of keys) assertIdentifier(key);
  const source = [
    '// Parameters injected by repro run -p',
    ...keys.map((key) => `let ${key} = ${JSON.stringify(parameters[key])};`),
  ].join('\n');
  const cell: Cell = {
    cell_type: 'code',
    source,
    metadata: { tags: ['injected-parameters'] },
    outputs: [],
    execution_count: null,
  };
  // nbformat 4.5 requires cell ids; a fixed one keeps the executed notebook deterministic.
  if (notebook.nbformat_minor >= 5) cell.id = 'injected-parameters';
  const injectedAt = anchor + 1;
  cells.splice(injectedAt, 0, cell);
  return { notebook: copy, injectedAt, foundParametersCell: anchor >= 0 };
}
