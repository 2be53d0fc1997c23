// The notebooks of a repository and what each says about itself: its kernel (metadata.kernelspec, as repro run
// chooses it), its code, and where it writes its outputs when run outside repro (the REPRO_OUTPUTS fallback).
import { join, posix } from 'node:path';
import { ReproError } from '../errors.ts';
import type { KernelName } from '../manifest/schema.ts';
import { raisesException } from '../run/expected-errors.ts';
import { notebookKernel } from '../run/kernel-choice.ts';
import { readNotebook, type Notebook } from '../run/notebook.ts';
import type { RepoFile } from './files.ts';

export interface FoundNotebook {
  /** Repository-relative path. */
  path: string;
  kernel: KernelName;
  /** typescript, javascript, python or R. */
  language: string;
  /** The code cells' sources, joined by blank lines. */
  code: string;
  /** Whether the code reads REPRO_OUTPUTS (or repro/notebook's outputsDir) at all. */
  readsOutputsVariable: boolean;
  /** The folder its code falls back to when REPRO_OUTPUTS is unset, repository-relative, if it names one inside. */
  fallbackOutputs?: string;
  /** Error outputs saved in the notebook (from its last run in Jupyter), in cells not tagged raises-exception. */
  savedErrors: SavedError[];
}

export interface SavedError {
  /** 0-based position in the notebook (markdown cells count), as repro run names a failed cell. */
  cell: number;
  ename: string;
  /** Its first line, at most 100 characters. */
  evalue: string;
}

export interface UnusableNotebook {
  path: string;
  /** Why repro cannot run it as it is, and what to do. */
  reason: string;
}

export interface NotebookSurvey {
  notebooks: FoundNotebook[];
  unusable: UnusableNotebook[];
}

export async function surveyNotebooks(root: string, files: readonly RepoFile[]): Promise<NotebookSurvey> {
  const survey: NotebookSurvey = { notebooks: [], unusable: [] };
  for (const { path } of files.filter((file) => file.path.endsWith('.ipynb'))) {
    try {
      const notebook = await readNotebook(join(root, path), path);
      const kernel = notebookKernel(notebook, path);
      const code = notebook.cells
        .filter((cell) => cell.cell_type === 'code')
        .map((cell) => cell.source)
        .join('\n\n');
      survey.notebooks.push({
        path,
        kernel: kernel.name,
        language: kernel.language,
        code,
        readsOutputsVariable: /REPRO_OUTPUTS|outputsDir\s*\(/.test(code),
        fallbackOutputs: fallbackOutputs(code, path),
        savedErrors: savedErrors(notebook),
      });
    } catch (error) {
      if (!(error instanceof ReproError)) throw error;
      // The message may start with the path (and a position in it); the comment names the path already.
      const message = error.message.startsWith(path) ? error.message.slice(path.length).replace(/^(:\d+:\d+)?:?\s*/, '') : error.message;
      survey.unusable.push({ path, reason: error.hint ? `${message}. ${error.hint}` : message });
    }
  }
  return survey;
}

/** The error outputs the notebook was saved with, in cells that are not tagged as raising on purpose. */
export function savedErrors(notebook: Notebook): SavedError[] {
  return notebook.cells.flatMap((cell, index) => {
    if (cell.cell_type !== 'code' || raisesException(cell)) return [];
    return cell.outputs.flatMap((output) => {
      if (output.output_type !== 'error') return [];
      const line = output.evalue.split('\n')[0];
      return [{ cell: index, ename: output.ename, evalue: line.length > 100 ? `${line.slice(0, 99)}…` : line }];
    });
  });
}

// `os.environ.get("REPRO_OUTPUTS", "x")`, `os.getenv('REPRO_OUTPUTS') or 'x'`, `Sys.getenv("REPRO_OUTPUTS", unset = "x")`,
// `process.env.REPRO_OUTPUTS ?? 'x'`, `process.env['REPRO_OUTPUTS'] || "x"`, and repro/notebook's `outputsDir('x')`.
const fallbackPatterns = [
  /(?:environ\.get|getenv)\(\s*(['"])REPRO_OUTPUTS\1\s*,\s*(?:default\s*=\s*)?(['"])(?<folder>[^'"\n]+)\2/,
  /(?:environ\.get|getenv)\(\s*(['"])REPRO_OUTPUTS\1\s*\)\s*or\s+(['"])(?<folder>[^'"\n]+)\2/,
  /Sys\.getenv\(\s*(['"])REPRO_OUTPUTS\1\s*,\s*(?:unset\s*=\s*)?(['"])(?<folder>[^'"\n]+)\2/,
  /process\.env(?:\.REPRO_OUTPUTS|\[\s*(['"])REPRO_OUTPUTS\1\s*\])\s*(?:\?\?|\|\|)\s*(['"`])(?<folder>[^'"`$\n]+)\2/,
  /outputsDir\s*\(\s*(['"`])(?<folder>[^'"`$\n]+)\1\s*\)/,
];

/** The fallback folder named in the code, resolved from the notebook's folder (where the kernel runs). */
export function fallbackOutputs(code: string, notebookPath: string): string | undefined {
  for (const pattern of fallbackPatterns) {
    const literal = pattern.exec(code)?.groups?.folder;
    if (literal === undefined || literal.startsWith('/')) continue;
    const resolved = posix.normalize(posix.join(posix.dirname(notebookPath), literal)).replace(/\/+$/, '');
    if (resolved === '.' || resolved === '..' || resolved.startsWith('../')) continue;
    return resolved;
  }
  return undefined;
}

/** How a notebook in this language should name its outputs folder, for TODO comments. */
export function outputsSnippet(language: string, fallback: string): string {
  switch (language) {
    case 'python':
      return `outputs = os.environ.get("REPRO_OUTPUTS", "${fallback}")`;
    case 'R':
      return `outputs <- Sys.getenv("REPRO_OUTPUTS", "${fallback}")`;
    default:
      return `const outputs = process.env.REPRO_OUTPUTS ?? '${fallback}'`;
  }
}
