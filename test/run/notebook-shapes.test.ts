// parseNotebook on notebooks as Jupyter writes them (nbformat 4.0 to 4.5, text as strings or lists of lines, with
// or without ids, stale outputs, attachments, widgets), each read to one shape and written back as it was; and on
// broken ones, each refused with exit 2 and its fix, never a crash.
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createProgress } from '../../src/cli/progress.ts';
import { ManifestError } from '../../src/errors.ts';
import type { Output } from '../../src/kernel/outputs.ts';
import { loadManifest } from '../../src/manifest/load.ts';
import { cleanNotebook, pathScrubber } from '../../src/run/clean.ts';
import { runEntrypoints } from '../../src/run/index.ts';
import { parseNotebook, readNotebook, serializeNotebook, type CodeCell, type Notebook } from '../../src/run/notebook.ts';
import { fixtures, repoRoot } from './project.ts';

const shapes = join(fixtures, 'shapes');
const bytes = (file: string) => readFile(join(shapes, file), 'utf8');
const read = (file: string) => readNotebook(join(shapes, file), `notebooks/${file}`);
const code = (notebook: Notebook, index: number) => notebook.cells[index] as CodeCell;
const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

async function refusal(file: string): Promise<ManifestError> {
  return expectRefused(() => read(file));
}

async function expectRefused(attempt: () => unknown): Promise<ManifestError> {
  const error = await Promise.resolve().then(attempt).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ManifestError);
  expect((error as ManifestError).exitCode).toBe(2);
  return error as ManifestError;
}

