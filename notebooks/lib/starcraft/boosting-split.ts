// The split search of the boosted trees: xgboost's exact greedy enumeration over one node's rows of every
// feature, in value order. A feature's candidates are scored in two passes over its segment: the first adds
// up the gradients (the running sums every candidate uses, the same additions in the same order) and notes,
// per block of entries, bounds on the running sums (from the block's positive and negative gradients); the
// second scores exactly, in order, the candidates of the blocks that could beat the best split so far, and
// skips the others. A block is skipped only when an upper bound on all its candidates' gains (mayBeat), with
// the filter's margin for rounding, stays below the best: a skipped candidate could not have changed the best,
// so the splits are those of scoring every candidate, to the bit.
// The search runs in WebAssembly (find in boosting-kernels.ts); this module defines its gain and its bound, which
// the kernel computes operation for operation (the tests hold one against the other).

export interface TreeOptions {
  maxDepth: number;
  eta: number;
  lambda: number;
  minChildWeight: number;
}

/** The best split of a node: the feature, the threshold, where zeros (missing) go, the gain. */
export interface Split {
  feature: number;
  threshold: number;
  defaultLeft: number;
  gain: number;
}

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
function gainWithin(
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

/**
 * Whether any candidate (gl, hl) with gl in [gMin, gMax] and hl in [hMin, hMax] can score above `best` in
 * gainWithin. gl²/(hl + λ) + (sumG − gl)²/(sumH − hl + λ) is jointly convex in (gl, hl) where both
 * denominators are positive, so on the box it is largest at a corner; with the filter's margin of 1e-9 (far
 * above the rounding of either side), a box whose corners all stay below best + parent holds no candidate
 * whose computed gain beats best. False too when every candidate has a side lighter than the minimum child weight.
 */
export function mayBeat(
  gMin: number, gMax: number, hMin: number, hMax: number, sumG: number, sumH: number, parentScore: number,
  lambda: number, minChildWeight: number, best: number,
): boolean {
  return boxWithin(gMin, gMax, hMin, hMax, sumG, sumH, lambda, minChildWeight, filterLimit(best, parentScore));
}

/** mayBeat with the filter's bound for the best so far, as gainWithin takes it. */
function boxWithin(
  gMin: number, gMax: number, hMin: number, hMax: number, sumG: number, sumH: number, lambda: number,
  minChildWeight: number, limit: number,
): boolean {
  if (hMax < minChildWeight || sumH - hMin < minChildWeight) return false;
  if (!(hMin + lambda > 0 && sumH - hMax + lambda > 0) || limit === -Infinity) return true;
  // As in the filter, l/b + r/d ≥ limit ⇔ l·d + r·b ≥ limit·b·d for b, d > 0: no divisions.
  const b0 = hMin + lambda, b1 = hMax + lambda;
  const d0 = sumH - hMin + lambda, d1 = sumH - hMax + lambda;
  const l0 = gMin * gMin, l1 = gMax * gMax;
  const r0 = (sumG - gMin) * (sumG - gMin), r1 = (sumG - gMax) * (sumG - gMax);
  // First one coarser bound (each term at its own worst: largest numerator, smallest denominator); most boxes stop here.
  if (Math.max(l0, l1) * d1 + Math.max(r0, r1) * b0 < limit * b0 * d1) return false;
  return l0 * d0 + r0 * b0 >= limit * b0 * d0 || l0 * d1 + r0 * b1 >= limit * b1 * d1
    || l1 * d0 + r1 * b0 >= limit * b0 * d0 || l1 * d1 + r1 * b1 >= limit * b1 * d1;
}
