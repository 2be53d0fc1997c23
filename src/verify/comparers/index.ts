// Chooses the comparer for a file by its extension; equal bytes are identical without parsing anything.
import type { Tolerance } from '../../manifest/schema.ts';
import type { Deadline } from '../limits.ts';
import type { Comparer, Comparison, FileKind } from '../types.ts';
import { compareBinary } from './binary.ts';
import { unreadable } from './collect.ts';
import { compareCsv } from './csv.ts';
import { compareIpynb } from './ipynb.ts';
import { compareJson } from './json.ts';
import { comparePng } from './png.ts';
import { compareSvg } from './svg.ts';
import { compareText } from './text.ts';

const textExtensions = new Set(['txt', 'md', 'markdown', 'html', 'htm', 'log', 'xml', 'yaml', 'yml', 'tex', 'rst', 'ts', 'js', 'py', 'r', 'sql', 'sh', 'dot']);

export function kindOf(path: string): FileKind {
  const extension = /\.([^./]+)$/.exec(path)?.[1]?.toLowerCase() ?? '';
  if (extension === 'csv' || extension === 'tsv') return 'csv';
  if (extension === 'json' || extension === 'geojson') return 'json';
  if (extension === 'png' || extension === 'svg' || extension === 'ipynb') return extension;
  if (textExtensions.has(extension)) return 'text';
  return 'binary';
}

const comparers: Record<FileKind, Comparer> = {
  csv: compareCsv,
  json: compareJson,
  png: comparePng,
  svg: compareSvg,
  ipynb: compareIpynb,
  text: (a, b, context) => compareText(a.toString('utf8'), b.toString('utf8'), context.tolerance, context.path),
  binary: compareBinary,
};

export async function compareFile(path: string, committed: Buffer, rerun: Buffer, tolerance: Tolerance, deadline?: Deadline): Promise<Comparison> {
  const kind = kindOf(path);
  // Equal bytes are identical, except a table holding NaN: NaN equals NaN only when nanEqual says so.
  const nanToJudge = kind === 'csv' && !tolerance.nanEqual && /nan/i.test(committed.toString('latin1'));
  if (committed.equals(rerun) && !nanToJudge) return { verdict: 'identical', notes: [], findings: [], findingCount: 0, figures: [] };
  try {
    return await comparers[kind](committed, rerun, { path, tolerance, deadline });
  } catch (error) {
    // A comparer must never take verification down; an input it cannot handle is a failing verdict with the reason.
    return unreadable('both', error instanceof Error ? error.message : String(error));
  }
}

export { compareBinary, compareCsv, compareIpynb, compareJson, comparePng, compareSvg, compareText };
