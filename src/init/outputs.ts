// The outputs folder proposed for each notebook: where its own code says it writes when REPRO_OUTPUTS is unset (so
// Jupyter and repro write to one place), else results/<notebook name>. A run replaces the folder whole, so a
// folder that holds anything else (notebooks, data, code, another notebook's outputs) is never proposed.
import { posix } from 'node:path';
import type { FoundNotebook } from './notebooks.ts';

export interface OutputsProposal {
  notebook: string;
  outputs: string;
  /** Why this folder, for the comment beside it. */
  why: string;
}

/** Files a run must never replace: research.yaml, the lock, npm's files, the notebooks, the data. */
export interface KeptFiles {
  /** Repository paths of files that are not outputs. */
  paths: readonly string[];
}

export function proposeOutputs(notebooks: readonly FoundNotebook[], kept: KeptFiles): OutputsProposal[] {
  const taken: string[] = [];
  const proposals: OutputsProposal[] = [];
  const wanted = new Map<string, number>();
  for (const notebook of notebooks) if (notebook.fallbackOutputs) wanted.set(notebook.fallbackOutputs, (wanted.get(notebook.fallbackOutputs) ?? 0) + 1);
  for (const notebook of notebooks) {
    const fallback = notebook.fallbackOutputs;
    let why: string;
    if (fallback && (wanted.get(fallback) ?? 0) > 1) {
      why = `its code falls back to ${fallback}, as another notebook's does; each needs a folder of its own`;
    } else if (fallback && holdsOtherFiles(fallback, kept)) {
      why = `its code falls back to ${fallback}, which holds other files (a run replaces the folder whole)`;
    } else if (fallback && !clashes(fallback, taken)) {
      taken.push(fallback);
      proposals.push({ notebook: notebook.path, outputs: fallback, why: `where its code writes when REPRO_OUTPUTS is unset` });
      continue;
    } else {
      why = notebook.readsOutputsVariable ? 'its code reads REPRO_OUTPUTS with no fallback folder init could read' : 'its code does not read REPRO_OUTPUTS';
    }
    const outputs = freeFolder(defaultOutputs(notebook.path), taken, kept);
    taken.push(outputs);
    proposals.push({ notebook: notebook.path, outputs, why: `results/<notebook name>: ${why}` });
  }
  return proposals;
}

/** results/<name of the notebook without .ipynb>. */
export function defaultOutputs(notebook: string): string {
  return `results/${slug(posix.basename(notebook, '.ipynb'))}`;
}

function slug(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'notebook';
}

/** The folder, or folder-2, folder-3 … when it is taken or holds other files. */
function freeFolder(folder: string, taken: readonly string[], kept: KeptFiles): string {
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? folder : `${folder}-${n}`;
    if (!clashes(candidate, taken) && !holdsOtherFiles(candidate, kept)) return candidate;
  }
}

const inside = (child: string, folder: string) => child === folder || child.startsWith(folder + '/');

/** Whether a folder is, holds or lies inside one already taken. */
function clashes(folder: string, taken: readonly string[]): boolean {
  return taken.some((other) => inside(other, folder) || inside(folder, other));
}

/** Whether the folder holds (or lies inside) a file that is not an output. */
export function holdsOtherFiles(folder: string, kept: KeptFiles): boolean {
  if (folder === '' || folder === '.') return true;
  return kept.paths.some((path) => inside(path, folder) || inside(folder, path));
}
