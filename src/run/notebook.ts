// Reading, validating and writing .ipynb files (nbformat 4), with output that is byte-for-byte stable:
// sorted keys, 1-space indent and multi-line strings split into lines, as nbformat itself writes.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ManifestError } from '../errors.ts';
import type { Output } from '../kernel/outputs.ts';

const multiline = z.union([z.string(), z.array(z.string())]).transform((value) => (Array.isArray(value) ? value.join('') : value));
const metadata = z.record(z.string(), z.unknown()).default({});

const cellSchema = z.discriminatedUnion('cell_type', [
  z.looseObject({
    cell_type: z.literal('code'),
    id: z.string().optional(),
    source: multiline,
    metadata,
    outputs: z.array(z.unknown()).default([]),
    execution_count: z.number().int().nullable().default(null),
  }),
  z.looseObject({ cell_type: z.literal('markdown'), id: z.string().optional(), source: multiline, metadata }),
  z.looseObject({ cell_type: z.literal('raw'), id: z.string().optional(), source: multiline, metadata }),
]);

const notebookSchema = z.looseObject({
  nbformat: z.literal(4, { error: 'must be 4 (only nbformat 4 notebooks are supported; re-save it with Jupyter)' }),
  nbformat_minor: z.number().int().nonnegative(),
  metadata,
  cells: z.array(cellSchema),
});

export type Cell = z.output<typeof cellSchema>;
export type CodeCell = Extract<Cell, { cell_type: 'code' }>;
export interface Notebook {
  nbformat: 4;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: Cell[];
  [key: string]: unknown;
}
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
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const at = /position (\d+)/.exec(message);
    const position = at ? positionOf(text, Number(at[1]), name) : undefined;
    throw new ManifestError(`${position ? '' : `${name}: `}not valid JSON: ${message}`, {
      position,
      hint: 'A .ipynb file is JSON; fix it or save the notebook again from Jupyter.',
      cause: error,
    });
  }
  const parsed = notebookSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('').replace(/^\./, '');
    throw new ManifestError(`${name}: not an nbformat 4 notebook: ${where || 'the file'} ${describe(issue.message)}`, {
      hint: 'Save the notebook again from Jupyter, or fix the field named above.',
    });
  }
  return parsed.data as Notebook;
}

function describe(message: string): string {
  return /^(must|is|expected)/i.test(message) ? message : `is invalid (${message})`;
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

// nbformat stores multi-line text as lists of lines; it splits sources, stream text and the textual mime types.
const splitMimes = new Set(['application/javascript', 'image/svg+xml']);

function splitLines(notebook: Notebook): unknown {
  return {
    ...notebook,
    cells: notebook.cells.map((cell) => {
      const out: Record<string, unknown> = { ...cell, source: lines(cell.source) };
      if (cell.cell_type === 'code') {
        out.outputs = (cell.outputs as Output[]).map((output) => {
          if (output.output_type === 'stream') return { ...output, text: lines(output.text) };
          if (output.output_type === 'display_data' || output.output_type === 'execute_result') {
            const data: Record<string, unknown> = {};
            for (const [mime, value] of Object.entries(output.data)) {
              data[mime] = typeof value === 'string' && (mime.startsWith('text/') || splitMimes.has(mime)) ? lines(value) : value;
            }
            return { ...output, data };
          }
          return output;
        });
      }
      return out;
    }),
  };
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
