// The previous implementation of softmax.ts (class-major scores and gradient), kept only so that tests can
// check that the faster one fits the same weights to the bit. Not used by the analysis.
// Multinomial (softmax) logistic regression, the model nnet::multinom fits: one weight vector per class,
// P(class c | x) ∝ exp(w_c · x + b_c), fitted by maximum likelihood with L-BFGS.
// Features are scaled by their standard deviation on the training rows (the optimum's predictions do not
// change under rescaling, but the optimiser converges far faster) but not centred, so that the many zeros
// stay zeros and the rows can be stored sparse; constant columns are dropped; a small L2 penalty keeps the
// optimum finite when the classes are separable (late in the game they are).
import { lbfgs } from './lbfgs-exact.ts';
import { type Matrix } from '../matrix.ts';

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

/** A row-compressed (CSR) copy of the scaled columns: row i's entries are start[i] … start[i+1]−1. */
interface SparseRows {
  start: Int32Array;
  column: Int32Array;
  value: Float64Array;
}

function scaleSparse(x: Matrix, columns: number[], scale: Float64Array): SparseRows {
  const start = new Int32Array(x.rows + 1);
  const column: number[] = [];
  const value: number[] = [];
  for (let i = 0; i < x.rows; i++) {
    for (let j = 0; j < columns.length; j++) {
      const v = x.values[i * x.cols + columns[j]];
      if (v !== 0) {
        column.push(j);
        value.push(v / scale[j]);
      }
    }
    start[i + 1] = column.length;
  }
  return { start, column: Int32Array.from(column), value: Float64Array.from(value) };
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

/** Mean negative log-likelihood plus the L2 term, and its gradient; `probabilities` is scratch (n × K). */
function lossAndGradient(
  w: Float64Array, z: SparseRows, n: number, p: number, y: ArrayLike<number>, classes: number, l2: number,
  gradient: Float64Array, probabilities: Float64Array,
): number {
  const stride = p + 1;
  gradient.fill(0);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const pi = i * classes;
    scores(w, z, i, p, classes, probabilities, pi);
    let max = -Infinity;
    for (let c = 0; c < classes; c++) if (probabilities[pi + c] > max) max = probabilities[pi + c];
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += probabilities[pi + c] = Math.exp(probabilities[pi + c] - max);
    loss -= Math.log(probabilities[pi + y[i]] / sum);
    for (let c = 0; c < classes; c++) {
      const residual = probabilities[pi + c] / sum - (y[i] === c ? 1 : 0);
      probabilities[pi + c] = residual;
      gradient[c * stride + p] += residual;
    }
    for (let e = z.start[i]; e < z.start[i + 1]; e++) {
      const j = z.column[e];
      const v = z.value[e];
      for (let c = 0; c < classes; c++) gradient[c * stride + j] += probabilities[pi + c] * v;
    }
  }
  for (let k = 0; k < gradient.length; k++) gradient[k] /= n;
  loss /= n;
  for (let c = 0; c < classes; c++) {
    for (let j = 0; j < p; j++) {
      const wj = w[c * stride + j];
      loss += 0.5 * l2 * wj * wj;
      gradient[c * stride + j] += l2 * wj;
    }
  }
  return loss;
}

export function fitSoftmax(x: Matrix, y: ArrayLike<number>, options: SoftmaxOptions): SoftmaxModel {
  const { classes } = options;
  const columns: number[] = [];
  const means: number[] = [];
  const scales: number[] = [];
  for (let j = 0; j < x.cols; j++) {
    let sum = 0;
    for (let i = 0; i < x.rows; i++) sum += x.values[i * x.cols + j];
    const mean = sum / x.rows;
    let squares = 0;
    for (let i = 0; i < x.rows; i++) squares += (x.values[i * x.cols + j] - mean) ** 2;
    const sd = Math.sqrt(squares / x.rows);
    if (sd > 0) {
      columns.push(j);
      means.push(mean);
      scales.push(sd);
    }
  }
  const mean = Float64Array.from(means);
  const scale = Float64Array.from(scales);
  const p = columns.length;
  const z = scaleSparse(x, columns, scale);
  const probabilities = new Float64Array(x.rows * classes);
  const l2 = options.l2 ?? 1e-4;
  const result = lbfgs(
    (w, gradient) => lossAndGradient(w, z, x.rows, p, y, classes, l2, gradient, probabilities),
    new Float64Array(classes * (p + 1)),
    { maxIterations: options.maxIterations ?? 100, tolerance: options.tolerance ?? 1e-5 },
  );
  return { classes, columns, mean, scale, weights: result.x, iterations: result.iterations };
}

/** Class probabilities, rows × classes. */
export function predictSoftmaxProbabilities(model: SoftmaxModel, x: Matrix): Float64Array {
  const { classes, columns, weights } = model;
  const p = columns.length;
  const z = scaleSparse(x, columns, model.scale);
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
