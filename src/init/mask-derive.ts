// Masks for text that differed between two runs of a notebook: each differing number that a unit follows
// (`took 2047ms`, `Slept 52[ms]`, `elapsed: 0.53 s`) becomes a pattern of the word before it, the number's shape and
// the unit, and each differing ISO-8601 timestamp an ISO pattern (with the word before it). A differing number with
// no unit after it (`10946` → `10947`, `accuracy: 0.93`) is never masked: it may be a result.

/** An ISO-8601 date and time: `2026-11-29T08:30:48.171Z`, `2026-11-29 08:30`, `2026-11-29T08:30:48+01:00`. */
export const isoTimestampPattern = String.raw`\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?`;

const pieces = new RegExp(`(${isoTimestampPattern})|(\\d+(?:\\.\\d+)?)`, 'g');
/** The word just before a number, with what separates them: `took `, `elapsed: `, `t=`, `fit (`. */
const wordBefore = /[A-Za-zµ][A-Za-zµ_-]*[ \t]*[:=([]?[ \t]*$/;
/** A unit just after a number, at most one space away: `ms`, ` s`, `[ms]`, `(sec)`, ` it/s`, `%`. */
const unitAfter = /^[ \t]?(?:\[[A-Za-zµ%/]+\]|\([A-Za-zµ%/]+\)|[A-Za-zµ%]+(?:\/[A-Za-z]+)?)/;

interface Piece {
  kind: 'text' | 'number' | 'timestamp';
  text: string;
}

export interface DerivedMask {
  /** The patterns, each once, in the order their first place appears in the text. */
  patterns: string[];
  /** What was masked, committed → re-run, as the texts show it with its context (at most the first three). */
  changes: string[];
  /** How many differing numbers no pattern covers (no unit after them). */
  unmasked: number;
}

/**
 * Masks for the differences between two texts, or undefined when the texts differ in something other than numbers
 * and timestamps (a word, a line more), or when no differing number has a unit after it. The patterns are only a
 * proposal: the caller keeps them when verify's own comparison passes the pair under them (with `unmasked` > 0 it
 * cannot).
 */
export function deriveMask(committed: string, rerun: string): DerivedMask | undefined {
  const a = split(committed.replace(/\r\n?/g, '\n'));
  const b = split(rerun.replace(/\r\n?/g, '\n'));
  if (a.length !== b.length) return undefined;
  const patterns: string[] = [];
  const changes: string[] = [];
  let unmasked = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i].kind !== b[i].kind) return undefined;
    if (a[i].text === b[i].text) continue;
    if (a[i].kind === 'text') return undefined;
    const before = i > 0 ? (wordBefore.exec(a[i - 1].text)?.[0] ?? '') : '';
    const after = i + 1 < a.length ? (unitAfter.exec(a[i + 1].text)?.[0] ?? '') : '';
    if (a[i].kind === 'number' && after === '') {
      unmasked++;
      continue;
    }
    // A unit a timer scales (`980 ms`, then `1.02 s`) is any of them, with any number: the next run may cross a unit.
    const scaled = a[i].kind === 'number' && scaledUnit.test(after);
    const value = a[i].kind === 'timestamp' ? isoTimestampPattern : scaled ? String.raw`\d+(?:\.\d+)?` : numberPattern(a[i].text, b[i].text);
    const unit = scaled ? unitPattern(after) : escapeLiteral(after);
    const pattern = escapeLiteral(before) + value + unit;
    if (!patterns.includes(pattern)) patterns.push(pattern);
    if (changes.length < 3) changes.push(`"${before}${a[i].text}${after}" → "${before}${b[i].text}${after}"`);
  }
  return patterns.length === 0 ? undefined : { patterns, changes, unmasked };
}

/** The text cut into numbers, timestamps and the text between them. */
function split(text: string): Piece[] {
  const out: Piece[] = [];
  let at = 0;
  for (const match of text.matchAll(pieces)) {
    if (match.index > at) out.push({ kind: 'text', text: text.slice(at, match.index) });
    out.push({ kind: match[1] !== undefined ? 'timestamp' : 'number', text: match[0] });
    at = match.index + match[0].length;
  }
  if (at < text.length) out.push({ kind: 'text', text: text.slice(at) });
  return out;
}

