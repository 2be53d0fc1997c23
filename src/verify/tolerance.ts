// Which tolerance applies to a file (research.yaml `verify` rules) and how two numbers are judged against it.
import picomatch from 'picomatch';
import type { Tolerance } from '../manifest/schema.ts';

export type ToleranceRules = Record<string, Tolerance>;

/**
 * The tolerance for a repository path: `default`, then every matching glob in the order written, each overriding
 * the fields it sets (so the last match wins, and `{ informational: true }` keeps the default rtol). Cell rules
 * add up instead: those of `default` first, then each matching glob's, and among them the last wins per cell.
 */
export function resolveTolerance(rules: ToleranceRules, path: string): Tolerance {
  let result: Tolerance = { ...(rules.default ?? {}) };
  for (const [glob, tolerance] of Object.entries(rules)) {
    if (glob === 'default') continue;
    if (picomatch.isMatch(path, glob, { dot: true })) {
      const cells = [...(result.cells ?? []), ...(tolerance.cells ?? [])];
      result = { ...result, ...tolerance, ...(cells.length > 0 ? { cells } : {}) };
    }
  }
  return result;
}

/**
 * The rule figures get under research.yaml's own (which override it key by key): a pixel counts when its colour
 * moved beyond 0.1 (pixelmatch's scale), rendering noise is forgiven where it is spread everywhere, and no
 * connected region of more than 4 changed pixels, nor 0.01% of all pixels, may change. Applies to PNG and SVG
 * files and to the images in notebooks.
 */
export const figureDefaults: Tolerance = { threshold: 0.1, region: 4, pixels: 0.0001 };

const figureFile = /\.(png|svg|ipynb)$/i;

/** The tolerance a comparison uses: a file's rule over the defaults for its kind. */
export function withDefaults(path: string, tolerance: Tolerance): Tolerance {
  return figureFile.test(path) ? { ...figureDefaults, ...tolerance } : tolerance;
}

/** The rtol/atol for one column of a table: the column's own, else the file's; unset means exact. */
export function columnTolerance(tolerance: Tolerance, column: string): { rtol: number; atol: number; nanEqual: boolean } {
  const own = tolerance.columns?.[column];
  return {
    rtol: own?.rtol ?? tolerance.rtol ?? 0,
    atol: own?.atol ?? tolerance.atol ?? 0,
    nanEqual: tolerance.nanEqual ?? false,
  };
}

export interface NumberJudgement {
  ok: boolean;
  /** |a-b|, NaN when one side is NaN. */
  abs: number;
  /** |a-b| / |committed|. */
  rel: number;
  /** |a-b| / allowed: <=1 passes; Infinity when nothing was allowed or the values cannot be close. */
  score: number;
}

/** |rerun - committed| <= atol + rtol * |committed|; NaN equals NaN only with nanEqual; infinities only themselves. */
export function judgeNumbers(
  committed: number,
  rerun: number,
  tolerance: { rtol: number; atol: number; nanEqual: boolean },
): NumberJudgement {
  if (Number.isNaN(committed) || Number.isNaN(rerun)) {
    const ok = Number.isNaN(committed) && Number.isNaN(rerun) && tolerance.nanEqual;
    return { ok, abs: NaN, rel: NaN, score: ok ? 0 : Infinity };
  }
  if (committed === rerun) return { ok: true, abs: 0, rel: 0, score: 0 };
  if (!Number.isFinite(committed) || !Number.isFinite(rerun)) return { ok: false, abs: Infinity, rel: Infinity, score: Infinity };
  const abs = Math.abs(rerun - committed);
  const allowed = tolerance.atol + tolerance.rtol * Math.abs(committed);
  const rel = committed === 0 ? Infinity : abs / Math.abs(committed);
  return { ok: abs <= allowed, abs, rel, score: allowed > 0 ? abs / allowed : Infinity };
}

const decimal = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A number written in a table or text, or undefined; accepts NaN/nan and inf/Infinity spellings of pandas, R and JS. */
export function parseNumber(text: string): number | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  if (decimal.test(t)) return Number(t);
  const lower = t.toLowerCase();
  if (lower === 'nan' || lower === '-nan' || lower === '+nan') return NaN;
  if (lower === 'inf' || lower === 'infinity' || lower === '+inf' || lower === '+infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  return undefined;
}

/** Short, exact-enough rendering of a deviation: |Δ| 1.3e-4 (rel 2.0e-6). */
export function describeNumberDeviation(judgement: NumberJudgement): string {
  if (Number.isNaN(judgement.abs)) return 'NaN vs a number or NaN not allowed';
  if (!Number.isFinite(judgement.abs)) return 'infinite';
  const rel = Number.isFinite(judgement.rel) ? ` (rel ${judgement.rel.toExponential(1)})` : '';
  return `|Δ| ${formatMagnitude(judgement.abs)}${rel}`;
}

export function formatMagnitude(value: number): string {
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  return magnitude >= 1e-3 && magnitude < 1e6 ? String(Number(value.toPrecision(3))) : value.toExponential(2);
}
