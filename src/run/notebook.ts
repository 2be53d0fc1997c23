// Reading, validating and writing .ipynb files (nbformat 4), with output that is byte-for-byte stable:
// sorted keys, 1-space indent and multi-line strings split into lines, as nbformat itself writes.
import { readFile } from 'node:fs/promises';
import { ManifestError } from '../errors.ts';
import type { MimeBundle, Output } from '../kernel/outputs.ts';
import { validateNotebook, type Cell, type Notebook } from './nbformat.ts';

export type { Cell, CodeCell, MarkdownCell, Notebook, RawCell } from './nbformat.ts';
export type { Output };

/** Reads and validates a notebook; `name` is how errors refer to it (the repository-relative path). */
export async function readNotebook(file: string, name = file): Promise<Notebook> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ManifestError(`${name}: cannot read the notebook (${(error as NodeJS.ErrnoException).code ?? String(error)})`, {
      hint: 'Check the entrypoint path in research.yaml.',
      cause: error,
    });
  }
  return parseNotebook(text, name);
}

export function parseNotebook(text: string, name: string): Notebook {
  // Editors on Windows may prepend a byte-order mark; Jupyter never writes one, and JSON.parse refuses it.
  const body = text.replace(/^\uFEFF/, '');
  if (body.trim() === '') {
    throw new ManifestError(`${name}: the file is empty, not a notebook`, {
      hint: 'Restore the notebook from version control, or save it again from Jupyter.',
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const at = /position (\d+)/.exec(message);
    const position = at ? positionOf(body, Number(at[1]), name) : undefined;
    const conflicted = /^(<{7}|>{7}) /m.test(body);
    throw new ManifestError(`${position ? '' : `${name}: `}not valid JSON: ${message}`, {
      position,
      hint: conflicted
        ? 'It holds merge conflict markers (<<<<<<<, =======, >>>>>>>): resolve the conflict (nbdime resolves notebooks cell by cell), then run again.'
        : 'A .ipynb file is JSON; fix it or save the notebook again from Jupyter.',
      cause: error,
    });
  }
  return validateNotebook(json, name);
}

function positionOf(text: string, offset: number, file: string): { file: string; line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { file, line, column: offset - before.lastIndexOf('\n') };
}

export function isTagged(cell: Cell, tag: string): boolean {
  const tags = cell.metadata.tags;
  return Array.isArray(tags) && tags.includes(tag);
}

export function sourceOf(cell: Cell): string {
  return cell.source;
}

/** The notebook as nbformat writes it: keys sorted, indent 1, lines split, trailing newline. */
export function serializeNotebook(notebook: Notebook): string {
  return JSON.stringify(sortKeys(splitLines(notebook)), null, 1) + '\n';
}

// nbformat stores multi-line text as lists of lines; it splits sources, stream text and the textual mime types
// (of outputs and of attachments). Tracebacks are lists already.
const splitMimes = new Set(['application/javascript', 'image/svg+xml']);

function splitLines(notebook: Notebook): unknown {
  return {
    ...notebook,
    cells: notebook.cells.map((cell) => {
      const out: Record<string, unknown> = { ...cell, source: lines(cell.source) };
      if (cell.cell_type === 'code') {
        out.outputs = cell.outputs.map((output) => {
          if (output.output_type === 'stream') return { ...output, text: lines(output.text) };
          if (output.output_type === 'display_data' || output.output_type === 'execute_result') return { ...output, data: splitBundle(output.data) };
          return output;
        });
      } else if (cell.attachments !== undefined) {
        out.attachments = Object.fromEntries(Object.entries(cell.attachments).map(([file, bundle]) => [file, splitBundle(bundle)]));
      }
      return out;
    }),
  };
}

function splitBundle(bundle: MimeBundle): MimeBundle {
  const data: MimeBundle = {};
  for (const [mime, value] of Object.entries(bundle)) {
    data[mime] = typeof value === 'string' && (mime.startsWith('text/') || splitMimes.has(mime)) ? lines(value) : value;
  }
  return data;
}

function lines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const child = (value as Record<string, unknown>)[key];
      if (child !== undefined) sorted[key] = sortKeys(child);
    }
    return sorted;
  }
  return value;
}
