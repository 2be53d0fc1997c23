// One regression tree of the boosted model, grown level by level with xgboost's exact greedy enumeration.
// Every feature's non-zero rows are kept sorted by value and partitioned by node (each node's rows form one
// contiguous, still sorted, segment), so a node's scan over a feature reads its own rows only and keeps its
// running sums in locals. The sums, candidates and their order are those of a scan over the whole column in
// value order (node by node the same additions in the same order), so the trees are the same to the bit.
import { type SortedColumns } from './boosting-columns.ts';
import { type Matrix } from './matrix.ts';

/** A tree in flat arrays; node 0 is the root; feature −1 marks a leaf. */
export interface Tree {
  feature: number[];
  threshold: number[];
  defaultLeft: boolean[];
  left: number[];
  right: number[];
  value: number[];
  gain: number[];
  cover: number[];
}

export interface TreeOptions {
  maxDepth: number;
  eta: number;
  lambda: number;
  minChildWeight: number;
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

/** Scratch space for growing trees on one matrix: allocated once per fit, reused by every tree. */
export class TreeGrower {
  private readonly rows: Int32Array;
  private readonly values: Float64Array;
  private readonly spareRows: Int32Array;
  private readonly spareValues: Float64Array;
  /** segment of node n in feature f: lo[f * maxNodes + n] … hi[…]−1 */
  private readonly lo: Int32Array;
  private readonly hi: Int32Array;
  /** per feature and node, the gradient and hessian sums of its non-zero rows, added in value order */
  private readonly presentG: Float64Array;
  private readonly presentH: Float64Array;
  private readonly position: Int32Array;
  private readonly goLeft: Uint8Array;
  private readonly maxNodes: number;
  // The tree being grown, by node.
  private readonly feature: Int32Array;
  private readonly threshold: Float64Array;
  private readonly defaultLeft: Uint8Array;
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  private readonly gain: Float64Array;
  private readonly sumG: Float64Array;
  private readonly sumH: Float64Array;
  private readonly count: Int32Array;
  private readonly childSums: Float64Array;
  private readonly childCount: Int32Array;
  private nodes = 0;

  constructor(private readonly x: Matrix, private readonly sorted: SortedColumns, private readonly options: TreeOptions) {
    const nnz = sorted.rows.length;
    this.rows = new Int32Array(nnz);
    this.values = new Float64Array(nnz);
    this.spareRows = new Int32Array(nnz);
    this.spareValues = new Float64Array(nnz);
    const maxNodes = (this.maxNodes = 2 ** (options.maxDepth + 1) - 1);
    this.lo = new Int32Array(x.cols * maxNodes);
    this.hi = new Int32Array(x.cols * maxNodes);
    this.presentG = new Float64Array(x.cols * maxNodes);
    this.presentH = new Float64Array(x.cols * maxNodes);
    this.position = new Int32Array(x.rows);
    this.goLeft = new Uint8Array(x.rows);
    this.feature = new Int32Array(maxNodes);
    this.threshold = new Float64Array(maxNodes);
    this.defaultLeft = new Uint8Array(maxNodes);
    this.left = new Int32Array(maxNodes);
    this.right = new Int32Array(maxNodes);
    this.gain = new Float64Array(maxNodes);
    this.sumG = new Float64Array(maxNodes);
    this.sumH = new Float64Array(maxNodes);
    this.count = new Int32Array(maxNodes);
    this.childSums = new Float64Array(maxNodes * 4);
    this.childCount = new Int32Array(maxNodes * 2);
  }

  private addNode(g: number, h: number, n: number): number {
    const node = this.nodes++;
    this.feature[node] = -1; this.threshold[node] = 0; this.defaultLeft[node] = 0;
    this.left[node] = -1; this.right[node] = -1; this.gain[node] = 0;
    this.sumG[node] = g; this.sumH[node] = h; this.count[node] = n;
    return node;
  }

