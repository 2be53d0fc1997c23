// Which entrypoints `repro accept` takes from a run folder: those its run record says succeeded (or, for a folder
// with no record, those whose outputs are there), all of them or the ones named. Pure: the CLI reads the folder.
import { ExitCode, ReproError, UsageError } from '../errors.ts';
import type { Entrypoint } from '../manifest/schema.ts';
import { describeFailure, runRecordFile, type RunRecord } from './run-record.ts';

export interface AcceptTarget {
  notebook: string;
  /** Outputs folder, repository-relative, no trailing slash. */
  outputs: string;
}

export interface RefusedTarget extends AcceptTarget {
  /** Completes "not accepted: <notebook> …": "failed (cell 4: ZeroDivisionError)", "was not run …". */
  reason: string;
  /** The notebook failed in the run (rather than being absent from it). */
  failed: boolean;
}

export interface AcceptSelection {
  accepted: AcceptTarget[];
  refused: RefusedTarget[];
}

export interface SelectInput {
  entrypoints: readonly Entrypoint[];
  /** The run folder's run.json, when it has one. */
  record: RunRecord | undefined;
  /** Outputs folders (no trailing slash) present as folders in the run folder. */
  present: ReadonlySet<string>;
  /** Notebooks named on the command line; empty: every entrypoint. */
  requested: readonly string[];
}

export function selectAccepted(input: SelectInput): AcceptSelection {
  const selection: AcceptSelection = { accepted: [], refused: [] };
  for (const entry of chosenEntrypoints(input.entrypoints, input.requested)) {
    const target = { notebook: entry.notebook, outputs: entry.outputs.replace(/\/+$/, '') };
    const outcome = input.record?.notebooks.find((n) => n.notebook === entry.notebook);
    if (input.record && !outcome) {
      selection.refused.push({ ...target, reason: 'was not run in this run', failed: false });
    } else if (outcome?.status === 'failed') {
      selection.refused.push({ ...target, reason: describeFailure(outcome), failed: true });
    } else if (!input.present.has(target.outputs)) {
      const why = input.record ? '' : `; the folder has no ${runRecordFile} to say why`;
      selection.refused.push({ ...target, reason: `has no outputs in the run (${target.outputs} is missing${why})`, failed: false });
    } else {
      selection.accepted.push(target);
    }
  }
  return selection;
}

/**
 * The error when accept must change nothing: a named notebook refused, or nothing at all acceptable. A failed
 * notebook is exit 1 (as `repro run` exits for it); a notebook missing from the run is exit 2 (bad input).
 */
export function refusalError(selection: AcceptSelection, runFolder: string, named: boolean): ReproError | undefined {
  const refusedNamed = named && selection.refused.length > 0;
  if (!refusedNamed && selection.accepted.length > 0) return undefined;
  if (selection.refused.length === 0) return undefined; // no entrypoints at all: nothing to do, nothing refused
  const list = selection.refused.map((r) => `${r.notebook} ${r.reason}`).join('; ');
  const message = `not accepted: ${list}; nothing was accepted from ${runFolder}`;
  if (selection.refused.some((r) => r.failed)) {
    const others = selection.accepted.length > 0 && named ? ` or name only the notebooks that succeeded (${selection.accepted.map((a) => a.notebook).join(', ')})` : '';
    return new ReproError(message, {
      exitCode: ExitCode.difference,
      hint: `Fix the notebook and run \`repro verify\` again${others}; a failed notebook's outputs never become results.`,
    });
  }
  return new UsageError(message, 'Run `repro verify` (it runs every entrypoint into .repro/runs/<id>/), then `repro accept`.');
}

function chosenEntrypoints(entrypoints: readonly Entrypoint[], requested: readonly string[]): Entrypoint[] {
  if (requested.length === 0) return [...entrypoints];
  const chosen: Entrypoint[] = [];
  for (const wanted of requested) {
    const normal = wanted.replace(/^\.\//, '');
    const found = entrypoints.find((entry) => entry.notebook === normal);
    if (!found) {
      const known = entrypoints.map((entry) => entry.notebook).join(', ') || 'none';
      throw new UsageError(`${wanted} is not an entrypoint in research.yaml (entrypoints: ${known}); nothing was accepted`, 'Name notebooks as research.yaml lists them under entrypoints.');
    }
    if (!chosen.includes(found)) chosen.push(found);
  }
  return chosen;
}
