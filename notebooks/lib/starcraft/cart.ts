// A CART classification tree with rpart's defaults: Gini splits, a node is split only if it has at least
// minSplit = 20 rows and each child at least minBucket = 7; then cost-complexity pruning at cp = 0.01
// (a split must cut the misclassified rows by at least cp × the root's). ml-cart has no complexity
// pruning and re-scans every candidate split, which made it far slower here; this keeps to rpart. Each node
// scans only its own rows, in value order, from per-feature sorted lists partitioned as the tree grows (the scan
// and the lists' partition in WebAssembly: cart-kernel.ts).
import { CartKernel } from './cart-kernel.ts';
import { columnOrder } from './column-order.ts';
import { type Matrix } from './matrix.ts';

export interface CartOptions {
  classes: number;
  minSplit?: number;
  minBucket?: number;
  cp?: number;
  maxDepth?: number;
}

interface Node {
  prediction: number;
  /** rows misclassified if this node were a leaf */
  errors: number;
  feature: number;
  threshold: number;
  left?: Node;
  right?: Node;
}

export interface CartModel {
  classes: number;
  root: Node;
}

function gini(c: ArrayLike<number>, n: number): number {
  let s = 0;
  for (let k = 0; k < c.length; k++) s += c[k] * c[k];
  return n - s / n; // n × Gini impurity, so that children add up
}

function majority(c: ArrayLike<number>): number {
  let best = 0;
  for (let k = 1; k < c.length; k++) if (c[k] > c[best]) best = k;
  return best;
}

/**
 * Every feature's rows sorted by (value, row), kept partitioned by node: a node owns the same range
 * from … to−1 of every feature's list (the rows it holds, in value order), split stably into its children's.
 */
class NodeRows {
  /** the lists and the scan (in the kernel's memory) */
  readonly kernel: CartKernel;
  readonly rows: Int32Array;
  readonly values: Float64Array;

  constructor(private readonly x: Matrix, classes: number) {
    const n = x.rows;
    this.kernel = new CartKernel(n, x.cols, classes);
    this.rows = this.kernel.rows.view;
    this.rows.set(columnOrder(x));
    this.values = this.kernel.values.view;
    // values[k] = x[rows[k]][f] in feature f's list, gathered in the kernel (the same numbers)
    this.kernel.x.view.set(x.values);
    this.kernel.gather();
  }

  /**
   * Splits the node holding list entries from … to−1 on feature < threshold (as x's values: the lists hold the
   * same numbers): marks the rows going left (the kernel's goLeft), moves them stably to the front of the range in
   * every list (in the kernel); returns the split point.
   */
  partition(from: number, to: number, feature: number, threshold: number): number {
    const left = this.kernel.mark(from, to, feature, threshold);
    this.kernel.partition(from, to);
    return from + left;
  }
}

export function fitCart(x: Matrix, y: ArrayLike<number>, options: CartOptions): CartModel {
  const { classes } = options;
  const minSplit = options.minSplit ?? 20;
  const minBucket = options.minBucket ?? Math.round(minSplit / 3);
  const maxDepth = options.maxDepth ?? 30;
  const n = x.rows;
  const lists = new NodeRows(x, classes);
  const { kernel } = lists;
  kernel.labels.view.set(y);

  // The node holding list entries from … to−1. Counts are integers, so the sums of squares of the class counts
  // on each side are exact whether summed afresh at each candidate or updated row by row, as the scan does. The
  // class counts are the kernel's (counted there over the node's rows; the scan reads them), or, with no feature
  // (so no list, and no split: the root only), counted here.
  const grow = (from: number, to: number, depth: number): Node => {
    const size = to - from;
    let c: ArrayLike<number>;
    if (x.cols > 0) c = kernel.countClasses(from, to);
    else {
      const counts = new Array<number>(classes).fill(0);
      for (let k = from; k < to; k++) counts[y[k]]++;
      c = counts;
    }
    const prediction = majority(c);
    const node: Node = { prediction, errors: size - c[prediction], feature: -1, threshold: 0 };
    if (size < minSplit || depth >= maxDepth || node.errors === 0) return node;
    const parentImpurity = gini(c, size);
    let totalSquares = 0;
    for (let k = 0; k < classes; k++) totalSquares += c[k] * c[k];
    const best = kernel.scan(from, to, minBucket, parentImpurity, totalSquares, 1e-9);
    if (best.feature >= 0) {
      node.feature = best.feature;
      node.threshold = best.threshold;
    }
    if (node.feature < 0) return node;
    const middle = lists.partition(from, to, node.feature, node.threshold);
    node.left = grow(from, middle, depth + 1);
    node.right = grow(middle, to, depth + 1);
    return node;
  };

  const root = grow(0, n, 0);
  kernel.release();
  prune(root, (options.cp ?? 0.01) * root.errors);
  return { classes, root };
}

interface SubtreeRisk {
  errors: number;
  leaves: number;
}

/** Bottom-up: collapse a split whose subtree saves fewer than alpha errors per extra leaf. */
function prune(node: Node, alpha: number): SubtreeRisk {
  if (!node.left || !node.right) return { errors: node.errors, leaves: 1 };
  const l = prune(node.left, alpha);
  const r = prune(node.right, alpha);
  const errors = l.errors + r.errors;
  const leaves = l.leaves + r.leaves;
  if (node.errors - errors <= alpha * (leaves - 1)) {
    node.left = node.right = undefined;
    node.feature = -1;
    return { errors: node.errors, leaves: 1 };
  }
  return { errors, leaves };
}

export function predictCart(model: CartModel, x: Matrix): Int32Array {
  const out = new Int32Array(x.rows);
  for (let i = 0; i < x.rows; i++) {
    let node = model.root;
    while (node.left && node.right) node = x.values[i * x.cols + node.feature] < node.threshold ? node.left : node.right;
    out[i] = node.prediction;
  }
  return out;
}

/** Number of leaves (for tests and notes). */
export function cartLeaves(model: CartModel): number {
  const walk = (n: Node): number => (n.left && n.right ? walk(n.left) + walk(n.right) : 1);
  return walk(model.root);
}
