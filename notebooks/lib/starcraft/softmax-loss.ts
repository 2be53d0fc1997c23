// The softmax regression's training loss (mean negative log-likelihood plus the L2 term) and its gradient, as
// L-BFGS asks for them: the value at every point the line search tries, the gradient only at the points it keeps.
//
// Every number is the same sum, in the same order, as in the row-by-row computation (reference/softmax-exact.ts),
// so the weights are the same to the bit; the work is arranged to do less:
// - a row's class probabilities depend on its entries only: rows with the same entries (a third of the games
//   repeat another's) share one computation of them, and rows with the same entries and label share their log
//   likelihood and residuals (probabilities − one-hot label);
// - the gradient is summed column by column (CSC): one weight's gradient is the sum over the rows, in row order,
//   of residual × value, so each column's class sums stay in locals over its rows instead of being read and
//   written back in memory for every entry.
import { type SplitObjective } from './lbfgs.ts';

/** A row-compressed (CSR) copy of the scaled columns: row i's entries are start[i] … start[i+1]−1. */
export interface SparseRows {
  start: Int32Array;
  column: Int32Array;
  value: Float64Array;
}

/** Up to this many classes, a row's scores and a column's gradient sums are held in locals (padded to 8). */
const LANES = 8;

/** Numbers rows by their entries (the same columns and values to the bit), in order of first appearance. */
function rowPatterns(z: SparseRows, rows: number): { pattern: Int32Array; patterns: number } {
  const { start, column, value } = z;
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

/** Softmax of the scores in s[o … o+classes−1], in place. */
function softmaxAt(s: Float64Array, o: number, classes: number): void {
  let max = -Infinity;
  for (let c = 0; c < classes; c++) if (s[o + c] > max) max = s[o + c];
  let sum = 0;
  for (let c = 0; c < classes; c++) sum += s[o + c] = Math.exp(s[o + c] - max);
  for (let c = 0; c < classes; c++) s[o + c] /= sum;
}

/**
 * The loss of weights w (classes × (p + 1), class-major, the intercept last) on n sparse rows of p columns.
 * `gradient` gives the gradient at the weights of the last `value` call.
 */
export class SoftmaxLoss implements SplitObjective {
  /** classes per feature in the transposed weights, the probabilities and the residuals: 8 when they fit in 8, else classes */
  private readonly lanes: number;
  // Distinct rows (patterns), row-compressed: pattern k's entries are patternStart[k] … patternStart[k+1]−1.
  private readonly patterns: number;
  private readonly patternStart: Int32Array;
  private readonly patternColumn: Int32Array;
  private readonly patternValue: Float64Array;
  // Distinct (pattern, label) pairs ("groups"), numbered by first row; group[i] is row i's.
  private readonly groups: number;
  private readonly group: Int32Array;
  private readonly groupPattern: Int32Array;
  private readonly groupLabel: Int32Array;
  // The rows column by column (CSC): column j's entries are columnStart[j] … columnStart[j+1]−1, in row order,
  // each with its row's group and its value.
  private readonly columnStart: Int32Array;
  private readonly entryGroup: Int32Array;
  private readonly entryValue: Float64Array;
  // Per evaluation.
  /** the weights feature-major, `lanes` apart (padding lanes stay 0) */
  private readonly weightsT: Float64Array;
  /** per pattern, its class probabilities, `lanes` apart */
  private readonly probabilities: Float64Array;
  /** per group, −log of its label's probability, and its residuals (`lanes` apart) */
  private readonly logLikelihood: Float64Array;
  private readonly residuals: Float64Array;
  /** column sums for more than 8 classes */
  private readonly sums: Float64Array;
  /** the weights of the last `value` call (for the L2 term of the gradient) */
  private weights: Float64Array = new Float64Array(0);

  constructor(
    z: SparseRows, y: ArrayLike<number>, private readonly n: number, private readonly p: number,
    private readonly classes: number, private readonly l2: number,
  ) {
    const lanes = (this.lanes = classes <= LANES ? LANES : classes);
    const { start, column, value } = z;
    const { pattern, patterns } = rowPatterns(z, n);
    this.patterns = patterns;
    const groupOf = new Int32Array(patterns * classes).fill(-1); // by pattern and label
    const groupPattern: number[] = [];
    const groupLabel: number[] = [];
    this.group = new Int32Array(n);
    const perColumn = new Int32Array(p + 1); // entries per column, then where each column starts
    for (let i = 0; i < n; i++) {
      const key = pattern[i] * classes + y[i];
      if (groupOf[key] < 0) {
        groupOf[key] = groupPattern.length;
        groupPattern.push(pattern[i]);
        groupLabel.push(y[i]);
      }
      this.group[i] = groupOf[key];
      for (let e = start[i]; e < start[i + 1]; e++) perColumn[column[e] + 1]++;
    }
    // Patterns are numbered by first row: their entries are copied from it, in that order.
    const firstRow = new Int32Array(patterns);
    for (let i = n - 1; i >= 0; i--) firstRow[pattern[i]] = i;
    let entries = 0;
    for (let k = 0; k < patterns; k++) entries += start[firstRow[k] + 1] - start[firstRow[k]];
    this.patternStart = new Int32Array(patterns + 1);
    this.patternColumn = new Int32Array(entries);
    this.patternValue = new Float64Array(entries);
    for (let k = 0, at = 0; k < patterns; k++) {
      for (let e = start[firstRow[k]]; e < start[firstRow[k] + 1]; e++, at++) {
        this.patternColumn[at] = column[e];
        this.patternValue[at] = value[e];
      }
      this.patternStart[k + 1] = at;
    }
    this.groups = groupPattern.length;
    this.groupPattern = Int32Array.from(groupPattern);
    this.groupLabel = Int32Array.from(groupLabel);
    for (let j = 0; j < p; j++) perColumn[j + 1] += perColumn[j];
    this.columnStart = perColumn;
    this.entryGroup = new Int32Array(perColumn[p]);
    this.entryValue = new Float64Array(perColumn[p]);
    const fill = perColumn.slice(0, p);
    for (let i = 0; i < n; i++) {
      for (let e = start[i]; e < start[i + 1]; e++) {
        const at = fill[column[e]]++;
        this.entryGroup[at] = this.group[i];
        this.entryValue[at] = value[e];
      }
    }
    this.weightsT = new Float64Array(lanes * (p + 1));
    this.probabilities = new Float64Array(patterns * lanes);
    this.logLikelihood = new Float64Array(this.groups);
    this.residuals = new Float64Array(this.groups * lanes);
    this.sums = new Float64Array(lanes);
  }

  value(w: Float64Array): number {
    const { n, p, classes, lanes, weightsT, l2 } = this;
    const stride = p + 1;
    for (let c = 0; c < classes; c++) for (let j = 0; j <= p; j++) weightsT[j * lanes + c] = w[c * stride + j];
    if (lanes === LANES) this.probabilities8();
    else this.probabilitiesAny();
    const { probabilities, logLikelihood, groupPattern, groupLabel, group } = this;
    for (let g = 0; g < this.groups; g++) logLikelihood[g] = Math.log(probabilities[groupPattern[g] * lanes + groupLabel[g]]);
    let loss = 0;
    for (let i = 0; i < n; i++) loss -= logLikelihood[group[i]];
    loss /= n;
    for (let c = 0; c < classes; c++) {
      for (let j = 0; j < p; j++) {
        const wj = w[c * stride + j];
        loss += 0.5 * l2 * wj * wj;
      }
    }
    this.weights = w;
    return loss;
  }

  gradient(out: Float64Array): void {
    const { n, p, classes, lanes, l2, weights: w, probabilities, residuals, groupPattern, groupLabel } = this;
    for (let g = 0; g < this.groups; g++) {
      const o = groupPattern[g] * lanes;
      const label = groupLabel[g];
      for (let c = 0; c < lanes; c++) residuals[g * lanes + c] = probabilities[o + c] - (label === c ? 1 : 0);
    }
    const stride = p + 1;
    if (lanes === LANES) this.columnSums8(out);
    else this.columnSumsAny(out);
    // As the row-by-row computation: each sum divided by n, then the L2 term added (not to the intercepts).
    for (let c = 0; c < classes; c++) {
      for (let j = 0; j <= p; j++) out[c * stride + j] /= n;
      for (let j = 0; j < p; j++) out[c * stride + j] += l2 * w[c * stride + j];
    }
  }

  /**
   * Each pattern's class probabilities, for at most 8 classes: each class's score is its intercept plus the
   * entries in column order, the eight running scores in locals (a padded class's weights are 0 and its
   * probability is never read).
   */
  private probabilities8(): void {
    const { weightsT: wt, probabilities: pr, patternStart: start, patternColumn: column, patternValue: value, classes } = this;
    const bias = this.p * LANES;
    for (let k = 0; k < this.patterns; k++) {
      let r0 = wt[bias], r1 = wt[bias + 1], r2 = wt[bias + 2], r3 = wt[bias + 3];
      let r4 = wt[bias + 4], r5 = wt[bias + 5], r6 = wt[bias + 6], r7 = wt[bias + 7];
      for (let e = start[k]; e < start[k + 1]; e++) {
        const b = column[e] * LANES;
        const v = value[e];
        r0 += wt[b] * v; r1 += wt[b + 1] * v; r2 += wt[b + 2] * v; r3 += wt[b + 3] * v;
        r4 += wt[b + 4] * v; r5 += wt[b + 5] * v; r6 += wt[b + 6] * v; r7 += wt[b + 7] * v;
      }
      const o = k * LANES;
      pr[o] = r0; pr[o + 1] = r1; pr[o + 2] = r2; pr[o + 3] = r3;
      pr[o + 4] = r4; pr[o + 5] = r5; pr[o + 6] = r6; pr[o + 7] = r7;
      softmaxAt(pr, o, classes);
    }
  }

  /** probabilities8 for any number of classes (lanes = classes). */
  private probabilitiesAny(): void {
    const { weightsT: wt, probabilities: pr, patternStart: start, patternColumn: column, patternValue: value, classes } = this;
    const bias = this.p * classes;
    for (let k = 0; k < this.patterns; k++) {
      const o = k * classes;
      for (let c = 0; c < classes; c++) pr[o + c] = wt[bias + c];
      for (let e = start[k]; e < start[k + 1]; e++) {
        const b = column[e] * classes;
        const v = value[e];
        for (let c = 0; c < classes; c++) pr[o + c] += wt[b + c] * v;
      }
      softmaxAt(pr, o, classes);
    }
  }

  /**
   * The gradient's sums into `out` (class-major), for at most 8 classes: per column, the residual × value of
   * its rows in row order, the intercepts' the residuals of all rows in row order; eight sums in locals.
   */
  private columnSums8(out: Float64Array): void {
    const { residuals: rs, columnStart, entryGroup, entryValue, group, n, p, classes } = this;
    const stride = p + 1;
    const store = (j: number, s0: number, s1: number, s2: number, s3: number, s4: number, s5: number, s6: number, s7: number) => {
      out[j] = s0;
      if (classes > 1) out[stride + j] = s1;
      if (classes > 2) out[2 * stride + j] = s2;
      if (classes > 3) out[3 * stride + j] = s3;
      if (classes > 4) out[4 * stride + j] = s4;
      if (classes > 5) out[5 * stride + j] = s5;
      if (classes > 6) out[6 * stride + j] = s6;
      if (classes > 7) out[7 * stride + j] = s7;
    };
    for (let j = 0; j < p; j++) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
      for (let e = columnStart[j]; e < columnStart[j + 1]; e++) {
        const b = entryGroup[e] * LANES;
        const v = entryValue[e];
        s0 += rs[b] * v; s1 += rs[b + 1] * v; s2 += rs[b + 2] * v; s3 += rs[b + 3] * v;
        s4 += rs[b + 4] * v; s5 += rs[b + 5] * v; s6 += rs[b + 6] * v; s7 += rs[b + 7] * v;
      }
      store(j, s0, s1, s2, s3, s4, s5, s6, s7);
    }
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
    for (let i = 0; i < n; i++) {
      const b = group[i] * LANES;
      s0 += rs[b]; s1 += rs[b + 1]; s2 += rs[b + 2]; s3 += rs[b + 3];
      s4 += rs[b + 4]; s5 += rs[b + 5]; s6 += rs[b + 6]; s7 += rs[b + 7];
    }
    store(p, s0, s1, s2, s3, s4, s5, s6, s7);
  }

  /** columnSums8 for any number of classes (lanes = classes). */
  private columnSumsAny(out: Float64Array): void {
    const { residuals: rs, columnStart, entryGroup, entryValue, group, n, p, classes, sums } = this;
    const stride = p + 1;
    for (let j = 0; j <= p; j++) {
      sums.fill(0);
      if (j < p) {
        for (let e = columnStart[j]; e < columnStart[j + 1]; e++) {
          const b = entryGroup[e] * classes;
          const v = entryValue[e];
          for (let c = 0; c < classes; c++) sums[c] += rs[b + c] * v;
        }
      } else {
        for (let i = 0; i < n; i++) for (let c = 0; c < classes; c++) sums[c] += rs[group[i] * classes + c];
      }
      for (let c = 0; c < classes; c++) out[c * stride + j] = sums[c];
    }
  }
}
