// One regression tree of the boosted model, grown level by level with xgboost's exact greedy enumeration
// (the split search is boosting-split.ts). Every feature's non-zero rows are kept sorted by value and
// partitioned by node (each node's rows form one contiguous, still sorted, segment), so a node's scan over a
// feature reads its own rows only. The sums, candidates and their order are those of a scan over the whole
// column in value order (node by node the same additions in the same order), so the trees are the same to the bit.
import { type SortedColumns } from './boosting-columns.ts';
import { BoostingKernels } from './boosting-kernels.ts';
import { type Split, type TreeOptions } from './boosting-split.ts';
import { type Matrix } from './matrix.ts';
import { type Block } from './wasm.ts';

export { splitGain, type TreeOptions } from './boosting-split.ts';

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

/** Scratch space for growing trees on one matrix: allocated once per fit, reused by every tree. */
export class TreeGrower {
  private readonly split: Split = { feature: -1, threshold: 0, defaultLeft: 0, gain: 0 };
  /** the sorted lists and their partition by node, the rows' routing and gradients, in the kernels' memory */
  private readonly kernels: BoostingKernels;
  private readonly maxNodes: number;
  // The tree being grown, by node (feature, threshold, default and children in the kernels' memory, for `route`).
  private readonly feature: Int32Array;
  private readonly threshold: Float64Array;
  private readonly defaultLeft: Uint8Array;
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  private readonly gain: Float64Array;
  private readonly sumG: Float64Array;
  private readonly sumH: Float64Array;
  private readonly count: Int32Array;
  private nodes = 0;

  constructor(private readonly x: Matrix, private readonly sorted: SortedColumns, private readonly options: TreeOptions) {
    const maxNodes = (this.maxNodes = 2 ** (options.maxDepth + 1) - 1);
    const kernels = (this.kernels = new BoostingKernels(x.rows, x.cols, sorted.rows.length, maxNodes));
    kernels.sortedRows.view.set(sorted.rows);
    kernels.byColumn.view.set(sorted.byColumn);
    kernels.start.view.set(sorted.start);
    this.feature = kernels.feature.view;
    this.threshold = kernels.threshold.view;
    this.defaultLeft = kernels.defaultLeft.view;
    this.left = kernels.left.view;
    this.right = kernels.right.view;
    this.gain = new Float64Array(maxNodes);
    this.sumG = new Float64Array(maxNodes);
    this.sumH = new Float64Array(maxNodes);
    this.count = new Int32Array(maxNodes);
  }

  /** Gives the kernels' memory back (wasm.ts): no tree may be grown afterwards. */
  release(): void {
    this.kernels.release();
  }

  private addNode(g: number, h: number, n: number): number {
    const node = this.nodes++;
    this.feature[node] = -1; this.threshold[node] = 0; this.defaultLeft[node] = 0;
    this.left[node] = -1; this.right[node] = -1; this.gain[node] = 0;
    this.sumG[node] = g; this.sumH[node] = h; this.count[node] = n;
    return node;
  }

  /** Grows one tree on (gradients, hessians); `leafOf` receives each training row's leaf. */
  grow(gradients: Float64Array, hessians: Float64Array, leafOf: Int32Array): Tree {
    const { x, sorted, maxNodes, kernels, feature, threshold, defaultLeft, left, right } = this;
    const { maxDepth, lambda, eta } = this.options;
    const cols = x.cols;
    const lo = kernels.lo.view, hi = kernels.hi.view, position = kernels.position.view, leaf = kernels.leaf.view;
    const grad = kernels.grad.view, hess = kernels.hess.view;
    const childG = kernels.childG.view, childH = kernels.childH.view, childCount = kernels.childCount.view;
    grad.set(gradients);
    hess.set(hessians);
    kernels.pairUp();
    for (let f = 0; f < cols; f++) {
      lo[f * maxNodes] = sorted.start[f];
      hi[f * maxNodes] = sorted.start[f + 1];
    }
    this.nodes = 0;
    position.fill(0);
    // the root's sums, 0 + grad[0] + … in row order (pairUp)
    let active = [this.addNode(kernels.rootSums.view[0], kernels.rootSums.view[1], x.rows)];
    for (let depth = 0; depth < maxDepth && active.length > 0; depth++) {
      // The root reads the presorted lists; its partition writes the working copy (no copy per tree).
      const rows = depth === 0 ? kernels.sortedRows : kernels.rows;
      const splitting = active.filter((node) => this.findSplit(node, rows));
      // The children are numbered in order, left then right, as they are added below.
      splitting.forEach((node, k) => {
        left[node] = this.nodes + 2 * k;
        right[node] = this.nodes + 2 * k + 1;
      });
      // Route rows to children and sum their gradients in row order.
      kernels.route();
      const next: number[] = [];
      for (const node of splitting) {
        const l = this.addNode(childG[left[node]], childH[left[node]], childCount[left[node]]);
        const r = this.addNode(childG[right[node]], childH[right[node]], childCount[right[node]]);
        left[node] = l;
        right[node] = r;
        next.push(l, r);
        if (depth + 1 < maxDepth) kernels.partition(node, l, r, rows); // leaves need no lists
      }
      active = next;
    }
    // every row was routed at least once (the root's level), unless no level was grown: all at the root then
    if (maxDepth > 0) leafOf.set(leaf); else leafOf.fill(0);
    const n = this.nodes;
    // The tree in plain arrays, filled by index (Array.from over a typed array's iterator cost more, per tree).
    const tree: Tree = {
      feature: new Array<number>(n), threshold: new Array<number>(n), defaultLeft: new Array<boolean>(n), left: new Array<number>(n),
      right: new Array<number>(n), value: new Array<number>(n), gain: new Array<number>(n), cover: new Array<number>(n),
    };
    const { sumG, sumH, gain } = this;
    for (let k = 0; k < n; k++) {
      tree.feature[k] = feature[k];
      tree.threshold[k] = threshold[k];
      tree.defaultLeft[k] = defaultLeft[k] === 1;
      tree.left[k] = left[k];
      tree.right[k] = right[k];
      tree.value[k] = feature[k] < 0 ? (-eta * sumG[k]) / (sumH[k] + lambda) : 0;
      tree.gain[k] = gain[k];
      tree.cover[k] = sumH[k];
    }
    return tree;
  }

  /** Records the best split of `node` (boosting-split.ts, boosting-kernels.ts); false when there is none. */
  private findSplit(node: number, rows: Block<Int32Array>): boolean {
    const { split } = this;
    if (!this.kernels.find(node, rows, this.count[node], this.sumG[node], this.sumH[node], this.options, split)) return false;
    this.feature[node] = split.feature;
    this.threshold[node] = split.threshold;
    this.defaultLeft[node] = split.defaultLeft;
    this.gain[node] = split.gain;
    return true;
  }
}
