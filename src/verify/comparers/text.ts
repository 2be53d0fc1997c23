// Text files and text/plain outputs: numbers inside the text are compared with the tolerance, the rest exactly;
// a difference is shown as a unified diff.
import { createTwoFilesPatch } from 'diff';
import type { Tolerance } from '../../manifest/schema.ts';
import type { Comparison } from '../types.ts';
import { describeNumberDeviation, judgeNumbers } from '../tolerance.ts';
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
  const patch = createTwoFilesPatch(`committed/${label}`, `re-run/${label}`, a, b, undefined, undefined, { context: 2, timeout: diffTimeoutMs });
  if (patch === undefined) return `(no diff of ${label}: the texts differ too much to diff within ${diffTimeoutMs / 1000} s)\n`;
  return patch.length > diffLimit ? patch.slice(0, diffLimit) + '\n… (diff truncated)\n' : patch;
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

function describeLineChange(a: string, b: string, line: number): string {
  const shorten = (s: string | undefined) => (s === undefined ? '(none)' : JSON.stringify(s.length > 40 ? s.slice(0, 39) + '…' : s));
  return `${shorten(a.split('\n')[line - 1])} → ${shorten(b.split('\n')[line - 1])}`;
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
