// Executed notebooks: sources and outputs compared cell by cell, each output by its MIME type with the rules of
// the matching file comparer; execution counts and all metadata (timestamps, kernel versions) are ignored.
import type { Tolerance } from '../../manifest/schema.ts';
import type { Comparison, CompareContext } from '../types.ts';
import { FindingCollector, unreadable } from './collect.ts';
import { compareCsv } from './csv.ts';
import { compareJsonValues, type JsonValue } from './json.ts';
import { comparePng } from './png.ts';
import { compareSvg } from './svg.ts';
import { compareText, unifiedDiff } from './text.ts';

type MultilineString = string | string[];

interface Output {
  output_type: string;
  name?: string;
  text?: MultilineString;
  data?: Record<string, JsonValue>;
  ename?: string;
  evalue?: string;
}

interface Cell {
  cell_type: string;
  source: MultilineString;
  outputs?: Output[];
}

export async function compareIpynb(committed: Buffer, rerun: Buffer, context: CompareContext): Promise<Comparison> {
  const a = parseNotebook(committed);
  if (typeof a === 'string') return unreadable('committed', a);
  const b = parseNotebook(rerun);
  if (typeof b === 'string') return unreadable('re-run', b);
  const collector = new FindingCollector();
  if (a.length !== b.length) collector.fail(`${a.length} cells → ${b.length} cells`, `cell ${Math.min(a.length, b.length)}`);
  for (let i = 0; i < Math.min(a.length, b.length); i++) await compareCell(a[i], b[i], `cell ${i}`, context, collector);
  return collector.result();
}

function parseNotebook(bytes: Buffer): Cell[] | string {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    return `not JSON (${error instanceof Error ? error.message : String(error)})`;
  }
  const cells = (value as { cells?: unknown } | null)?.cells;
  if (!Array.isArray(cells)) return 'not a notebook (no "cells" array)';
  return cells as Cell[];
}

async function compareCell(a: Cell, b: Cell, where: string, context: CompareContext, collector: FindingCollector): Promise<void> {
  if (a.cell_type !== b.cell_type) {
    collector.fail(`${where}: a ${a.cell_type} cell → a ${b.cell_type} cell`, where);
    return;
  }
  const sourceA = joinLines(a.source);
  const sourceB = joinLines(b.source);
  if (sourceA !== sourceB) {
    collector.fail(`${where}: the source differs (the notebook was edited since the results were committed)`, where);
    collector.textDiff = (collector.textDiff ?? '') + unifiedDiff(`${where} source`, sourceA, sourceB);
  }
  const outputsA = a.outputs ?? [];
  const outputsB = b.outputs ?? [];
  if (outputsA.length !== outputsB.length) collector.fail(`${where}: ${outputsA.length} outputs → ${outputsB.length} outputs`, where);
  for (let j = 0; j < Math.min(outputsA.length, outputsB.length); j++) {
    await compareOutput(outputsA[j], outputsB[j], `${where} output ${j}`, context, collector);
  }
}

async function compareOutput(a: Output, b: Output, where: string, context: CompareContext, collector: FindingCollector): Promise<void> {
  if (a.output_type !== b.output_type) {
    collector.fail(`${where}: ${a.output_type} → ${b.output_type}`, where);
    return;
  }
  if (a.output_type === 'stream') {
    if (a.name !== b.name) collector.fail(`${where}: stream ${a.name} → ${b.name}`, where);
    collector.merge(`${where} (${a.name ?? 'stream'})`, compareText(joinLines(a.text), joinLines(b.text), context.tolerance, `${where}.txt`));
  } else if (a.output_type === 'error') {
    if (a.ename !== b.ename || a.evalue !== b.evalue) collector.fail(`${where}: error ${a.ename}: ${a.evalue} → ${b.ename}: ${b.evalue}`, where);
  } else {
    const dataA = a.data ?? {};
    const dataB = b.data ?? {};
    for (const mime of Object.keys(dataA)) {
      if (!(mime in dataB)) collector.fail(`${where}: ${mime} missing from the re-run`, `${where} ${mime}`);
      else collector.merge(`${where} ${mime}`, await compareMime(mime, dataA[mime], dataB[mime], where, context.tolerance));
    }
    for (const mime of Object.keys(dataB)) {
      if (!(mime in dataA)) collector.fail(`${where}: extra ${mime} in the re-run`, `${where} ${mime}`);
    }
  }
}

/** One MIME bundle entry, compared like a file of that type would be. */
export async function compareMime(mime: string, a: JsonValue, b: JsonValue, where: string, tolerance: Tolerance): Promise<Comparison> {
  if (mime === 'application/json' || mime.endsWith('+json')) return compareJsonValues(a, b, tolerance);
  const textA = joinLines(a as MultilineString);
  const textB = joinLines(b as MultilineString);
  const context = { path: where, tolerance };
  if (mime === 'image/png') {
    return comparePng(Buffer.from(textA.replace(/\s/g, ''), 'base64'), Buffer.from(textB.replace(/\s/g, ''), 'base64'), context);
  }
  if (mime === 'image/svg+xml') return compareSvg(Buffer.from(textA), Buffer.from(textB), context);
  if (mime === 'text/csv') return compareCsv(Buffer.from(textA), Buffer.from(textB), context);
  return compareText(textA, textB, tolerance, `${where}.${mime.split('/')[1] ?? 'txt'}`);
}

function joinLines(value: MultilineString | undefined): string {
  if (value === undefined) return '';
  return Array.isArray(value) ? value.join('') : String(value);
}
