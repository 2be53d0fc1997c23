// The nbformat 4 schema (4.0 to 4.5), written from Jupyter's nbformat.v4.*.schema.json, as zod. Multi-line text
// (sources, stream text, textual mime data, attachments) may be a string or a list of lines; it is joined on read,
// as nbformat's own reader does, so the rest of repro sees one shape.
import { z } from 'zod';
import { ManifestError } from '../errors.ts';
import type { MimeBundle, Output } from '../kernel/outputs.ts';

interface CellBase {
  /** nbformat 4.5 requires one and earlier versions allow one; either way it is kept. */
  id?: string;
  metadata: Record<string, unknown>;
  source: string;
}
export interface CodeCell extends CellBase {
  cell_type: 'code';
  outputs: Output[];
  execution_count: number | null;
}
export interface MarkdownCell extends CellBase {
  cell_type: 'markdown';
  /** Inline images and files, a mime bundle per file name. */
  attachments?: Record<string, MimeBundle>;
}
export interface RawCell extends CellBase {
  cell_type: 'raw';
  attachments?: Record<string, MimeBundle>;
}
export type Cell = CodeCell | MarkdownCell | RawCell;

export interface Notebook {
  nbformat: 4;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: Cell[];
  [key: string]: unknown;
}

/** The newest minor version whose schema repro knows; a newer one is read by its rules with extra keys allowed. */
export const latestMinor = 5;

// Every schema's error is the phrase a message puts after "must be" / "expected": what the field should hold.
const text = z.string({ error: 'a string' });
const multiline = z
  .union([z.string(), z.array(z.string())], { error: 'a string or a list of strings' })
  .transform((value) => (Array.isArray(value) ? value.join('') : value));
const count = 'a whole number ≥ 0 or null';
const executionCount = z.union([z.int({ error: count }).nonnegative({ error: count }), z.null()], { error: count });
const anyObject = z.record(z.string(), z.unknown(), { error: 'an object' });
// nbformat 4.5 requires cell ids, yet nbformat's own reader accepts a 4.5 notebook without them (it warns and makes
// some up), so repro does too: the executed notebook gets ids from the cells' positions (clean.ts).
const cellId = z
  .string({ error: 'a string' })
  .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: '1 to 64 letters, digits, "-" or "_"' })
  .optional();

// JSON mime types may hold any JSON; every other one holds text, which a list of lines is joined into.
const jsonMime = /^application\/(.*\+)?json$/;
const mimeBundle = anyObject.transform((bundle, ctx) => {
  const joined: MimeBundle = {};
  for (const [mime, value] of Object.entries(bundle)) {
    if (jsonMime.test(mime) || typeof value === 'string') joined[mime] = value;
    else if (Array.isArray(value) && value.every((line) => typeof line === 'string')) joined[mime] = value.join('');
    else ctx.issues.push({ code: 'custom', message: 'a string or a list of strings', input: value, path: [mime] });
  }
  return joined;
});

const tags = z
  .array(z.string({ error: 'a string' }).regex(/^[^,]+$/, { error: 'a tag without commas' }), { error: 'a list of tags' })
  .refine((list) => new Set(list).size === list.length, { error: 'a list of distinct tags' });
// Cell metadata is open: only the keys below have a fixed meaning (nbformat leaves `jupyter`'s own keys unchecked).
const commonCellMetadata = {
  name: z.string({ error: 'a string' }).regex(/^.+$/, { error: 'a non-empty, one-line name' }).optional(),
  tags: tags.optional(),
  jupyter: anyObject.optional(),
};
const codeCellMetadata = z.looseObject(
  {
    ...commonCellMetadata,
    execution: z.record(z.string(), z.string({ error: 'a timestamp string' }), { error: 'an object' }).optional(),
    collapsed: z.boolean({ error: 'true or false' }).optional(),
    scrolled: z.union([z.boolean(), z.literal('auto')], { error: 'true, false or "auto"' }).optional(),
  },
  { error: 'an object' },
);
const markdownCellMetadata = z.looseObject(commonCellMetadata, { error: 'an object' });
const rawCellMetadata = z.looseObject({ ...commonCellMetadata, format: text.optional() }, { error: 'an object' });

