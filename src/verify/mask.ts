// Masks: the parts of a text that change on every run (a timing, a date, a temporary path) replaced by one
// placeholder on both sides before the text is compared, so that everything else, numbers included, still is.
import type { Tolerance } from '../manifest/schema.ts';
import type { Comparison } from './types.ts';
import { compareText } from './comparers/text.ts';

/** What a masked part becomes; holds no digit, so the numbers around it are still paired and judged. */
export const maskPlaceholder = '⟨masked⟩';

export interface MaskedText {
  text: string;
  /** How many places each pattern matched (in the order given); overlapping matches become one placeholder. */
  matches: number[];
}

/**
 * Replaces every match of every pattern by the placeholder. The patterns are found in the original text (so the
 * order they are given in does not matter), and matches that overlap or touch become one placeholder. `^` and `$`
 * match at line ends; a match of nothing masks nothing.
 */
export function applyMask(text: string, patterns: readonly string[]): MaskedText {
  const ranges: Array<[number, number]> = [];
  const matches = patterns.map((pattern) => {
    let count = 0;
    for (const match of text.matchAll(new RegExp(pattern, 'gm'))) {
      if (match[0].length === 0) continue;
      ranges.push([match.index, match.index + match[0].length]);
      count++;
    }
    return count;
  });
  if (ranges.length === 0) return { text, matches };
  ranges.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const merged: Array<[number, number]> = [];
  for (const [start, stop] of ranges) {
    const last = merged.at(-1);
    if (last && start <= last[1]) last[1] = Math.max(last[1], stop);
    else merged.push([start, stop]);
  }
  let out = '';
  let at = 0;
  for (const [start, stop] of merged) {
    out += text.slice(at, start) + maskPlaceholder;
    at = stop;
  }
  out += text.slice(at);
  return { text: out, matches };
}

/**
 * compareText on the two texts masked with the tolerance's `mask` (none: compareText itself). A pattern that
 * matches on one side only leaves the other side's text in place, which is a difference. Says what was masked.
 */
export function compareMaskedText(committed: string, rerun: string, tolerance: Tolerance, label = 'text'): Comparison {
  const patterns = tolerance.mask ?? [];
  if (patterns.length === 0) return compareText(committed, rerun, tolerance, label);
  // Line ends first, so that `$` matches before a CRLF as before an LF.
  const a = applyMask(normalizeNewlines(committed), patterns);
  const b = applyMask(normalizeNewlines(rerun), patterns);
  const result = compareText(a.text, b.text, tolerance, label);
  const notes = patterns.flatMap((pattern, i) =>
    a.matches[i] + b.matches[i] === 0 ? [] : [`masked /${pattern}/: ${times(a.matches[i])} in the committed text, ${times(b.matches[i])} in the re-run`],
  );
  return notes.length === 0 ? result : { ...result, notes: [...notes, ...result.notes] };
}

function normalizeNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

function times(n: number): string {
  return n === 1 ? '1 match' : `${n} matches`;
}

/** A text file's bytes compared with its rule's mask (equal bytes are identical without masking anything). */
export function compareMaskedFile(path: string, committed: Buffer, rerun: Buffer, tolerance: Tolerance): Comparison {
  if (committed.equals(rerun)) return { verdict: 'identical', notes: [], findings: [], findingCount: 0, figures: [] };
  return compareMaskedText(committed.toString('utf8'), rerun.toString('utf8'), tolerance, path);
}

/**
 * A file that did not pass although its rule has a mask the comparison could not use (a table, JSON, a figure,
 * a text file too large to read whole) says so, so that a reader does not take the mask for applied.
 */
export function noteUnusedMask(comparison: Comparison, tolerance: Tolerance, usedMask: boolean): Comparison {
  if (!tolerance.mask || usedMask || comparison.verdict === 'identical' || comparison.verdict === 'within tolerance') return comparison;
  return { ...comparison, notes: [...comparison.notes, 'mask not applied: masks apply to text files and to the text outputs of notebooks'] };
}
