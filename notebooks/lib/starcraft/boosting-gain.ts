// The split gain of the boosted trees' exact greedy search, with a filter that rules most candidates out
// with multiplications only.

export const MIN_GAIN = 1e-6; // xgboost's kRtEps: smaller improvements are not splits

/**
 * The gain of sending (gl, hl) left and the rest of the node right, when it can beat `best`; −∞ when it cannot
 * (or a side is too light). Exact candidates cost two divisions; most candidates are ruled out first with
 * multiplications only: gl²/B + gr²/D < best + parent ⇔ gl²·D + gr²·B < (best + parent)·B·D for B, D > 0, and
 * with a margin of 1e-9 (far above the rounding of either side) a rejected gain is surely ≤ best. A gain that
 * is returned is the exact one, computed as before, so the comparison with `best` is the same to the bit.
 */
export function splitGain(
  gl: number, hl: number, sumG: number, sumH: number, parentScore: number, lambda: number, minChildWeight: number,
  best: number,
): number {
  return gainWithin(gl, hl, sumG, sumH, parentScore, lambda, minChildWeight, filterLimit(best, parentScore));
}

/** (best + parent)·(1 − 1e-9), the filter's bound before the factor B·D; −∞ (no filtering) when it does not hold. */
export function filterLimit(best: number, parentScore: number): number {
  return best > 0 && parentScore >= 0 ? (best + parentScore) * (1 - 1e-9) : -Infinity;
}

/** splitGain with the filter's bound computed once per best gain (the same products, so the same decisions). */
export function gainWithin(
  gl: number, hl: number, sumG: number, sumH: number, parentScore: number, lambda: number, minChildWeight: number,
  limit: number,
): number {
  const hr = sumH - hl;
  if (hl < minChildWeight || hr < minChildWeight) return -Infinity;
  const gr = sumG - gl;
  const b = hl + lambda;
  const d = hr + lambda;
  if (b > 0 && d > 0) {
    const rhs = limit * b * d;
    if (gl * gl * d + gr * gr * b < rhs && rhs < Infinity) return -Infinity;
  }
  return (gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - parentScore;
}
