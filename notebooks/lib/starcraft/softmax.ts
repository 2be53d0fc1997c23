// Multinomial (softmax) logistic regression, the model nnet::multinom fits: one weight vector per class,
// P(class c | x) ∝ exp(w_c · x + b_c), fitted by maximum likelihood with L-BFGS.
// Features are scaled by their standard deviation on the training rows (the optimum's predictions do not
// change under rescaling, but the optimiser converges far faster) but not centred, so that the many zeros
// stay zeros and the rows can be stored sparse; constant columns are dropped; a small L2 penalty keeps the
// optimum finite when the classes are separable (late in the game they are).
import { lbfgs } from './lbfgs.ts';
import { type Matrix } from './matrix.ts';
import { SoftmaxLoss, type SparseRows } from './softmax-loss.ts';
import { ScaleKernel } from './softmax-scale.ts';

export interface SoftmaxOptions {
  classes: number;
  /** L2 penalty on the weights (not the intercepts), per training row */
  l2?: number;
  /** default 100, as nnet::multinom's maxit */
  maxIterations?: number;
  /** stop when no gradient component exceeds this (default 1e-5) */
  tolerance?: number;
}

export interface SoftmaxModel {
  classes: number;
  /** columns of the input that vary in the training rows, their mean (for reference) and standard deviation */
  columns: number[];
  mean: Float64Array;
  scale: Float64Array;
  /** classes × (columns + 1), the last entry of each row is the intercept */
  weights: Float64Array;
  iterations: number;
}

/** Class scores of row i into out[offset … offset+classes−1]. */
function scores(w: Float64Array, z: SparseRows, i: number, p: number, classes: number, out: Float64Array, offset: number): void {
  const stride = p + 1;
  for (let c = 0; c < classes; c++) out[offset + c] = w[c * stride + p];
  for (let e = z.start[i]; e < z.start[i + 1]; e++) {
    const j = z.column[e];
    const v = z.value[e];
    for (let c = 0; c < classes; c++) out[offset + c] += w[c * stride + j] * v;
  }
}

export function fitSoftmax(x: Matrix, y: ArrayLike<number>, options: SoftmaxOptions): SoftmaxModel {
  const { classes } = options;
  const columns: number[] = [];
  const means: number[] = [];
  const scales: number[] = [];
  // Each column's mean, then its squared deviations, summed over the rows in order (ScaleKernel, softmax-scale.ts).
  const kernel = new ScaleKernel(x);
  const { means: columnMeans, squares } = kernel.columnMoments();
  for (let j = 0; j < x.cols; j++) {
    const sd = Math.sqrt(squares[j] / x.rows);
    if (sd > 0) {
      columns.push(j);
      means.push(columnMeans[j]);
      scales.push(sd);
    }
  }
  const mean = Float64Array.from(means);
  const scale = Float64Array.from(scales);
  const p = columns.length;
  const z = kernel.scaleSparse(columns, scale);
  const rows = kernel.rowPatterns();
  kernel.release();
  const loss = new SoftmaxLoss(z, y, x.rows, p, classes, options.l2 ?? 1e-4, rows);
  const result = lbfgs(loss, new Float64Array(classes * (p + 1)), {
    maxIterations: options.maxIterations ?? 100, tolerance: options.tolerance ?? 1e-5,
  });
  loss.release();
  return { classes, columns, mean, scale, weights: result.x, iterations: result.iterations };
}

/** Class probabilities, rows × classes. */
export function predictSoftmaxProbabilities(model: SoftmaxModel, x: Matrix): Float64Array {
  const { classes, columns, weights } = model;
  const p = columns.length;
  const kernel = new ScaleKernel(x);
  const z = kernel.scaleSparse(columns, model.scale);
  kernel.release();
  const out = new Float64Array(x.rows * classes);
  for (let i = 0; i < x.rows; i++) {
    const pi = i * classes;
    scores(weights, z, i, p, classes, out, pi);
    let max = -Infinity;
    for (let c = 0; c < classes; c++) if (out[pi + c] > max) max = out[pi + c];
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += out[pi + c] = Math.exp(out[pi + c] - max);
    for (let c = 0; c < classes; c++) out[pi + c] /= sum;
  }
  return out;
}

/** Most probable class per row (the first on ties). */
export function predictSoftmax(model: SoftmaxModel, x: Matrix): Int32Array {
  const probabilities = predictSoftmaxProbabilities(model, x);
  const k = model.classes;
  const out = new Int32Array(x.rows);
  for (let i = 0; i < x.rows; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (probabilities[i * k + c] > probabilities[i * k + best]) best = c;
    out[i] = best;
  }
  return out;
}
