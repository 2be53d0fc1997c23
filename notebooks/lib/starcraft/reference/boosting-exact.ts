// The previous implementation of boosting.ts (whole-column scans per level), kept only so that tests can check
// that the faster one grows the same trees to the bit. Not used by the analysis.
// Gradient-boosted trees for multiclass softmax, following xgboost's exact greedy algorithm
// (the "multi:softmax" objective of the published R call): per round and class one regression tree on
// the softmax gradients g = p − y and hessians h = max(2p(1 − p), 1e-16); split gain
// G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ); leaf value −η·G/(H+λ). A zero is "missing", as in the
// published run (R's sparse.model.matrix stores no zeros): every split learns which side zeros go to.
import { type Matrix } from '../matrix.ts';

export interface BoostingOptions {
  classes: number;
  rounds: number;
  maxDepth: number;
  eta: number;
  lambda?: number;
  minChildWeight?: number;
}

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

export interface BoostedModel {
  classes: number;
  baseScore: number;
  /** trees[round * classes + c] adds to class c's margin */
  trees: Tree[];
}

const MIN_GAIN = 1e-6; // xgboost's kRtEps: smaller improvements are not splits

interface SortedColumn {
  /** rows with a non-zero value, by ascending value (ties by row) */
  rows: Int32Array;
  /** their values, in the same order (read sequentially in the hot loop) */
  values: Float64Array;
}

function presort(x: Matrix): SortedColumn[] {
  const out: SortedColumn[] = [];
  for (let f = 0; f < x.cols; f++) {
    const rows: number[] = [];
    for (let i = 0; i < x.rows; i++) if (x.values[i * x.cols + f] !== 0) rows.push(i);
    rows.sort((a, b) => x.values[a * x.cols + f] - x.values[b * x.cols + f] || a - b);
    out.push({ rows: Int32Array.from(rows), values: Float64Array.from(rows, (r) => x.values[r * x.cols + f]) });
  }
  return out;
}

/** xgboost's CalcGain without the ½: the structure score of a node with gradient sums g, h. */
function score(g: number, h: number, lambda: number): number {
  return (g * g) / (h + lambda);
}

interface LevelSplits {
  bestGain: Float64Array;
  bestFeature: Int32Array;
  bestThreshold: Float64Array;
  bestDefaultLeft: Uint8Array;
}

/**
 * The best split of every active node of one level: one scan per feature over its non-zero rows in value
 * order, all nodes at once (xgboost's exact greedy enumeration). At each boundary between two values both
 * defaults for the zeros are scored: zeros right (xgboost's forward scan) and zeros left (its backward scan).
 * When a node has no zeros the two are the same split; xgboost then keeps the forward one if the column has
 * zeros anywhere (it runs first), else the backward one (the only scan it runs), so the default follows suit.
 */