const notebookMetadata = z.looseObject(
  {
    kernelspec: z.looseObject({ name: text, display_name: text }, { error: 'an object' }).optional(),
    language_info: z
      .looseObject(
        {
          name: text,
          codemirror_mode: z.union([z.string(), anyObject], { error: 'a string or an object' }).optional(),
          file_extension: text.optional(),
          mimetype: text.optional(),
          pygments_lexer: text.optional(),
        },
        { error: 'an object' },
      )
      .optional(),
    orig_nbformat: z.int({ error: 'a whole number ≥ 1' }).min(1, { error: 'a whole number ≥ 1' }).optional(),
    title: text.optional(),
    authors: z.array(z.unknown(), { error: 'a list' }).optional(),
  },
  { error: 'an object' },
);

/**
 * One schema for nbformat 4.0 to 4.5: they differ only in the metadata keys they define (title and authors from 4.2,
 * jupyter from 4.3, execution from 4.4), checked here in every version, and in cell ids (4.5), allowed in every
 * version. nbformat allows no keys beyond the schema's, except in a minor version newer than it knows (`relaxed`).
 */
function schemaFor(relaxed: boolean) {
  const object = <Shape extends z.core.$ZodLooseShape>(shape: Shape, what: string) => {
    const keys = Object.keys(shape).sort().join(', ');
    const error = (issue: { code: string }) => (issue.code === 'unrecognized_keys' ? `keys of ${what}: ${keys}` : what);
    return relaxed ? z.looseObject(shape, { error }) : z.strictObject(shape, { error });
  };
  const attachments = z.record(z.string(), mimeBundle, { error: 'an object of mime bundles by file name' }).optional();

  const output = z.discriminatedUnion(
    'output_type',
    [
      object(
        { output_type: z.literal('stream'), name: z.enum(['stdout', 'stderr'], { error: '"stdout" or "stderr"' }), text: multiline },
        'a stream output',
      ),
      object({ output_type: z.literal('display_data'), data: mimeBundle, metadata: anyObject }, 'a display_data output'),
      object(
        { output_type: z.literal('execute_result'), execution_count: executionCount, data: mimeBundle, metadata: anyObject },
        'an execute_result output',
      ),
      object(
        { output_type: z.literal('error'), ename: text, evalue: text, traceback: z.array(text, { error: 'a list of strings' }) },
        'an error output',
      ),
    ],
    { error: discriminated('an output (an object)', ['stream', 'display_data', 'execute_result', 'error']) },
  );

  const cell = z.discriminatedUnion(
    'cell_type',
    [
      object(
        {
          cell_type: z.literal('code'),
          id: cellId,
          metadata: codeCellMetadata,
          source: multiline,
          outputs: z.array(output, { error: 'a list of outputs' }),
          execution_count: executionCount,
        },
        'a code cell',
      ),
      object({ cell_type: z.literal('markdown'), id: cellId, metadata: markdownCellMetadata, source: multiline, attachments }, 'a markdown cell'),
      object({ cell_type: z.literal('raw'), id: cellId, metadata: rawCellMetadata, source: multiline, attachments }, 'a raw cell'),
    ],
    { error: discriminated('a cell (an object)', ['code', 'markdown', 'raw']) },
  );

  return object(
    {
      nbformat: z.literal(4, { error: '4' }),
      nbformat_minor: z.int({ error: 'a whole number' }).nonnegative({ error: 'a whole number' }),
      metadata: notebookMetadata,
      cells: z.array(cell, { error: 'a list of cells' }),
    },
    'a notebook',
  );
}

/** An unknown discriminator names the types there are; a value that is not an object says what it should be. */
function discriminated(what: string, types: string[]) {
  const list = types.map((type) => `"${type}"`);
  const phrase = `${list.slice(0, -1).join(', ')} or ${list.at(-1)}`;
  return (issue: { code: string }) => (issue.code === 'invalid_type' ? what : phrase);
}

