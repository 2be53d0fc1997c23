// Multinomial (softmax) logistic regression, the model nnet::multinom fits: one weight vector per class,
// P(class c | x) ∝ exp(w_c · x + b_c), fitted by maximum likelihood with L-BFGS.
// Features are scaled by their standard deviation on the training rows (the optimum's predictions do not
// change under rescaling, but the optimiser converges far faster) but not centred, so that the many zeros
// stay zeros and the rows can be stored sparse; constant columns are dropped; a small L2 penalty keeps the
// optimum finite when the classes are separable (late in the game they are).
import { lbfgs } from './lbfgs.ts';
import { type Matrix } from './matrix.ts';

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
  /** rows with the same entries share a pattern number; patterns are numbered by their first row */
  pattern: Int32Array;
  patterns: number;
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
  const columns32 = Int32Array.from(column);
  const values64 = Float64Array.from(value);
  const { pattern, patterns } = rowPatterns(start, columns32, values64, x.rows);
  return { start, column: columns32, value: values64, pattern, patterns };
}

/** Numbers rows by their entries (the same columns and values to the bit), in order of first appearance. */
function rowPatterns(start: Int32Array, column: Int32Array, value: Float64Array, rows: number): { pattern: Int32Array; patterns: number } {
  const bits = new Int32Array(value.buffer, value.byteOffset, value.length * 2);
  const pattern = new Int32Array(rows);
  const firstRows = new Map<number, number[]>(); // by hash of the entries, the first row of each pattern
  const same = (a: number, b: number) => {
    if (start[a + 1] - start[a] !== start[b + 1] - start[b]) return false;
    for (let e = start[a], f = start[b]; e < start[a + 1]; e++, f++) if (column[e] !== column[f] || value[e] !== value[f]) return false;
    return true;
  };
  let patterns = 0;
  for (let i = 0; i < rows; i++) {
    let h = start[i + 1] - start[i];
    for (let e = start[i]; e < start[i + 1]; e++) h = Math.imul(Math.imul(h, 31) ^ column[e], 0x9e3779b1) ^ bits[2 * e] ^ bits[2 * e + 1];
    const candidates = firstRows.get(h) ?? [];
    const first = candidates.find((r) => same(r, i));
    if (first === undefined) {
      pattern[i] = patterns++;
      candidates.push(i);
      firstRows.set(h, candidates);
    } else pattern[i] = pattern[first];
  }
  return { pattern, patterns };
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

/**
 * Mean negative log-likelihood plus the L2 term, and its gradient. `scratch` holds the weights and gradient
 * transposed (feature-major, the classes of one feature side by side) and the per-row residuals: every
 * score and gradient entry is still the same sum in the same order as with class-major weights.
 */
function lossAndGradient(
  w: Float64Array, z: SparseRows, n: number, p: number, y: ArrayLike<number>, classes: number, l2: number,
  gradient: Float64Array, scratch: Scratch,
): number {
  const stride = p + 1;
  const { weightsT, gradientT, lanes } = scratch;
  for (let c = 0; c < classes; c++) for (let j = 0; j <= p; j++) weightsT[j * lanes + c] = w[c * stride + j];
  gradientT.fill(0);
  let loss = lanes === LANES ? rowTerms8(z, n, p, y, classes, scratch) : rowTerms(z, n, p, y, classes, scratch);
  for (let c = 0; c < classes; c++) for (let j = 0; j <= p; j++) gradient[c * stride + j] = gradientT[j * lanes + c];
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

/** Up to this many classes, a row's scores and residuals are held in locals (the weights padded to 8). */
const LANES = 8;

/** Softmax of the scores in s[o … o+classes−1], in place. */
function softmaxAt(s: Float64Array, o: number, classes: number): void {
  let max = -Infinity;
  for (let c = 0; c < classes; c++) if (s[o + c] > max) max = s[o + c];
  let sum = 0;
  for (let c = 0; c < classes; c++) sum += s[o + c] = Math.exp(s[o + c] - max);
  for (let c = 0; c < classes; c++) s[o + c] /= sum;
}

/**
 * The rows' summed loss, their residuals added into gradientT, for at most 8 classes: the same additions in
 * the same order as rowTerms (each class's score is its intercept plus the row's entries in column order),
 * with the eight running scores in locals; a padded class's weights are 0 and its residual is never read.
 * Rows with the same entries (a third of the games repeat another's) share one computation of their class
 * probabilities: row by row, the same numbers are added to the loss and the gradient in the same order.
 */
function rowTerms8(z: SparseRows, n: number, p: number, y: ArrayLike<number>, classes: number, scratch: Scratch): number {
  const { weightsT: wt, gradientT: gt, probabilities: pr } = scratch;
  const { start, column, value, pattern } = z;
  const bias = p * LANES;
  let loss = 0;
  let fresh = 0;
  for (let i = 0; i < n; i++) {
    const from = start[i];
    const end = start[i + 1];
    const o = pattern[i] * LANES;
    if (pattern[i] === fresh) {
      fresh++;
      let r0 = wt[bias], r1 = wt[bias + 1], r2 = wt[bias + 2], r3 = wt[bias + 3];
      let r4 = wt[bias + 4], r5 = wt[bias + 5], r6 = wt[bias + 6], r7 = wt[bias + 7];
      for (let e = from; e < end; e++) {
        const b = column[e] * LANES;
        const v = value[e];
        r0 += wt[b] * v; r1 += wt[b + 1] * v; r2 += wt[b + 2] * v; r3 += wt[b + 3] * v;
        r4 += wt[b + 4] * v; r5 += wt[b + 5] * v; r6 += wt[b + 6] * v; r7 += wt[b + 7] * v;
      }
      pr[o] = r0; pr[o + 1] = r1; pr[o + 2] = r2; pr[o + 3] = r3;
      pr[o + 4] = r4; pr[o + 5] = r5; pr[o + 6] = r6; pr[o + 7] = r7;
      softmaxAt(pr, o, classes);
    }
    const yi = y[i];
    loss -= Math.log(pr[o + yi]);
    const r0 = pr[o] - (yi === 0 ? 1 : 0), r1 = pr[o + 1] - (yi === 1 ? 1 : 0);
    const r2 = pr[o + 2] - (yi === 2 ? 1 : 0), r3 = pr[o + 3] - (yi === 3 ? 1 : 0);
    const r4 = pr[o + 4] - (yi === 4 ? 1 : 0), r5 = pr[o + 5] - (yi === 5 ? 1 : 0);
    const r6 = pr[o + 6] - (yi === 6 ? 1 : 0), r7 = pr[o + 7] - (yi === 7 ? 1 : 0);
    gt[bias] += r0; gt[bias + 1] += r1; gt[bias + 2] += r2; gt[bias + 3] += r3;
    gt[bias + 4] += r4; gt[bias + 5] += r5; gt[bias + 6] += r6; gt[bias + 7] += r7;
    for (let e = from; e < end; e++) {
      const b = column[e] * LANES;
      const v = value[e];
      gt[b] += r0 * v; gt[b + 1] += r1 * v; gt[b + 2] += r2 * v; gt[b + 3] += r3 * v;
      gt[b + 4] += r4 * v; gt[b + 5] += r5 * v; gt[b + 6] += r6 * v; gt[b + 7] += r7 * v;
    }
  }
  return loss;
}

/** rowTerms8 for any number of classes (lanes = classes). */
function rowTerms(z: SparseRows, n: number, p: number, y: ArrayLike<number>, classes: number, scratch: Scratch): number {
  const { weightsT, gradientT, residuals } = scratch;
  const { start, column, value } = z;
  const bias = p * classes;
  let loss = 0;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < classes; c++) residuals[c] = weightsT[bias + c];
    const end = start[i + 1];
    for (let e = start[i]; e < end; e++) {
      const base = column[e] * classes;
      const v = value[e];
      for (let c = 0; c < classes; c++) residuals[c] += weightsT[base + c] * v;
    }
    softmaxAt(residuals, 0, classes);
    const yi = y[i];
    loss -= Math.log(residuals[yi]);
    for (let c = 0; c < classes; c++) residuals[c] -= yi === c ? 1 : 0;
    for (let c = 0; c < classes; c++) gradientT[bias + c] += residuals[c];
    for (let e = start[i]; e < end; e++) {
      const base = column[e] * classes;
      const v = value[e];
      for (let c = 0; c < classes; c++) gradientT[base + c] += residuals[c] * v;
    }
  }
  return loss;
}

interface Scratch {
  /** classes per feature in weightsT and gradientT: 8 when the classes fit in 8 (padded with zeros), else classes */
  lanes: number;
  weightsT: Float64Array;
  gradientT: Float64Array;
  residuals: Float64Array;
  /** per distinct row (pattern), its class probabilities, `lanes` apart */
  probabilities: Float64Array;
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
  const lanes = classes <= LANES ? LANES : classes;
  const size = lanes * (p + 1);
  const scratch: Scratch = {
    lanes, weightsT: new Float64Array(size), gradientT: new Float64Array(size), residuals: new Float64Array(lanes),
    probabilities: new Float64Array(z.patterns * lanes),
  };
  const l2 = options.l2 ?? 1e-4;
  const result = lbfgs(
    (w, gradient) => lossAndGradient(w, z, x.rows, p, y, classes, l2, gradient, scratch),
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