describe('notebooks as Jupyter writes them', () => {
  it('nbformat 4.0 without ids: read, and written back byte for byte without ids', async () => {
    const notebook = await read('v4.0-no-ids.ipynb');
    expect(notebook.nbformat_minor).toBe(0);
    expect(notebook.cells.map((cell) => 'id' in cell)).toEqual([false, false, false]);
    expect(notebook.cells.map((cell) => cell.source)).toEqual([
      '# An old notebook\n\nSaved by IPython 3.',
      'for (const i of [1, 2]) {\n  console.log(i);\n}',
      '',
    ]);
    expect(code(notebook, 1)).toMatchObject({ execution_count: 1, metadata: { collapsed: false } });
    expect(code(notebook, 1).outputs).toEqual([{ name: 'stdout', output_type: 'stream', text: '1\n2\n' }]);
    expect(serializeNotebook(notebook)).toBe(await bytes('v4.0-no-ids.ipynb'));
  });

  it('nbformat 4.4: execution timestamps, tags, scrolled, raw format, title and authors kept', async () => {
    const notebook = await read('v4.4.ipynb');
    expect(notebook.nbformat_minor).toBe(4);
    expect(notebook.metadata).toMatchObject({ title: 'Four point four', authors: [{ name: 'Ana' }], kernelspec: { name: 'tslab' } });
    expect(notebook.cells[0].metadata).toEqual({
      execution: {
        'iopub.execute_input': '2024-03-01T10:00:00.100Z',
        'iopub.status.busy': '2024-03-01T10:00:00.090Z',
        'iopub.status.idle': '2024-03-01T10:00:00.250Z',
        'shell.execute_reply': '2024-03-01T10:00:00.240Z',
      },
      scrolled: 'auto',
      tags: ['parameters'],
    });
    expect(notebook.cells[1]).toEqual({
      cell_type: 'raw',
      metadata: { format: 'text/restructuredtext', jupyter: { source_hidden: true } },
      source: '.. note:: raw\n',
    });
    expect(serializeNotebook(notebook)).toBe(await bytes('v4.4.ipynb'));
  });

  it('nbformat 4.5 with ids: the ids kept in order', async () => {
    const notebook = await read('v4.5-ids.ipynb');
    expect(notebook.nbformat_minor).toBe(5);
    expect(notebook.cells.map((cell) => [cell.cell_type, cell.id])).toEqual([
      ['markdown', '0f6b1c2e'],
      ['code', 'a1b2c3d4-e5f6-4711-8899-aabbccddeeff'],
      ['raw', 'raw_cell-1'],
    ]);
    expect(serializeNotebook(notebook)).toBe(await bytes('v4.5-ids.ipynb'));
  });

  it('sources and output text as single strings: read as they are, written as lists of lines', async () => {
    const notebook = await read('string-sources.ipynb');
    expect(notebook.cells.map((cell) => cell.source)).toEqual(['# Strings\nnot lists', "console.log('a');\nconsole.log('b');\n42"]);
    expect(code(notebook, 1).outputs).toEqual([
      { name: 'stdout', output_type: 'stream', text: 'a\nb\n' },
      { data: { 'text/plain': '42' }, execution_count: 1, metadata: {}, output_type: 'execute_result' },
    ]);
    const written = JSON.parse(serializeNotebook(notebook));
    expect(written.cells[0].source).toEqual(['# Strings\n', 'not lists']);
    expect(written.cells[1].source).toEqual(["console.log('a');\n", "console.log('b');\n", '42']);
    expect(written.cells[1].outputs[0].text).toEqual(['a\n', 'b\n']);
    expect(written.cells[1].outputs[1].data['text/plain']).toEqual(['42']);
  });

  it('sources as lists of lines: joined exactly, an empty list to an empty source', async () => {
    const notebook = await read('list-sources.ipynb');
    expect(notebook.cells.map((cell) => cell.source)).toEqual(['const a = 1;\n\nconst b = a + 1;\nb', '', 'one line\n']);
    expect(serializeNotebook(notebook)).toBe(await bytes('list-sources.ipynb'));
  });

  it('stale outputs of an earlier run: every multi-line text joined, JSON and tracebacks left as they are', async () => {
    const notebook = await read('stale-outputs.ipynb');
    expect(code(notebook, 0).outputs).toEqual([
      { name: 'stdout', output_type: 'stream', text: 'reading /home/ana/project/data/x.csv\n3 rows\n' },
    ]);
    expect(code(notebook, 2).outputs).toEqual([
      {
        data: { 'text/html': '<table>\n<tr><td>/home/ana/project</td></tr>\n</table>\n', 'text/plain': '[\n  1,\n  2\n]' },
        execution_count: 3,
        metadata: {},
        output_type: 'execute_result',
      },
      {
        data: { 'application/json': { rows: ['a', 'b'] }, 'image/png': `${png}\n`, 'text/plain': '<Figure>\n' },
        metadata: { 'image/png': { height: 1, width: 1 } },
        output_type: 'display_data',
      },
      { name: 'stderr', output_type: 'stream', text: 'warning: /home/ana/project/tmp\n' },
    ]);
    expect(code(notebook, 3).outputs).toEqual([
      { ename: 'Error', evalue: 'no /home/ana/project/y', output_type: 'error', traceback: ['Error: no /home/ana/project/y', '    at <anonymous>:1:7'] },
    ]);
    expect(serializeNotebook(notebook)).toBe(await bytes('stale-outputs.ipynb'));
  });

  it('attachments of markdown and raw cells: kept, their text joined on read and split again on write', async () => {
    const notebook = await read('attachments.ipynb');
    expect(notebook.cells[0]).toMatchObject({ cell_type: 'markdown', attachments: { 'pasted.png': { 'image/png': png } } });
    expect(notebook.cells[0].source).toContain('](attachment:pasted.png)');
    expect(notebook.cells[1]).toMatchObject({ cell_type: 'raw', attachments: { 'notes.txt': { 'text/plain': 'first line\nsecond line\n' } } });
    expect(serializeNotebook(notebook)).toBe(await bytes('attachments.ipynb'));
  });

  it('widget metadata and widget views: kept on read and write; an executed notebook drops the saved widget state', async () => {
    const notebook = await read('widgets.ipynb');
    const state = (notebook.metadata.widgets as Record<string, { state: Record<string, unknown> }>)['application/vnd.jupyter.widget-state+json'];
    expect(Object.keys(state.state)).toEqual(['5f1e0c0e2a8d4c1b9d3e4f5a6b7c8d9e']);
    const view = { model_id: '5f1e0c0e2a8d4c1b9d3e4f5a6b7c8d9e', version_major: 2, version_minor: 0 };
    expect(code(notebook, 0).outputs).toEqual([
      { data: { 'application/vnd.jupyter.widget-view+json': view, 'text/plain': 'IntSlider(value=3)' }, metadata: {}, output_type: 'display_data' },
    ]);
    expect(serializeNotebook(notebook)).toBe(await bytes('widgets.ipynb'));
    const cleaned = cleanNotebook(notebook, { parameters: {}, scrub: (text) => text });
    expect(cleaned.metadata.widgets).toBeUndefined();
    expect(code(cleaned, 0).outputs).toEqual(code(notebook, 0).outputs);
  });

  it('an id on a cell of nbformat 4.0 to 4.4 is allowed and kept; a 4.5 notebook without ids is read as nbformat reads it', () => {
    const cell = (id?: string) => ({ cell_type: 'markdown', ...(id ? { id } : {}), metadata: {}, source: [] });
    const early = parseNotebook(JSON.stringify({ cells: [cell('intro')], metadata: {}, nbformat: 4, nbformat_minor: 2 }), 'x.ipynb');
    expect(early.cells[0].id).toBe('intro');
    expect(serializeNotebook(early)).toContain('"id": "intro"');
    const late = parseNotebook(JSON.stringify({ cells: [cell(), cell()], metadata: {}, nbformat: 4, nbformat_minor: 5 }), 'x.ipynb');
    expect(late.cells.map((c) => c.id)).toEqual([undefined, undefined]);
    // The executed notebook gets ids from the cells' positions, as 4.5 requires.
    expect(cleanNotebook(late, { parameters: {}, scrub: (text) => text }).cells.map((c) => c.id)).toEqual(['cell-0', 'cell-1']);
  });

  it('a newer minor version (4.6): read by the 4.5 rules, its new keys kept', () => {
    const json = {
      cells: [{ cell_type: 'code', execution_count: null, future_key: 1, id: 'a', metadata: {}, outputs: [], source: [] }],
      future_top: { x: 1 },
      metadata: {},
      nbformat: 4,
      nbformat_minor: 6,
    };
    const notebook = parseNotebook(JSON.stringify(json), 'x.ipynb');
    expect(notebook.future_top).toEqual({ x: 1 });
    expect(notebook.cells[0]).toMatchObject({ future_key: 1 });
    expect(JSON.parse(serializeNotebook(notebook))).toEqual(json);
  });

  it('a byte-order mark before the JSON is ignored', async () => {
    const notebook = parseNotebook(`\uFEFF${await bytes('v4.5-ids.ipynb')}`, 'x.ipynb');
    expect(notebook.cells).toHaveLength(3);
  });
});