function findSplits(
  rowCount: number, sorted: SortedColumn[], grad: Float64Array, hess: Float64Array, position: Int32Array,
  active: readonly number[], sumGList: readonly number[], sumHList: readonly number[], lambda: number, minChildWeight: number,
): LevelSplits {
  const nodes = sumGList.length;
  const sumG = Float64Array.from(sumGList);
  const sumH = Float64Array.from(sumHList);
  const bestGain = new Float64Array(nodes).fill(MIN_GAIN);
  const bestFeature = new Int32Array(nodes).fill(-1);
  const bestThreshold = new Float64Array(nodes);
  const bestDefaultLeft = new Uint8Array(nodes);
  const isActive = new Uint8Array(nodes);
  const parentScore = new Float64Array(nodes);
  for (const n of active) {
    isActive[n] = 1;
    parentScore[n] = score(sumG[n], sumH[n], lambda);
  }
  const presentG = new Float64Array(nodes);
  const presentH = new Float64Array(nodes);
  // Row counts decide whether a node has zeros (hessian sums could be off by rounding).
  const rowsIn = new Int32Array(nodes);
  for (let i = 0; i < rowCount; i++) if (position[i] >= 0) rowsIn[position[i]]++;
  const presentN = new Int32Array(nodes);
  const accG = new Float64Array(nodes);
  const accH = new Float64Array(nodes);
  const first = new Float64Array(nodes);
  const last = new Float64Array(nodes);
  const consider = (node: number, gl: number, hl: number, threshold: number, defaultLeft: number, feature: number): void => {
    const hr = sumH[node] - hl;
    if (hl < minChildWeight || hr < minChildWeight) return;
    const gr = sumG[node] - gl;
    const gain = (gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - parentScore[node];
    if (gain > bestGain[node]) {
      bestGain[node] = gain;
      bestFeature[node] = feature;
      bestThreshold[node] = threshold;
      bestDefaultLeft[node] = defaultLeft;
    }
  };
  for (let f = 0; f < sorted.length; f++) {
    const { rows, values } = sorted[f];
    if (rows.length === 0) continue;
    const denseDefault = rows.length === rowCount ? 1 : 0;
    presentG.fill(0); presentH.fill(0); presentN.fill(0);
    for (let k = 0; k < rows.length; k++) {
      const r = rows[k];
      const node = position[r];
      if (node < 0 || isActive[node] === 0) continue;
      presentG[node] += grad[r]; presentH[node] += hess[r]; presentN[node]++;
    }
    accG.fill(0); accH.fill(0); last.fill(Number.NaN);
    for (let k = 0; k < rows.length; k++) {
      const r = rows[k];
      const node = position[r];
      if (node < 0 || isActive[node] === 0) continue;
      const v = values[k];
      const previous = last[node];
      if (previous !== previous) first[node] = v;
      else if (v !== previous) {
        const threshold = (previous + v) / 2;
        if (presentN[node] < rowsIn[node]) {
          consider(node, accG[node], accH[node], threshold, 0, f);
          consider(node, accG[node] + sumG[node] - presentG[node], accH[node] + sumH[node] - presentH[node], threshold, 1, f);
        } else consider(node, accG[node], accH[node], threshold, denseDefault, f);
      }
      accG[node] += grad[r]; accH[node] += hess[r]; last[node] = v;
    }
    // Every non-zero row on one side, the zeros on the other.
    for (const node of active) {
      if (Number.isNaN(last[node])) continue;
      consider(node, presentG[node], presentH[node], last[node] + Math.abs(last[node]) * 1e-6 + 1e-6, 0, f);
      const below = first[node] - Math.abs(first[node]) * 1e-6 - 1e-6;
      consider(node, sumG[node] - presentG[node], sumH[node] - presentH[node], below, 1, f);
    }
  }
  return { bestGain, bestFeature, bestThreshold, bestDefaultLeft };
}

function buildTree(
  x: Matrix, sorted: SortedColumn[], grad: Float64Array, hess: Float64Array, options: Required<BoostingOptions>,
): Tree {
  const { maxDepth, lambda, minChildWeight, eta } = options;
  const tree: Tree = { feature: [], threshold: [], defaultLeft: [], left: [], right: [], value: [], gain: [], cover: [] };
  const sumG: number[] = [];
  const sumH: number[] = [];
  const addNode = (g: number, h: number) => {
    tree.feature.push(-1); tree.threshold.push(0); tree.defaultLeft.push(false);
    tree.left.push(-1); tree.right.push(-1); tree.value.push(0); tree.gain.push(0); tree.cover.push(h);
    sumG.push(g); sumH.push(h);
    return sumG.length - 1;
  };
  const position = new Int32Array(x.rows); // node of each row; −1 once its node is final
  let g0 = 0, h0 = 0;
  for (let i = 0; i < x.rows; i++) { g0 += grad[i]; h0 += hess[i]; }
  let active = [addNode(g0, h0)];
  for (let depth = 0; depth < maxDepth && active.length > 0; depth++) {
    const level = findSplits(x.rows, sorted, grad, hess, position, active, sumG, sumH, lambda, minChildWeight);
    const { bestFeature, bestThreshold, bestDefaultLeft, bestGain } = level;
    const next: number[] = [];
    const childOf = new Map<number, [number, number]>();
    for (const node of active) {
      if (bestFeature[node] < 0) continue;
      tree.feature[node] = bestFeature[node];
      tree.threshold[node] = bestThreshold[node];
      tree.defaultLeft[node] = bestDefaultLeft[node] === 1;
      tree.gain[node] = bestGain[node];
      childOf.set(node, [-1, -1]);
    }
    // Route rows to children and sum their gradients.
    const childG = new Map<number, [number, number, number, number]>();
    for (const node of childOf.keys()) childG.set(node, [0, 0, 0, 0]);
    for (let i = 0; i < x.rows; i++) {
      const node = position[i];
      if (node < 0) continue;
      const sums = childG.get(node);
      if (!sums) { position[i] = -1; continue; }
      const v = x.values[i * x.cols + tree.feature[node]];
      const goLeft = v === 0 ? tree.defaultLeft[node] : v < tree.threshold[node];
      if (goLeft) { sums[0] += grad[i]; sums[1] += hess[i]; } else { sums[2] += grad[i]; sums[3] += hess[i]; }
    }
    for (const [node, sums] of childG) {
      const l = addNode(sums[0], sums[1]);
      const r = addNode(sums[2], sums[3]);
      tree.left[node] = l;
      tree.right[node] = r;
      next.push(l, r);
    }
    for (let i = 0; i < x.rows; i++) {
      const node = position[i];
      if (node < 0) continue;
      const v = x.values[i * x.cols + tree.feature[node]];
      position[i] = (v === 0 ? tree.defaultLeft[node] : v < tree.threshold[node]) ? tree.left[node] : tree.right[node];
    }
    active = next;
  }
  for (let n = 0; n < sumG.length; n++) if (tree.feature[n] < 0) tree.value[n] = (-eta * sumG[n]) / (sumH[n] + lambda);
  return tree;
}

function treeValue(tree: Tree, x: Matrix, i: number): number {
  let node = 0;
  while (tree.feature[node] >= 0) {
    const v = x.values[i * x.cols + tree.feature[node]];
    node = (v === 0 ? tree.defaultLeft[node] : v < tree.threshold[node]) ? tree.left[node] : tree.right[node];
  }
  return tree.value[node];
}

export function fitBoosting(x: Matrix, y: ArrayLike<number>, options: BoostingOptions): BoostedModel {
  const opts: Required<BoostingOptions> = { lambda: 1, minChildWeight: 1, ...options };
  const { classes } = opts;
  const baseScore = 0.5;
  const sorted = presort(x);
  const margin = new Float64Array(x.rows * classes).fill(baseScore);
  const grad = new Float64Array(x.rows);
  const hess = new Float64Array(x.rows);
  const prob = new Float64Array(x.rows * classes);
  const trees: Tree[] = [];
  for (let round = 0; round < opts.rounds; round++) {
    for (let i = 0; i < x.rows; i++) {
      let max = -Infinity;
      for (let c = 0; c < classes; c++) max = Math.max(max, margin[i * classes + c]);
      let sum = 0;
      for (let c = 0; c < classes; c++) sum += prob[i * classes + c] = Math.exp(margin[i * classes + c] - max);
      for (let c = 0; c < classes; c++) prob[i * classes + c] /= sum;
    }
    for (let c = 0; c < classes; c++) {
      for (let i = 0; i < x.rows; i++) {
        const p = prob[i * classes + c];
        grad[i] = p - (y[i] === c ? 1 : 0);
        hess[i] = Math.max(2 * p * (1 - p), 1e-16);
      }
      trees.push(buildTree(x, sorted, grad, hess, opts));
    }
    for (let c = 0; c < classes; c++) {
      const tree = trees[round * classes + c];
      for (let i = 0; i < x.rows; i++) margin[i * classes + c] += treeValue(tree, x, i);
    }
  }
  return { classes, baseScore, trees };
}

/** Most likely class per row (the first on ties). */
export function predictBoosting(model: BoostedModel, x: Matrix): Int32Array {
  const { classes, trees } = model;
  const out = new Int32Array(x.rows);
  const margin = new Float64Array(classes);
  for (let i = 0; i < x.rows; i++) {
    margin.fill(model.baseScore);
    trees.forEach((tree, t) => (margin[t % classes] += treeValue(tree, x, i)));
    let best = 0;
    for (let c = 1; c < classes; c++) if (margin[c] > margin[best]) best = c;
    out[i] = best;
  }
  return out;
}

export interface FeatureImportance {
  feature: number;
  /** share of the total split gain, as xgb.importance's Gain */
  gain: number;
  cover: number;
  frequency: number;
}

/** Per feature used in a split: its share of total gain, cover (hessian sum) and split count; by gain. */
export function boostingImportance(model: BoostedModel): FeatureImportance[] {
  const totals = new Map<number, { gain: number; cover: number; frequency: number }>();
  for (const tree of model.trees) {
    tree.feature.forEach((f, n) => {
      if (f < 0) return;
      const t = totals.get(f) ?? { gain: 0, cover: 0, frequency: 0 };
      t.gain += tree.gain[n]; t.cover += tree.cover[n]; t.frequency += 1;
      totals.set(f, t);
    });
  }
  const sum = { gain: 0, cover: 0, frequency: 0 };
  for (const t of totals.values()) { sum.gain += t.gain; sum.cover += t.cover; sum.frequency += t.frequency; }
  return [...totals.entries()]
    .map(([feature, t]) => ({ feature, gain: t.gain / sum.gain, cover: t.cover / sum.cover, frequency: t.frequency / sum.frequency }))
    .sort((a, b) => b.gain - a.gain || a.feature - b.feature);
}
