// The split search of the boosted trees: xgboost's exact greedy enumeration over one node's rows of every
// feature, in value order. A feature's candidates are scored in two passes over its segment: the first adds
// up the gradients (the running sums every candidate uses, the same additions in the same order) and notes,
// per block of entries, bounds on the running sums (from the block's positive and negative gradients; in
// WebAssembly, boosting-kernels.ts, for every feature of the node at once); the second scores exactly, in order, the candidates of the blocks that could beat the best split so far, and
// skips the others. A block is skipped only when an upper bound on all its candidates' gains (mayBeat), with
// the filter's margin for rounding, stays below the best: a skipped candidate could not have changed the best,
// so the splits are those of scoring every candidate, to the bit.
import { BLOCK, type BoostingKernels } from './boosting-kernels.ts';
import { type Block } from './wasm.ts';

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

// The gain functions stay in this module, beside their one hot caller: tsx compiles modules to CommonJS, where
// a call across modules goes through an export getter, which made the scan half again as slow.
const MIN_GAIN = 1e-6; // xgboost's kRtEps: smaller improvements are not splits

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
function filterLimit(best: number, parentScore: number): number {
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

/** The split search on one matrix, for every node of every tree, on the memory of the sweeps' kernels. */
export class SplitFinder {
  /**
   * `byColumn`: the matrix column by column (feature f's value of row r at f·rows + r); `start`: feature f's
   * non-zero entries in the presorted lists are start[f] … start[f+1]−1; `kernels`: the segments, gradients and
   * the first pass.
   */
  constructor(
    private readonly rows: number, private readonly cols: number, private readonly byColumn: Float64Array,
    private readonly start: Int32Array, private readonly options: TreeOptions, private readonly kernels: BoostingKernels,
    private readonly stride: number,
  ) {}

  /**
   * The best split of a node with gradient sums (sumG, sumH) over `rowsIn` rows, whose non-zero entries of
   * feature f are entries[lo[f·stride + node]] … entries[hi[…]−1] (the kernels' segments), rows in value order.
   * Per feature, at each boundary between two values both defaults for the zeros are scored: zeros right
   * (xgboost's forward scan) and zeros left (its backward scan). When the node has no zeros the two are the same
   * split; xgboost then keeps the forward one if the column has zeros anywhere (it runs first), else the backward
   * one (the only scan it runs), so the default follows suit. Writes the split into `out`; false when there is none.
   */
  find(sumG: number, sumH: number, rowsIn: number, entries: Block<Int32Array>, node: number, out: Split): boolean {
    const { byColumn, start, kernels, stride } = this;
    const { lambda, minChildWeight } = this.options;
    kernels.firstPass(node, entries);
    const rowOf = entries.view;
    const lo = kernels.lo.view, hi = kernels.hi.view, grad = kernels.grad.view, hess = kernels.hess.view;
    const blockStart = kernels.blockStart.view, present = kernels.present.view;
    const startG = kernels.startG.view, startH = kernels.startH.view, minG = kernels.minG.view, maxG = kernels.maxG.view;
    const endH = kernels.endH.view;
    const parentScore = (sumG * sumG) / (sumH + lambda);
    let bestGain = MIN_GAIN;
    let limit = filterLimit(bestGain, parentScore);
    let bestFeature = -1;
    let bestThreshold = 0;
    let bestDefaultLeft = 0;
    for (let f = 0; f < this.cols; f++) {
      const from = lo[f * stride + node];
      const to = hi[f * stride + node];
      if (from === to) continue;
      const column = f * this.rows;
      const presentG = present[2 * f];
      const presentH = present[2 * f + 1];
      const zeros = to - from < rowsIn;
      const dense = !zeros && start[f + 1] - start[f] === this.rows ? 1 : 0;
      // Second pass: the candidates of the blocks that may beat the best, in order.
      const firstBlock = blockStart[f];
      for (let b = firstBlock; b < blockStart[f + 1]; b++) {
        const right = boxWithin(minG[b], maxG[b], startH[b], endH[b], sumG, sumH, lambda, minChildWeight, limit);
        const left = zeros && boxWithin(
          minG[b] + sumG - presentG, maxG[b] + sumG - presentG, startH[b] + sumH - presentH, endH[b] + sumH - presentH,
          sumG, sumH, lambda, minChildWeight, limit,
        );
        if (!right && !left) continue;
        const k0 = from + 1 + (b - firstBlock) * BLOCK;
        const k1 = Math.min(k0 + BLOCK, to);
        let accG = startG[b], accH = startH[b];
        let previous = byColumn[column + rowOf[k0 - 1]];
        if (zeros) {
          for (let k = k0; k < k1; k++) {
            const r = rowOf[k];
            const v = byColumn[column + r];
            if (v !== previous) {
              // A side ruled out for the block stays so: the best only grows.
              const gain = right ? gainWithin(accG, accH, sumG, sumH, parentScore, lambda, minChildWeight, limit) : -Infinity;
              if (gain > bestGain) {
                bestGain = gain; limit = filterLimit(gain, parentScore);
                bestFeature = f; bestThreshold = (previous + v) / 2; bestDefaultLeft = 0;
              }
              const leftGain = left ? gainWithin(accG + sumG - presentG, accH + sumH - presentH, sumG, sumH, parentScore, lambda, minChildWeight, limit) : -Infinity;
              if (leftGain > bestGain) {
                bestGain = leftGain; limit = filterLimit(leftGain, parentScore);
                bestFeature = f; bestThreshold = (previous + v) / 2; bestDefaultLeft = 1;
              }
            }
            accG += grad[r]; accH += hess[r]; previous = v;
          }
        } else {
          for (let k = k0; k < k1; k++) {
            const r = rowOf[k];
            const v = byColumn[column + r];
            if (v !== previous) {
              const gain = gainWithin(accG, accH, sumG, sumH, parentScore, lambda, minChildWeight, limit);
              if (gain > bestGain) {
                bestGain = gain; limit = filterLimit(gain, parentScore);
                bestFeature = f; bestThreshold = (previous + v) / 2; bestDefaultLeft = dense;
              }
            }
            accG += grad[r]; accH += hess[r]; previous = v;
          }
        }
      }
      // Every non-zero row on one side, the zeros on the other.
      const last = byColumn[column + rowOf[to - 1]];
      const first = byColumn[column + rowOf[from]];
      const above = gainWithin(presentG, presentH, sumG, sumH, parentScore, lambda, minChildWeight, limit);
      if (above > bestGain) {
        bestGain = above; limit = filterLimit(above, parentScore);
        bestFeature = f; bestThreshold = last + Math.abs(last) * 1e-6 + 1e-6; bestDefaultLeft = 0;
      }
      const below = gainWithin(sumG - presentG, sumH - presentH, sumG, sumH, parentScore, lambda, minChildWeight, limit);
      if (below > bestGain) {
        bestGain = below; limit = filterLimit(below, parentScore);
        bestFeature = f; bestThreshold = first - Math.abs(first) * 1e-6 - 1e-6; bestDefaultLeft = 1;
      }
    }
    if (bestFeature < 0) return false;
    out.feature = bestFeature;
    out.threshold = bestThreshold;
    out.defaultLeft = bestDefaultLeft;
    out.gain = bestGain;
    return true;
  }
}