const schemas = { known: schemaFor(false), newer: schemaFor(true) };

/**
 * Checks parsed JSON against the nbformat 4 schema and returns it with multi-line text joined.
 * Anything else is a ManifestError naming `name`, the JSON path of the first problem and what belongs there.
 */
export function validateNotebook(json: unknown, name: string): Notebook {
  const refuse = (problem: string, hint = fixOrResave) => new ManifestError(`${name}: not an nbformat 4 notebook: ${problem}`, { hint });
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    const kind = Array.isArray(json) ? 'a JSON array' : json === null ? 'JSON null' : `a JSON ${typeof json}`;
    throw refuse(`the file holds ${kind}, where a notebook is a JSON object with nbformat, metadata and cells`, resave);
  }
  const header = json as Record<string, unknown>;
  if (typeof header.nbformat === 'number' && header.nbformat !== 4) {
    throw refuse(`it is nbformat ${header.nbformat}; repro reads nbformat 4 (4.0 to 4.${latestMinor})`, convert(name));
  }
  const newer = typeof header.nbformat_minor === 'number' && header.nbformat_minor > latestMinor;
  const parsed = (newer ? schemas.newer : schemas.known).safeParse(json);
  if (!parsed.success) {
    const issues = rank(parsed.error.issues);
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
    throw refuse(explain(issues[0], json) + more);
  }
  const notebook: Notebook = parsed.data;
  const seen = new Map<string, number>();
  for (const [index, cell] of notebook.cells.entries()) {
    if (cell.id === undefined) continue;
    const first = seen.get(cell.id);
    if (first !== undefined) {
      throw refuse(
        `cells[${index}].id ${JSON.stringify(cell.id)} is also the id of cells[${first}]; cell ids must be unique`,
        'Give one of the two cells another id, or open the notebook in Jupyter and save it (Jupyter replaces duplicate ids).',
      );
    }
    seen.set(cell.id, index);
  }
  return notebook;
}

const fixOrResave =
  'Fix that field (nbformat 4: https://nbformat.readthedocs.io/en/latest/format_description.html), or open the notebook in Jupyter and save it again.';
const resave = 'Restore the notebook from version control, or save it again from Jupyter.';
const convert = (name: string) =>
  `Convert it to nbformat 4: open it in Jupyter and save it, or run 'jupyter nbconvert --to notebook --nbformat 4 --inplace ${name}'.`;

// A wrong cell or output type makes every other complaint about it beside the point, so it is named first.
function rank(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  const fundamental = (issue: z.core.$ZodIssue) => {
    const last = issue.path.at(-1);
    return last === 'nbformat' || last === 'cell_type' || last === 'output_type' || (issue.code === 'invalid_type' && typeof last === 'number');
  };
  return [...issues.filter(fundamental), ...issues.filter((issue) => !fundamental(issue))];
}

function explain(issue: z.core.$ZodIssue, json: unknown): string {
  const where = jsonPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((key) => JSON.stringify(key)).join(', ');
    return `${where || 'the notebook'} has ${issue.keys.length > 1 ? 'keys' : 'a key'} ${keys} that nbformat 4 does not allow (${issue.message})`;
  }
  const value = valueAt(json, issue.path);
  if (value === undefined) return `${where} is missing (expected ${issue.message})`;
  return `${where || 'the notebook'} must be ${issue.message} (got ${describeValue(value)})`;
}

/** `cells[3].outputs[0].data["text/plain"]`: the path as one would write it in JavaScript. */
export function jsonPath(path: readonly PropertyKey[]): string {
  return path
    .map((part) => {
      if (typeof part === 'number') return `[${part}]`;
      const key = String(part);
      return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
    })
    .join('')
    .replace(/^\./, '');
}

function valueAt(json: unknown, path: readonly PropertyKey[]): unknown {
  let value = json;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return value.length > 40 ? `${JSON.stringify(value.slice(0, 39))}…` : JSON.stringify(value);
  return String(value);
}