describe('stale outputs after a failed cell', () => {
  it('cleanNotebook scrubs the stale list-text outputs of a Jupyter-saved notebook (was: result.replace is not a function)', async () => {
    const notebook = await read('stale-outputs.ipynb');
    const cleaned = cleanNotebook(notebook, { parameters: { seed: 1 }, scrub: pathScrubber([['/home/ana/project', '.']]) });
    expect(code(cleaned, 0).outputs).toEqual([{ name: 'stdout', output_type: 'stream', text: 'reading ./data/x.csv\n3 rows\n' }]);
    expect(code(cleaned, 2).outputs).toEqual([
      {
        data: { 'text/html': '<table>\n<tr><td>.</td></tr>\n</table>\n', 'text/plain': '[\n  1,\n  2\n]' },
        execution_count: 3,
        metadata: {},
        output_type: 'execute_result',
      },
      {
        data: { 'application/json': { rows: ['a', 'b'] }, 'image/png': `${png}\n`, 'text/plain': '<Figure>\n' },
        metadata: { 'image/png': { height: 1, width: 1 } },
        output_type: 'display_data',
      },
      { name: 'stderr', output_type: 'stream', text: 'warning: ./tmp\n' },
    ]);
    expect(code(cleaned, 3).outputs).toEqual([
      { ename: 'Error', evalue: 'no ./y', output_type: 'error', traceback: ['Error: no ./y', '    at <anonymous>:1:7'] },
    ]);
    expect(cleaned.metadata.repro).toEqual({ parameters: { seed: 1 } });
    // Written as nbformat writes it, and read back to the same notebook.
    const written = serializeNotebook(cleaned);
    expect(JSON.parse(written).cells[2].outputs[0].data['text/html']).toEqual(['<table>\n', '<tr><td>.</td></tr>\n', '</table>\n']);
    expect(parseNotebook(written, 'x.ipynb')).toEqual(cleaned);
  });

  it('repro run on it with a real kernel: the failed cell reported, the partial notebook kept with the stale outputs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'repro-shapes-test-'));
    try {
      await mkdir(join(dir, 'notebooks'));
      await symlink(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
      await copyFile(join(shapes, 'stale-outputs.ipynb'), join(dir, 'notebooks', 'stale-outputs.ipynb'));
      const manifest = { name: 'shapes', environment: { node: '20.20.2' }, entrypoints: [{ notebook: 'notebooks/stale-outputs.ipynb', outputs: 'results/stale' }] };
      await writeFile(join(dir, 'research.yaml'), JSON.stringify(manifest, null, 1) + '\n');
      const [result] = await runEntrypoints({
        projectDir: dir,
        loaded: await loadManifest(dir),
        engine: 'local',
        progress: createProgress({ quiet: true }),
      });
      expect(result).toMatchObject({ status: 'failed', cellIndex: 1, ename: 'RangeError', evalue: 'stale outputs follow' });
      const partial = await readNotebook(result.failedNotebook ?? '', 'failed');
      // Run afresh, its host path scrubbed (the kernel's folder is the project's or the notebook's).
      expect(code(partial, 0).outputs).toMatchObject([{ name: 'stdout', output_type: 'stream' }]);
      expect((code(partial, 0).outputs[0] as { text: string }).text).toMatch(/^reading \.(\/notebooks)?\/data\/x\.csv\n3 rows\n$/);
      const stale = await read('stale-outputs.ipynb');
      expect(code(partial, 2).outputs).toEqual(code(stale, 2).outputs);
      expect(code(partial, 3).outputs).toEqual(code(stale, 3).outputs);
      expect(partial.cells.map((cell) => cell.id)).toEqual(['setup', 'fails', 'table', 'error']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('cleanNotebook also takes outputs that still hold lists of lines (a notebook not read by parseNotebook)', () => {
    const outputs = [
      { name: 'stdout', output_type: 'stream', text: ['/home/ana/project\n', 'b\n'] },
      { data: { 'text/plain': ['/home/ana/project/', 'c'], 'application/json': ['x'] }, metadata: {}, output_type: 'display_data' },
    ] as unknown as Output[];
    const notebook: Notebook = {
      cells: [{ cell_type: 'code', execution_count: 1, metadata: {}, outputs, source: '' }],
      metadata: {},
      nbformat: 4,
      nbformat_minor: 4,
    };
    const cleaned = cleanNotebook(notebook, { parameters: {}, scrub: pathScrubber([['/home/ana/project', '.']]) });
    expect(code(cleaned, 0).outputs).toEqual([
      { name: 'stdout', output_type: 'stream', text: '.\nb\n' },
      { data: { 'text/plain': './c', 'application/json': ['x'] }, metadata: {}, output_type: 'display_data' },
    ]);
  });
});

describe('broken notebooks: exit 2, the notebook, the JSON path, what belongs there and the fix', () => {
  const resave = 'or open the notebook in Jupyter and save it again.';

  it('no cells', async () => {
    const error = await refusal('missing-cells.ipynb');
    expect(error.message).toBe('notebooks/missing-cells.ipynb: not an nbformat 4 notebook: cells is missing (expected a list of cells)');
    expect(error.hint).toContain(resave);
  });

  it('an output of an unknown type', async () => {
    const error = await refusal('bad-output-type.ipynb');
    expect(error.message).toBe(
      'notebooks/bad-output-type.ipynb: not an nbformat 4 notebook: ' +
        'cells[1].outputs[0].output_type must be "stream", "display_data", "execute_result" or "error" (got "display")',
    );
    expect(error.hint).toContain('Fix that field');
  });

  it('a stream that is neither stdout nor stderr', async () => {
    const error = await refusal('bad-stream-name.ipynb');
    expect(error.message).toBe(
      'notebooks/bad-stream-name.ipynb: not an nbformat 4 notebook: cells[0].outputs[1].name must be "stdout" or "stderr" (got "stdlog")',
    );
  });

  it('two cells with one id', async () => {
    const error = await refusal('duplicate-id.ipynb');
    expect(error.message).toBe(
      'notebooks/duplicate-id.ipynb: not an nbformat 4 notebook: cells[2].id "setup" is also the id of cells[0]; cell ids must be unique',
    );
    expect(error.hint).toBe('Give one of the two cells another id, or open the notebook in Jupyter and save it (Jupyter replaces duplicate ids).');
  });

  it('nbformat 3 (IPython 2), and a made-up nbformat 5', async () => {
    const error = await refusal('nbformat3.ipynb');
    expect(error.message).toBe('notebooks/nbformat3.ipynb: not an nbformat 4 notebook: it is nbformat 3; repro reads nbformat 4 (4.0 to 4.5)');
    expect(error.hint).toBe(
      "Convert it to nbformat 4: open it in Jupyter and save it, or run 'jupyter nbconvert --to notebook --nbformat 4 --inplace notebooks/nbformat3.ipynb'.",
    );
    const five = await expectRefused(() => parseNotebook('{"nbformat": 5, "nbformat_minor": 0, "cells": []}', 'x.ipynb'));
    expect(five.message).toBe('x.ipynb: not an nbformat 4 notebook: it is nbformat 5; repro reads nbformat 4 (4.0 to 4.5)');
  });

  it('not JSON (a merge left conflict markers): line and column, and how to resolve it', async () => {
    const error = await refusal('not-json.ipynb');
    expect(error.message).toMatch(/^notebooks\/not-json\.ipynb:5:1: not valid JSON: /);
    expect(error.position).toEqual({ file: 'notebooks/not-json.ipynb', line: 5, column: 1 });
    expect(error.hint).toContain('merge conflict markers');
  });

  it('an empty file', async () => {
    const error = await refusal('empty.ipynb');
    expect(error.message).toBe('notebooks/empty.ipynb: the file is empty, not a notebook');
    expect(error.hint).toBe('Restore the notebook from version control, or save it again from Jupyter.');
  });

  it.each([
    ['[]', 'the file holds a JSON array, where a notebook is a JSON object with nbformat, metadata and cells'],
    ['null', 'the file holds JSON null, where a notebook is a JSON object with nbformat, metadata and cells'],
    ['"notebook"', 'the file holds a JSON string, where a notebook is a JSON object with nbformat, metadata and cells'],
    ['{"nbformat": "4", "nbformat_minor": 4, "metadata": {}, "cells": []}', 'nbformat must be 4 (got "4")'],
    ['{"nbformat": 4, "nbformat_minor": 4.5, "metadata": {}, "cells": []}', 'nbformat_minor must be a whole number (got 4.5)'],
    ['{"nbformat": 4, "nbformat_minor": 4, "cells": []}', 'metadata is missing (expected an object)'],
    ['{"nbformat": 4, "nbformat_minor": 4, "metadata": {}, "cells": [], "worksheets": []}', 'the notebook has a key "worksheets" that nbformat 4 does not allow (keys of a notebook: cells, metadata, nbformat, nbformat_minor)'],
  ])('JSON that is not a notebook: %s', async (text, problem) => {
    const error = await expectRefused(() => parseNotebook(text, 'x.ipynb'));
    expect(error.message).toBe(`x.ipynb: not an nbformat 4 notebook: ${problem}`);
  });

  const notebookWith = (cell: Record<string, unknown>, minor = 5) =>
    JSON.stringify({ cells: [{ cell_type: 'markdown', id: 'first', metadata: {}, source: [] }, cell], metadata: {}, nbformat: 4, nbformat_minor: minor });
  const codeCell = { cell_type: 'code', execution_count: null, id: 'c', metadata: {}, outputs: [], source: [] };

  it.each([
    [{ ...codeCell, attachments: {} }, 'cells[1] has a key "attachments" that nbformat 4 does not allow (keys of a code cell: cell_type, execution_count, id, metadata, outputs, source)'],
    [{ ...codeCell, id: 'has space' }, 'cells[1].id must be 1 to 64 letters, digits, "-" or "_" (got "has space")'],
    [{ ...codeCell, id: 'x'.repeat(65) }, 'cells[1].id must be 1 to 64 letters, digits, "-" or "_" (got "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"…)'],
    [{ ...codeCell, execution_count: -1 }, 'cells[1].execution_count must be a whole number ≥ 0 or null (got -1)'],
    [{ ...codeCell, outputs: undefined }, 'cells[1].outputs is missing (expected a list of outputs)'],
    [{ ...codeCell, source: ['a', 1] }, 'cells[1].source must be a string or a list of strings (got a list)'],
    [{ ...codeCell, metadata: { tags: ['a,b'] } }, 'cells[1].metadata.tags[0] must be a tag without commas (got "a,b")'],
    [{ ...codeCell, outputs: [{ output_type: 'display_data', data: { 'image/png': { x: 1 } }, metadata: {} }] }, 'cells[1].outputs[0].data["image/png"] must be a string or a list of strings (got an object)'],
    [{ ...codeCell, outputs: [{ output_type: 'execute_result', data: {}, metadata: {} }] }, 'cells[1].outputs[0].execution_count is missing (expected a whole number ≥ 0 or null)'],
    [{ ...codeCell, outputs: [{ output_type: 'error', ename: 'E', evalue: 'v', traceback: 'E: v' }] }, 'cells[1].outputs[0].traceback must be a list of strings (got "E: v")'],
    [{ ...codeCell, outputs: [null] }, 'cells[1].outputs[0] must be an output (an object) (got null)'],
    [{ cell_type: 'picture', metadata: {}, source: [], id: 'a b' }, 'cells[1].cell_type must be "code", "markdown" or "raw" (got "picture")'],
  ])('a cell that breaks the schema: %j', async (cell, problem) => {
    const error = await expectRefused(() => parseNotebook(notebookWith(cell), 'x.ipynb'));
    expect(error.message).toBe(`x.ipynb: not an nbformat 4 notebook: ${problem}`);
    expect(error.hint).toContain(resave);
  });

  it('names a wrong cell type before the other problems, and counts them', () => {
    const text = JSON.stringify({
      cells: [{ cell_type: 'code', metadata: {}, source: 1 }, { cell_type: 'picture', metadata: {}, source: [] }],
      metadata: {},
      nbformat: 4,
      nbformat_minor: 4,
    });
    expect(() => parseNotebook(text, 'x.ipynb')).toThrow(
      'x.ipynb: not an nbformat 4 notebook: cells[1].cell_type must be "code", "markdown" or "raw" (got "picture") (and 3 more problems)',
    );
  });

  it('no broken value anywhere in a Jupyter-saved notebook crashes reading, cleaning or writing it', async () => {
    const original = JSON.parse(await bytes('stale-outputs.ipynb')) as unknown;
    const replacements: unknown[] = [null, 7, -1.5, '', 'x', true, [], [1], {}, { a: [] }];
    let refused = 0;
    let accepted = 0;
    for (const path of paths(original)) {
      for (const replacement of replacements) {
        const text = JSON.stringify(replaceAt(original, path, replacement));
        let notebook: Notebook;
        try {
          notebook = parseNotebook(text, 'x.ipynb');
        } catch (error) {
          expect(error, `${path.join('.')} = ${JSON.stringify(replacement)}`).toBeInstanceOf(ManifestError);
          refused++;
          continue;
        }
        accepted++;
        const cleaned = cleanNotebook(notebook, { parameters: {}, scrub: pathScrubber([['/home/ana/project', '.']]) });
        expect(parseNotebook(serializeNotebook(cleaned), 'x.ipynb')).toEqual(cleaned);
      }
    }
    expect(refused).toBeGreaterThan(500);
    expect(accepted).toBeGreaterThan(50);
  });
});

/** Every path to a value inside `value` (objects and arrays), the root excluded. */
function paths(value: unknown, prefix: PropertyKey[] = []): PropertyKey[][] {
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const path = [...prefix, Array.isArray(value) ? Number(key) : key];
    return [path, ...paths(child, path)];
  });
}

function replaceAt(value: unknown, path: PropertyKey[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<PropertyKey, unknown>;
  copy[path[0]] = replaceAt(copy[path[0]], path.slice(1), replacement);
  return copy;
}
