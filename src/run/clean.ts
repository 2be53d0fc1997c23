// Makes an executed notebook independent of when and where it ran: volatile metadata stripped, host paths
// replaced by repository-relative ones; the notebook's own kernelspec kept, with the kernel's language_info.
import type { Output } from '../kernel/outputs.ts';
import type { Notebook } from './notebook.ts';

/** Cell metadata written by Jupyter front-ends and executors that records timings, not content. */
const volatileCellMetadata = ['execution', 'ExecuteTime', 'papermill', 'jupyter_execute'];
const volatileNotebookMetadata = ['papermill', 'widgets', 'repro'];

export interface CleanOptions {
  /** kernel_info_reply's language_info. */
  languageInfo?: unknown;
  parameters: Record<string, unknown>;
  /** Applied to every text a cell produced. */
  scrub: (text: string) => string;
}

export function cleanNotebook(notebook: Notebook, options: CleanOptions): Notebook {
  const metadata: Record<string, unknown> = { ...notebook.metadata };
  for (const key of volatileNotebookMetadata) delete metadata[key];
  if (options.languageInfo !== undefined) metadata.language_info = options.languageInfo;
  metadata.repro = { parameters: options.parameters };
  const cells = notebook.cells.map((cell, index) => {
    const cellMetadata: Record<string, unknown> = { ...cell.metadata };
    for (const key of volatileCellMetadata) delete cellMetadata[key];
    const copy = { ...cell, metadata: cellMetadata };
    // nbformat 4.5 requires ids; one made from the position is stable where a random one would not be.
    if (notebook.nbformat_minor >= 5 && copy.id === undefined) copy.id = `cell-${index}`;
    if (copy.cell_type === 'code') copy.outputs = (copy.outputs as Output[]).map((output) => scrubOutput(output, options.scrub));
    return copy;
  });
  return { ...notebook, metadata, cells };
}

function scrubOutput(output: Output, scrub: (text: string) => string): Output {
  switch (output.output_type) {
    case 'stream':
      return { ...output, text: scrub(joined(output.text)) };
    case 'error':
      return { ...output, evalue: scrub(output.evalue), traceback: output.traceback.map(scrub) };
    case 'display_data':
    case 'execute_result': {
      const data: Record<string, unknown> = {};
      for (const [mime, value] of Object.entries(output.data)) {
        data[mime] = isText(mime) && isMultiline(value) ? scrub(joined(value)) : value;
      }
      return { ...output, data };
    }
    default:
      return output;
  }
}

// parseNotebook joins text given as lines; a notebook built some other way may still hold them, and a crash here
// would lose the partial notebook of a failed run.
function isMultiline(value: unknown): value is string | string[] {
  return typeof value === 'string' || (Array.isArray(value) && value.every((line) => typeof line === 'string'));
}

function joined(value: string | string[]): string {
  return Array.isArray(value) ? value.join('') : value;
}

function isText(mime: string): boolean {
  return mime.startsWith('text/') || mime === 'image/svg+xml' || mime === 'application/javascript';
}

/**
 * Replaces absolute folders by what they stand for: the fresh outputs folder by the entrypoint's outputs path,
 * the project root by ".". Longest first, so a folder inside the project is replaced before the project.
 */
export function pathScrubber(replacements: Array<[from: string, to: string]>): (text: string) => string {
  const ordered = replacements.filter(([from]) => from.length > 1).sort((a, b) => b[0].length - a[0].length);
  // Only whole path components: /work/project must not rewrite /work/project-old.
  const patterns = ordered.map(([from, to]) => [new RegExp(`${escape(from.replace(/\/+$/, ''))}(?![\\w.-])`, 'g'), to] as const);
  return (text) => patterns.reduce((result, [pattern, to]) => result.replace(pattern, () => to), text);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