  /** Grows one tree on (grad, hess); `leafOf` receives each training row's leaf. */
  grow(grad: Float64Array, hess: Float64Array, leafOf: Int32Array): Tree {
    const { x, sorted, maxNodes, lo, hi, position, goLeft, feature, threshold, defaultLeft, left, right, childSums, childCount } = this;
    const { maxDepth, lambda, eta } = this.options;
    const cols = x.cols;
    const { presentG, presentH } = this;
    for (let f = 0; f < cols; f++) {
      const from = (lo[f * maxNodes] = sorted.start[f]);
      const to = (hi[f * maxNodes] = sorted.start[f + 1]);
      let g = 0, h = 0;
      for (let k = from; k < to; k++) { const r = sorted.rows[k]; g += grad[r]; h += hess[r]; }
      presentG[f * maxNodes] = g; presentH[f * maxNodes] = h;
    }
    this.nodes = 0;
    position.fill(0);
    let g0 = 0, h0 = 0;
    for (let i = 0; i < x.rows; i++) { g0 += grad[i]; h0 += hess[i]; }
    let active = [this.addNode(g0, h0, x.rows)];
    for (let depth = 0; depth < maxDepth && active.length > 0; depth++) {
      // The root reads the presorted lists; its partition writes the first working copy (no copy per tree).
      const [rows, values] = depth === 0 ? [sorted.rows, sorted.values] : [this.rows, this.values];
      const splitting = active.filter((node) => this.findSplit(node, grad, hess, rows, values));
      // Route rows to children and sum their gradients in row order.
      childSums.fill(0);
      childCount.fill(0);
      for (let i = 0; i < x.rows; i++) {
        const node = position[i];
        if (node < 0) continue;
        const f = feature[node];
        if (f < 0) { leafOf[i] = node; position[i] = -1; continue; }
        const v = x.values[i * cols + f];
        const toLeft = v === 0 ? defaultLeft[node] === 1 : v < threshold[node];
        goLeft[i] = toLeft ? 1 : 0;
        const s = node * 4 + (toLeft ? 0 : 2);
        childSums[s] += grad[i]; childSums[s + 1] += hess[i]; childCount[node * 2 + (toLeft ? 0 : 1)]++;
      }
      const next: number[] = [];
      for (const node of splitting) {
        const l = this.addNode(childSums[node * 4], childSums[node * 4 + 1], childCount[node * 2]);
        const r = this.addNode(childSums[node * 4 + 2], childSums[node * 4 + 3], childCount[node * 2 + 1]);
        left[node] = l;
        right[node] = r;
        next.push(l, r);
        if (depth + 1 < maxDepth) this.partition(node, l, r, grad, hess, rows, values); // leaves need no lists
      }
      for (let i = 0; i < x.rows; i++) {
        const node = position[i];
        if (node >= 0) position[i] = goLeft[i] === 1 ? left[node] : right[node];
      }
      active = next;
    }
    for (let i = 0; i < x.rows; i++) if (position[i] >= 0) leafOf[i] = position[i];
    const n = this.nodes;
    const value = new Array<number>(n).fill(0);
    for (let k = 0; k < n; k++) if (feature[k] < 0) value[k] = (-eta * this.sumG[k]) / (this.sumH[k] + lambda);
    return {
      feature: Array.from(feature.subarray(0, n)),
      threshold: Array.from(threshold.subarray(0, n)),
      defaultLeft: Array.from(defaultLeft.subarray(0, n), (d) => d === 1),
      left: Array.from(left.subarray(0, n)),
      right: Array.from(right.subarray(0, n)),
      value,
      gain: Array.from(this.gain.subarray(0, n)),
      cover: Array.from(this.sumH.subarray(0, n)),
    };
  }

  /**
   * Splits every feature's segment of `node` (read from `fromRows`/`fromValues`) into its children's, stably
   * (value order kept), and sums each child's gradients and hessians in that order as it goes.
   */
  private partition(node: number, l: number, r: number, grad: Float64Array, hess: Float64Array, fromRows: Int32Array, fromValues: Float64Array): void {
    const { rows, values, spareRows, spareValues, lo, hi, goLeft, maxNodes, presentG, presentH } = this;
    for (let f = 0; f < this.x.cols; f++) {
      const base = f * maxNodes;
      const from = lo[base + node];
      const to = hi[base + node];
      let kept = from;
      let moved = 0;
      let gl = 0, hl = 0, gr = 0, hr = 0;
      for (let k = from; k < to; k++) {
        const row = fromRows[k];
        const v = fromValues[k];
        if (goLeft[row] === 1) {
          rows[kept] = row; values[kept] = v; kept++;
          gl += grad[row]; hl += hess[row];
        } else {
          spareRows[moved] = row; spareValues[moved] = v; moved++;
          gr += grad[row]; hr += hess[row];
        }
      }
      rows.set(spareRows.subarray(0, moved), kept);
      values.set(spareValues.subarray(0, moved), kept);
      lo[base + l] = from; hi[base + l] = kept;
      lo[base + r] = kept; hi[base + r] = to;
      presentG[base + l] = gl; presentH[base + l] = hl;
      presentG[base + r] = gr; presentH[base + r] = hr;
    }
  }

