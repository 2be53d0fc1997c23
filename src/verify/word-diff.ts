// Within a changed line, which words changed; and, for a long line, the part of it around the changes (… on the
// cut sides), so that a change at column 900 of an SVG line is shown rather than cut off at the end.
import { diffWordsWithSpace } from 'diff';

export interface Segment {
  text: string;
  changed: boolean;
}

/** Longest line shown whole; longer ones are windowed around their changes. */
export const lineWidth = 160;
/** Characters kept on each side of a change in a windowed line. */
export const windowContext = 60;
/** Windows shown per line at most; further changes are left to the "…". */
const windowLimit = 4;
/** Lines longer than this together are not word-diffed (Myers is quadratic): the common head and tail are used. */
const wordDiffLimit = 20_000;

/** Each line as segments, changed ones marked: removed words in `a`, added words in `b`. */
export function wordDiff(a: string, b: string): { a: Segment[]; b: Segment[] } {
  if (a.length + b.length > wordDiffLimit) return headTailDiff(a, b);
  const outA: Segment[] = [];
  const outB: Segment[] = [];
  for (const change of diffWordsWithSpace(a, b)) {
    if (!change.added) push(outA, change.value, change.removed);
    if (!change.removed) push(outB, change.value, change.added);
  }
  return { a: outA, b: outB };
}

function push(segments: Segment[], text: string, changed: boolean): void {
  const last = segments[segments.length - 1];
  if (last && last.changed === changed) last.text += text;
  else if (text) segments.push({ text, changed });
}

/** The common start and end of two lines unchanged, everything between changed. */
function headTailDiff(a: string, b: string): { a: Segment[]; b: Segment[] } {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const split = (s: string): Segment[] => {
    const out: Segment[] = [];
    push(out, s.slice(0, head), false);
    push(out, s.slice(head, s.length - tail), true);
    push(out, s.slice(s.length - tail), false);
    return out;
  };
  return { a: split(a), b: split(b) };
}

/** [start, end) of the changed segments. */
export function changedRanges(segments: Segment[]): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let at = 0;
  for (const s of segments) {
    if (s.changed) ranges.push([at, at + s.text.length]);
    at += s.text.length;
  }
  return ranges;
}

/**
 * The line, or when it is longer than `width`, the windows around the changed ranges (`context` characters on
 * each side, near ones merged, at most four), joined and ended with "…" where text was cut. A line with no change
 * in it keeps its start.
 */
export function windowLine(line: string, ranges: Array<[number, number]>, width = lineWidth, context = windowContext): string {
  if (line.length <= width) return line;
  if (ranges.length === 0) return line.slice(0, width - 1) + '…';
  const windows: Array<[number, number]> = [];
  for (const [start, end] of ranges) {
    // A change longer than the line width shows its start.
    const from = Math.max(0, start - context);
    const to = Math.min(line.length, Math.min(end, start + width) + context);
    const last = windows[windows.length - 1];
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else windows.push([from, to]);
  }
  const shown = windows.slice(0, windowLimit);
  let out = shown[0][0] > 0 ? '…' : '';
  for (const [from, to] of shown) out += line.slice(from, to) + (to < line.length ? '…' : '');
  return out;
}

/** A removed and an added line, each windowed around its own changes (lines within `width` are kept whole). */
export function windowPair(a: string, b: string, width = lineWidth, context = windowContext): [string, string] {
  if (a.length <= width && b.length <= width) return [a, b];
  const [rangesA, rangesB] = pairedRanges(a, b);
  return [windowLine(a, rangesA, width, context), windowLine(b, rangesB, width, context)];
}

/**
 * The changed ranges of both lines. A line with only the other's words added to it gets the point where they go
 * (the text before the first change is the same in both, so its offset holds in both).
 */
export function pairedRanges(a: string, b: string): [Array<[number, number]>, Array<[number, number]>] {
  const diff = wordDiff(a, b);
  const rangesA = changedRanges(diff.a);
  const rangesB = changedRanges(diff.b);
  const first = Math.min(rangesA[0]?.[0] ?? Infinity, rangesB[0]?.[0] ?? Infinity);
  const point: Array<[number, number]> = Number.isFinite(first) ? [[first, first]] : [];
  return [rangesA.length > 0 ? rangesA : point, rangesB.length > 0 ? rangesB : point];
}
