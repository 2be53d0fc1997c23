// Text files and text/plain outputs: numbers inside the text are compared with the tolerance, the rest exactly;
// a difference is shown as a unified diff whose long lines are cut to the part around their changes.
import { formatPatch, structuredPatch, type StructuredPatchHunk } from 'diff';
import type { Tolerance } from '../../manifest/schema.ts';
import type { Comparison } from '../types.ts';
import { describeNumberDeviation, judgeNumbers } from '../tolerance.ts';
import { lineWidth, pairedRanges, windowLine, windowPair } from '../word-diff.ts';
import { FindingCollector, identical } from './collect.ts';

const numberToken = /[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|\bNaN\b/g;

/** Largest unified diff kept for a report; a regenerated log should not make a 100 MB report. */
const diffLimit = 20_000;

export function compareText(committed: string, rerun: string, tolerance: Tolerance, label = 'text'): Comparison {
  const a = normalizeNewlines(committed);
  const b = normalizeNewlines(rerun);
  if (a === b) return identical();
  const collector = new FindingCollector();
  if (!compareNumbersInText(a, b, tolerance, collector)) {
    const line = firstDifferingLine(a, b);
    collector.fail(`line ${line} differs`, `line ${line}`);
    collector.largest = { text: describeLineChange(a, b, line), where: `line ${line}`, score: Infinity };
  }
  collector.textDiff = unifiedDiff(label, a, b);
  return collector.result();
}

/**
 * When the two texts differ only in numbers, judges each pair with the tolerance and returns true;
 * returns false when anything but numbers differs (then the caller reports the first differing line).
 */
function compareNumbersInText(a: string, b: string, tolerance: Tolerance, collector: FindingCollector): boolean {
  const numbersA = a.match(numberToken) ?? [];
  const numbersB = b.match(numberToken) ?? [];
  if (numbersA.length !== numbersB.length || a.replace(numberToken, '#') !== b.replace(numberToken, '#')) return false;
  const limits = { rtol: tolerance.rtol ?? 0, atol: tolerance.atol ?? 0, nanEqual: tolerance.nanEqual ?? false };
  const lineStarts = lineIndex(a);
  let searchFrom = 0;
  for (let i = 0; i < numbersA.length; i++) {
    const at = a.indexOf(numbersA[i], searchFrom);
    searchFrom = at + numbersA[i].length;
    if (numbersA[i] === numbersB[i]) continue;
    const judgement = judgeNumbers(Number(numbersA[i]), Number(numbersB[i]), limits);
    collector.add(
      {
        where: `line ${lineOf(lineStarts, at)}`,
        committed: numbersA[i],
        rerun: numbersB[i],
        deviation: describeNumberDeviation(judgement),
        withinTolerance: judgement.ok,
      },
      judgement.score,
    );
  }
  return true;
}

/** Myers' diff is quadratic in the changes: two long, very different texts give up after this long. */
const diffTimeoutMs = 5000;

export function unifiedDiff(label: string, a: string, b: string): string {
  const structured = structuredPatch(`committed/${label}`, `re-run/${label}`, a, b, undefined, undefined, { context: 2, timeout: diffTimeoutMs });
  if (structured === undefined) return `(no diff of ${label}: the texts differ too much to diff within ${diffTimeoutMs / 1000} s)\n`;
  for (const hunk of structured.hunks) hunk.lines = windowHunk(hunk);
  const patch = formatPatch(structured);
  return patch.length > diffLimit ? patch.slice(0, diffLimit) + '\n… (diff truncated)\n' : patch;
}

/**
 * A hunk's lines with every long line cut to the part around its changes: the i-th removed line of a run is paired
 * with the i-th added line that follows it and both are windowed around their changed words; other long lines keep
 * their start.
 */
export function windowHunk(hunk: Pick<StructuredPatchHunk, 'lines'>): string[] {
  const lines = [...hunk.lines];
  const cut = (at: number) => {
    if (lines[at].length > lineWidth + 1) lines[at] = lines[at][0] + windowLine(lines[at].slice(1), []);
  };
  for (let i = 0; i < lines.length; ) {
    if (!lines[i].startsWith('-')) {
      if (!lines[i].startsWith('\\')) cut(i);
      i++;
      continue;
    }
    // A "\ No newline at end of file" marker may sit inside either run.
    const removed: number[] = [];
    const added: number[] = [];
    for (; i < lines.length && (lines[i].startsWith('-') || lines[i].startsWith('\\')); i++) if (lines[i].startsWith('-')) removed.push(i);
    for (; i < lines.length && (lines[i].startsWith('+') || lines[i].startsWith('\\')); i++) if (lines[i].startsWith('+')) added.push(i);
    for (let k = 0; k < Math.max(removed.length, added.length); k++) {
      const [a, b] = [removed[k], added[k]];
      if (a !== undefined && b !== undefined) {
        const [wa, wb] = windowPair(lines[a].slice(1), lines[b].slice(1));
        lines[a] = '-' + wa;
        lines[b] = '+' + wb;
      } else cut(a ?? b);
    }
  }
  return lines;
}

function normalizeNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

function firstDifferingLine(a: string, b: string): number {
  const linesA = a.split('\n');
  const linesB = b.split('\n');
  let i = 0;
  while (i < linesA.length && i < linesB.length && linesA[i] === linesB[i]) i++;
  return i + 1;
}

/** The line before and after, each cut to about 40 characters around its first changed words. */
export function describeLineChange(a: string, b: string, line: number): string {
  const lineA = a.split('\n')[line - 1];
  const lineB = b.split('\n')[line - 1];
  if (lineA === undefined || lineB === undefined) {
    const shorten = (s: string | undefined) => (s === undefined ? '(none)' : JSON.stringify(windowLine(s, [], 40)));
    return `${shorten(lineA)} → ${shorten(lineB)}`;
  }
  const [rangesA, rangesB] = pairedRanges(lineA, lineB);
  return `${JSON.stringify(windowLine(lineA, rangesA.slice(0, 1), 40, 12))} → ${JSON.stringify(windowLine(lineB, rangesB.slice(0, 1), 40, 12))}`;
}

function lineIndex(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

function lineOf(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}