  /**
   * The best split of `node`: per feature, a scan over its non-zero rows in value order. At each boundary
   * between two values both defaults for the zeros are scored: zeros right (xgboost's forward scan) and zeros
   * left (its backward scan). When the node has no zeros the two are the same split; xgboost then keeps the
   * forward one if the column has zeros anywhere (it runs first), else the backward one (the only scan it
   * runs), so the default follows suit. Records the split; false when there is none.
   */
  private findSplit(node: number, grad: Float64Array, hess: Float64Array, rows: Int32Array, values: Float64Array): boolean {
    const { lo, hi, maxNodes, sorted } = this;
    const { lambda, minChildWeight } = this.options;
    const sumG = this.sumG[node];
    const sumH = this.sumH[node];
    const rowsIn = this.count[node];
    const parentScore = (sumG * sumG) / (sumH + lambda);
    let bestGain = MIN_GAIN;
    let limit = filterLimit(bestGain, parentScore);
    let bestFeature = -1;
    let bestThreshold = 0;
    let bestDefaultLeft = 0;
    for (let f = 0; f < this.x.cols; f++) {
      const from = lo[f * maxNodes + node];
      const to = hi[f * maxNodes + node];
      if (from === to) continue;
      const denseDefault = sorted.start[f + 1] - sorted.start[f] === this.x.rows ? 1 : 0;
      const presentG = this.presentG[f * maxNodes + node];
      const presentH = this.presentH[f * maxNodes + node];
      const first = values[from];
      let accG = 0, accH = 0;
      accG += grad[rows[from]]; accH += hess[rows[from]];
      let previous = first;
      if (to - from < rowsIn) {
        // The node has zeros: at each boundary, zeros right (forward scan) and zeros left (backward scan).
        for (let k = from + 1; k < to; k++) {
          const v = values[k];
          if (v !== previous) {
            const right = gainWithin(accG, accH, sumG, sumH, parentScore, lambda, minChildWeight, limit);
            if (right > bestGain) {
              bestGain = right; limit = filterLimit(right, parentScore);
              bestFeature = f; bestThreshold = (previous + v) / 2; bestDefaultLeft = 0;
            }
            const leftGain = gainWithin(accG + sumG - presentG, accH + sumH - presentH, sumG, sumH, parentScore, lambda, minChildWeight, limit);
            if (leftGain > bestGain) {
              bestGain = leftGain; limit = filterLimit(leftGain, parentScore);
              bestFeature = f; bestThreshold = (previous + v) / 2; bestDefaultLeft = 1;
            }
          }
          const r = rows[k];
          accG += grad[r]; accH += hess[r]; previous = v;
        }
      } else {
        for (let k = from + 1; k < to; k++) {
          const v = values[k];
          if (v !== previous) {
            const gain = gainWithin(accG, accH, sumG, sumH, parentScore, lambda, minChildWeight, limit);
            if (gain > bestGain) {
              bestGain = gain; limit = filterLimit(gain, parentScore);
              bestFeature = f; bestThreshold = (previous + v) / 2; bestDefaultLeft = denseDefault;
            }
          }
          const r = rows[k];
          accG += grad[r]; accH += hess[r]; previous = v;
        }
      }
      // Every non-zero row on one side, the zeros on the other.
      const above = gainWithin(presentG, presentH, sumG, sumH, parentScore, lambda, minChildWeight, limit);
      if (above > bestGain) {
        bestGain = above; limit = filterLimit(above, parentScore);
        bestFeature = f; bestThreshold = previous + Math.abs(previous) * 1e-6 + 1e-6; bestDefaultLeft = 0;
      }
      const below = gainWithin(sumG - presentG, sumH - presentH, sumG, sumH, parentScore, lambda, minChildWeight, limit);
      if (below > bestGain) {
        bestGain = below; limit = filterLimit(below, parentScore);
        bestFeature = f; bestThreshold = first - Math.abs(first) * 1e-6 - 1e-6; bestDefaultLeft = 1;
      }
    }
    if (bestFeature < 0) return false;
    this.feature[node] = bestFeature;
    this.threshold[node] = bestThreshold;
    this.defaultLeft[node] = bestDefaultLeft;
    this.gain[node] = bestGain;
    return true;
  }
}
