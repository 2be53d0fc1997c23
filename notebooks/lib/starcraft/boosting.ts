// Gradient-boosted trees for multiclass softmax, following xgboost's exact greedy algorithm
// (the "multi:softmax" objective of the published R call): per round and class one regression tree on
// the softmax gradients g = p − y and hessians h = max(2p(1 − p), 1e-16); split gain
// G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ); leaf value −η·G/(H+λ). A zero is "missing", as in the
// published run (R's sparse.model.matrix stores no zeros): every split learns which side zeros go to.
import { presortColumns } from './boosting-columns.ts';
import { predictClasses } from './boosting-predict.ts';
import { BoostingSoftmax } from './boosting-softmax.ts';
import { type Tree, TreeGrower } from './boosting-tree.ts';
import { type Matrix } from './matrix.ts';

export interface BoostingOptions {
  classes: number;
  rounds: number;
  maxDepth: number;
  eta: number;
  lambda?: number;
  minChildWeight?: number;
}

export type { Tree } from './boosting-tree.ts';

export interface BoostedModel {
  classes: number;
  baseScore: number;
  /** trees[round * classes + c] adds to class c's margin */
  trees: Tree[];
}

export function fitBoosting(x: Matrix, y: ArrayLike<number>, options: BoostingOptions): BoostedModel {
  const opts: Required<BoostingOptions> = { lambda: 1, minChildWeight: 1, ...options };
  const { classes } = opts;
  const baseScore = 0.5;
  const grower = new TreeGrower(x, presortColumns(x), opts);
  const leaf = new Int32Array(x.rows);
  // The margins, probabilities and gradients (p − y, max(2p(1 − p), 1e-16)) in boosting-softmax.ts's kernels.
  const softmax = new BoostingSoftmax(x.rows, classes, y, 2 ** (opts.maxDepth + 1) - 1);
  softmax.margin.view.fill(baseScore);
  const trees: Tree[] = [];
  for (let round = 0; round < opts.rounds; round++) {
    softmax.probabilities();
    for (let c = 0; c < classes; c++) {
      softmax.gradients(c);
      const tree = grower.grow(softmax.grad.view, softmax.hess.view, leaf);
      trees.push(tree);
      // Class c's margins take the tree's leaves now: the round's probabilities are computed already and the
      // gradients read only them, so each margin gets the same addition as after the round's last tree.
      softmax.addLeaves(c, leaf, tree.value);
    }
  }
  grower.release();
  softmax.release();
  return { classes, baseScore, trees };
}

/** Most likely class per row (the first on ties): boosting-predict.ts. */
export function predictBoosting(model: BoostedModel, x: Matrix): Int32Array {
  return predictClasses(model, x);
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
