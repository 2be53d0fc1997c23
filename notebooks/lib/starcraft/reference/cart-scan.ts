// The previous implementation of cart.ts (every node scans every feature's whole sorted column, skipping rows of
// other nodes), kept only so that tests can check that the faster one grows the same trees. Not used by the analysis.
// A CART classification tree with rpart's defaults: Gini splits, a node is split only if it has at least
// minSplit = 20 rows and each child at least minBucket = 7; then cost-complexity pruning at cp = 0.01
// (a split must cut the misclassified rows by at least cp × the root's). ml-cart has no complexity
// pruning and re-scans every candidate split, which made it far slower here; this keeps to rpart.
import { type Matrix } from '../matrix.ts';

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

function counts(y: ArrayLike<number>, rows: readonly number[], classes: number): number[] {
  const out = new Array<number>(classes).fill(0);
  for (const r of rows) out[y[r]]++;
  return out;
}

function gini(c: readonly number[], n: number): number {
  let s = 0;
  for (const v of c) s += v * v;
  return n - s / n; // n × Gini impurity, so that children add up
}

function majority(c: readonly number[]): number {
  let best = 0;
  for (let k = 1; k < c.length; k++) if (c[k] > c[best]) best = k;
  return best;
}

export function fitCart(x: Matrix, y: ArrayLike<number>, options: CartOptions): CartModel {
  const { classes } = options;
  const minSplit = options.minSplit ?? 20;
  const minBucket = options.minBucket ?? Math.round(minSplit / 3);
  const maxDepth = options.maxDepth ?? 30;
  // Row order by value per feature, computed once; nodes filter it with a membership mark.
  const order: Int32Array[] = [];
  for (let f = 0; f < x.cols; f++) {
    const rows = [...Array(x.rows).keys()];
    rows.sort((a, b) => x.values[a * x.cols + f] - x.values[b * x.cols + f] || a - b);
    order.push(Int32Array.from(rows));
  }
  const inNode = new Uint8Array(x.rows);

  const grow = (rows: number[], depth: number): Node => {
    const c = counts(y, rows, classes);
    const prediction = majority(c);
    const node: Node = { prediction, errors: rows.length - c[prediction], feature: -1, threshold: 0 };
    if (rows.length < minSplit || depth >= maxDepth || node.errors === 0) return node;
    const parentImpurity = gini(c, rows.length);
    let bestImprovement = 1e-9;
    for (const r of rows) inNode[r] = 1;
    const left = new Array<number>(classes);
    for (let f = 0; f < x.cols; f++) {
      left.fill(0);
      let nLeft = 0;
      let previous = Number.NaN;
      for (const r of order[f]) {
        if (!inNode[r]) continue;
        const v = x.values[r * x.cols + f];
        if (nLeft >= minBucket && rows.length - nLeft >= minBucket && v !== previous) {
          let squaresLeft = 0;
          let squaresRight = 0;
          for (let k = 0; k < classes; k++) {
            squaresLeft += left[k] * left[k];
            squaresRight += (c[k] - left[k]) ** 2;
          }
          const nRight = rows.length - nLeft;
          const improvement = parentImpurity - (nLeft - squaresLeft / nLeft) - (nRight - squaresRight / nRight);
          if (improvement > bestImprovement) {
            bestImprovement = improvement;
            node.feature = f;
            node.threshold = (previous + v) / 2;
          }
        }
        left[y[r]]++;
        nLeft++;
        previous = v;
      }
    }
    for (const r of rows) inNode[r] = 0;
    if (node.feature < 0) return node;
    const leftRows = rows.filter((r) => x.values[r * x.cols + node.feature] < node.threshold);
    const rightRows = rows.filter((r) => x.values[r * x.cols + node.feature] >= node.threshold);
    node.left = grow(leftRows, depth + 1);
    node.right = grow(rightRows, depth + 1);
    return node;
  };

  const root = grow([...Array(x.rows).keys()], 0);
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