/** The narrowest shape holding both numbers: digits, digits with decimals, or either. */
function numberPattern(a: string, b: string): string {
  const decimals = [a, b].filter((value) => value.includes('.')).length;
  if (decimals === 0) return String.raw`\d+`;
  return decimals === 2 ? String.raw`\d+\.\d+` : String.raw`\d+(?:\.\d+)?`;
}

function escapeLiteral(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\t/g, '\\t');
}

/**
 * Words that say the number after them is a measured time: `took 12ms`, `Slept 500[ms]`, `Wall time: 2.3 s`,
 * `elapsed 0.5s`, `CPU times: user 1.2 ms, sys: 30 µs, total: 1.23 ms`, `finished in 3 s`.
 */
const timingWord = /(?:^|[^A-Za-zµ_-])(?:took|slept|sleep|elapsed|time|times|duration|runtime|waited|lasted|wall|user|sys|total|in)[ \t]*[:=([]?[ \t]*$/i;
/** A unit of time just after a number, at most one space away, as `unitAfter` reads it. */
const timeUnit = /^[ \t]?(?:\[(?:ns|µs|us|ms|s|sec|min)\]|\((?:ns|µs|us|ms|s|sec|secs|seconds|min)\)|(?:ns|µs|us|ms|s|sec|secs|seconds?|mins?|minutes?))(?![A-Za-zµ])/i;
/** The units a timer picks by the size of what it measured (IPython's %time: `2.3 s` one run, `950 ms` the next). */
const scaledUnit = /^[ \t]?(?:ns|µs|us|ms|s)$/;
const anyScaledUnit = String.raw`(?:ns|µs|us|ms|s)`;

/** The pattern of a unit after a number: a scaled unit as any of them (with its space, if any), another as written. */
function unitPattern(after: string): string {
  if (!scaledUnit.test(after)) return escapeLiteral(after);
  return escapeLiteral(after.slice(0, after.length - after.trimStart().length)) + anyScaledUnit;
}
/** IPython's %timeit line, whose loop count changes with the speed too: `1.23 ms ± 45.6 µs per loop (mean ± std. dev. of 7 runs, 1000 loops each)`. */
const timeitLine = /\d+(?:\.\d+)? (?:ns|µs|us|ms|s) ± \d+(?:\.\d+)? (?:ns|µs|us|ms|s) per loop \(mean ± std\. dev\. of \d+ runs?, \d+ loops? each\)/g;
const timeitPattern = String.raw`\d+(?:\.\d+)? ${anyScaledUnit} ± \d+(?:\.\d+)? ${anyScaledUnit} per loop \(mean ± std\. dev\. of \d+ runs?, \d+ loops? each\)`;

export interface RepeatedTiming {
  patterns: string[];
  /** What matched, as the text shows it (at most the first three). */
  seen: string[];
}

/**
 * Masks for measured times that two runs happened to print alike (`Slept 500[ms]` both times; the next run may print
 * 501): a number with a unit of time after it and a word naming a time before it, and IPython's %timeit line. deriveMask
 * sees only what differed; this reads one text. Undefined when there is none. A number with no such word and unit is
 * never taken: it may be a result.
 */
export function repeatedTimings(text: string): RepeatedTiming | undefined {
  const normal = text.replace(/\r\n?/g, '\n');
  const patterns: string[] = [];
  const seen: string[] = [];
  const timeit = [...normal.matchAll(timeitLine)];
  if (timeit.length > 0) {
    patterns.push(timeitPattern);
    seen.push(...timeit.slice(0, 3).map((match) => `"${match[0]}"`));
  }
  const parts = split(normal.replace(timeitLine, ''));
  for (let i = 0; i < parts.length; i++) {
    if (parts[i].kind !== 'number') continue;
    const previous = i > 0 ? parts[i - 1].text : '';
    const following = i + 1 < parts.length ? parts[i + 1].text : '';
    if (!timingWord.test(previous) || !timeUnit.test(following)) continue;
    const before = wordBefore.exec(previous)?.[0] ?? '';
    const after = unitAfter.exec(following)?.[0] ?? '';
    const unit = unitPattern(after);
    const pattern = escapeLiteral(before) + String.raw`\d+(?:\.\d+)?` + unit;
    if (!patterns.includes(pattern)) patterns.push(pattern);
    if (seen.length < 3) seen.push(`"${before}${parts[i].text}${after}"`);
  }
  return patterns.length === 0 ? undefined : { patterns, seen: seen.slice(0, 3) };
}
