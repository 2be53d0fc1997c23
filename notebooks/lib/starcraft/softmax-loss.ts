// The softmax regression's training loss (mean negative log-likelihood plus the L2 term) and its gradient, as
// L-BFGS asks for them: the value at every point the line search tries, the gradient only at the points it keeps.
//
// Every number is the same sum, in the same order, as in the row-by-row computation (reference/softmax-exact.ts),
// so the weights are the same to the bit; the work is arranged to do less:
// - a row's class probabilities depend on its entries only: rows with the same entries (a third of the games
//   repeat another's) share one computation of them, and rows with the same entries and label share their log
//   likelihood and residuals (probabilities − one-hot label);
// - the gradient is summed column by column (CSC): one weight's gradient is the sum over the rows, in row order,
//   of residual × value (the intercept's: of residual × 1, which is the residual exactly), so each column's class
//   sums stay in registers over its rows instead of being read and written back in memory for every entry;
// - with at most 8 classes, both the class scores and the gradient's column sums are sparse rows times an
//   8-lane matrix, computed by the WebAssembly SIMD kernel of lanes8.ts (the same operations in the same order),
//   and so are the softmax and the log-likelihood, with fdlibm's exp and log (fdlibm.ts: Math.exp's and Math.log's bits).
import { Lanes8, ROW_BYTES } from './lanes8.ts';
import { type SplitObjective } from './lbfgs.ts';
import { type Block } from './wasm.ts';

/** A row-compressed (CSR) copy of the scaled columns: row i's entries are start[i] … start[i+1]−1. */
export interface SparseRows {
  start: Int32Array;
  column: Int32Array;
  value: Float64Array;
}

/** Up to this many classes, scores and sums go through the 8-lane kernel (padded to 8 lanes). */
const LANES = 8;

/** Rows numbered by their entries: pattern[i] is row i's number, patterns how many. */
export interface RowPatterns {
  pattern: Int32Array;
  patterns: number;
}

/**
 * Numbers rows by their entries (the same columns and values, as numbers, and the same hash of their bits), in
 * order of first appearance. (softmax-scale.ts numbers them the same way in WebAssembly.)
 */
export function rowPatterns(z: SparseRows, rows: number): RowPatterns {
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

// The constructor's loops over rows and groups are functions of their own: the constructor runs once per fit, so
// V8 optimised it whole (a large function, with the JavaScript path for more than 8 classes) to run these loops,
// twice in a fresh isolate; alone, each loop compiles in a fraction of that.

/** Distinct (pattern, label) pairs ("groups"), numbered by first row: each row's group, each group's pattern and label. */
function groupRows(
  pattern: Int32Array, patterns: number, y: ArrayLike<number>, n: number, classes: number,
): { group: Int32Array; groupPattern: Int32Array; groupLabel: Int32Array } {
  const groupOf = new Int32Array(patterns * classes).fill(-1); // by pattern and label
  const groupPattern: number[] = [];
  const groupLabel: number[] = [];
  const group = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const key = pattern[i] * classes + y[i];
    if (groupOf[key] < 0) {
      groupOf[key] = groupPattern.length;
      groupPattern.push(pattern[i]);
      groupLabel.push(y[i]);
    }
    group[i] = groupOf[key];
  }
  return { group, groupPattern: Int32Array.from(groupPattern), groupLabel: Int32Array.from(groupLabel) };
}

/** Each pattern's first row. */
function firstRows(pattern: Int32Array, patterns: number, n: number): Int32Array {
  const firstRow = new Int32Array(patterns);
  for (let i = n - 1; i >= 0; i--) firstRow[pattern[i]] = i;
  return firstRow;
}

/** How many entries the rows have. */
function entriesOf(start: Int32Array, rows: Int32Array): number {
  let entries = 0;
  for (let k = 0; k < rows.length; k++) entries += start[rows[k] + 1] - start[rows[k]];
  return entries;
}

/** Per group, the address of its pattern's probabilities and of its label's. */
function kernelAddresses(
  groupPattern: Int32Array, groupLabel: Int32Array, probabilities: number, patternAt: Int32Array, probabilityAt: Int32Array,
): void {
  for (let g = 0; g < groupPattern.length; g++) {
    patternAt[g] = probabilities + groupPattern[g] * ROW_BYTES;
    probabilityAt[g] = patternAt[g] + groupLabel[g] * 8;
  }
}

/** Per row, the address of its group's log-likelihood. */
function rowAddresses(group: Int32Array, logLikelihood: number, rowAt: Int32Array): void {
  for (let i = 0; i < group.length; i++) rowAt[i] = logLikelihood + group[i] * 8;
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
  /** classes per feature in the transposed weights, the probabilities, the residuals and the sums: 8 when they fit in 8, else classes */
  private readonly lanes: number;
  /**
   * The 8-lane kernel and its memory, which holds every Block below; undefined for more than 8 classes (the
   * Blocks are then ordinary arrays, their `at` unused).
   */
  private readonly kernel: Lanes8 | undefined;
  // Distinct rows (patterns), row-compressed: pattern k's entries are patternStart[k] … patternStart[k+1]−1,
  // each with its column's offset in weightsT (in bytes for the kernel, else in elements) and its value.
  private readonly patterns: number;
  private readonly patternStart: Block<Int32Array>;
  private readonly patternIndex: Block<Int32Array>;
  private readonly patternValue: Block<Float64Array>;
  // Distinct (pattern, label) pairs ("groups"), numbered by first row; group[i] is row i's.
  private readonly groups: number;
  private readonly group: Int32Array;
  private readonly groupPattern: Int32Array;
  private readonly groupLabel: Int32Array;
  // The rows column by column (CSC), p columns and then the intercept's (every row, value 1): column j's
  // entries are columnStart[j] … columnStart[j+1]−1, in row order, each with its row's group's offset in
  // residuals (in bytes for the kernel, else in elements) and its value.
  private readonly columnStart: Block<Int32Array>;
  private readonly entryIndex: Block<Int32Array>;
  private readonly entryValue: Block<Float64Array>;
  // Per evaluation.
  /** the weights feature-major, `lanes` apart (padding lanes stay 0), the intercepts last */
  private readonly weightsT: Block<Float64Array>;
  /** per pattern, its class probabilities, `lanes` apart */
  private readonly probabilities: Block<Float64Array>;
  /** per group, log of its label's probability, and its residuals (`lanes` apart) */
  private readonly logLikelihood: Block<Float64Array>;
  private readonly residuals: Block<Float64Array>;
  /**
   * for the kernel: per group, the address of its label's probability, of its pattern's probabilities and its label;
   * per row, the address of its group's log-likelihood
   */
  private readonly probabilityAt: Block<Int32Array>;
  private readonly patternAt: Block<Int32Array>;
  private readonly labelOf: Block<Int32Array>;
  private readonly rowAt: Block<Int32Array>;
  /** the sums start from these zeros */
  private readonly zeros: Block<Float64Array>;
  /** per column, then the intercept, its `lanes` class sums of the gradient */
  private readonly sums: Block<Float64Array>;
  /** the weights of the last `value` call (for the L2 term of the gradient) */
  private weights: Float64Array = new Float64Array(0);

  /** `rows`: z's rowPatterns, when already found (softmax-scale.ts); else found here */
  constructor(
    z: SparseRows, y: ArrayLike<number>, private readonly n: number, private readonly p: number,
    private readonly classes: number, private readonly l2: number, rows?: RowPatterns,
  ) {
    const lanes = (this.lanes = classes <= LANES ? LANES : classes);
    const { start, column, value } = z;
    const { pattern, patterns } = rows ?? rowPatterns(z, n);
    this.patterns = patterns;
    const grouped = groupRows(pattern, patterns, y, n, classes);
    this.group = grouped.group;
    this.groups = grouped.groupPattern.length;
    this.groupPattern = grouped.groupPattern;
    this.groupLabel = grouped.groupLabel;
    // Patterns are numbered by first row: their entries are copied from it, in that order.
    const firstRow = firstRows(pattern, patterns, n);
    const patternEntries = entriesOf(start, firstRow);

    // Every array the kernel reads or writes is placed in its memory, and (to build them there) the rows, their
    // groups, the patterns' first rows and scratch.
    const zEntries = start[n];
    const entries = zEntries + n; // every row's entries in their columns, and its intercept's
    const bytes = [
      (patterns + 1) * 4, patternEntries * 4, patternEntries * 8, (p + 2) * 4, entries * 4, entries * 8,
      (p + 1) * lanes * 8, patterns * lanes * 8, this.groups * 8, this.groups * lanes * 8, lanes * 8, (p + 1) * lanes * 8,
      this.groups * 4, this.groups * 4, this.groups * 4, n * 4,
      (n + 1) * 4, zEntries * 4, zEntries * 8, n * 4, patterns * 4, (p + 1) * 4,
    ];
    const kernel = (this.kernel = lanes === LANES ? new Lanes8(bytes.reduce((sum, b) => sum + Lanes8.bytes(b), 0)) : undefined);
    const f64 = (count: number): Block<Float64Array> => kernel?.f64(count) ?? { at: 0, view: new Float64Array(count) };
    const i32 = (count: number): Block<Int32Array> => kernel?.i32(count) ?? { at: 0, view: new Int32Array(count) };
    /** offsets of a row of `lanes` doubles: in bytes for the kernel, else in elements */
    const unit = kernel ? ROW_BYTES : lanes;

    this.patternStart = i32(patterns + 1);
    this.patternIndex = i32(patternEntries);
    this.patternValue = f64(patternEntries);
    this.columnStart = i32(p + 2);
    this.entryIndex = i32(entries);
    this.entryValue = f64(entries);
    this.weightsT = f64((p + 1) * lanes);
    this.probabilities = f64(patterns * lanes);
    this.logLikelihood = f64(this.groups);
    this.residuals = f64(this.groups * lanes);
    this.zeros = f64(lanes);
    this.sums = f64((p + 1) * lanes);
    this.probabilityAt = i32(kernel ? this.groups : 0);
    this.patternAt = i32(kernel ? this.groups : 0);
    this.labelOf = i32(kernel ? this.groups : 0);
    this.rowAt = i32(kernel ? n : 0);
    if (kernel) {
      // the loops below, in the kernel (lanes8.ts's build), on copies of the rows there
      const rows = kernel.i32(n + 1), rowColumn = kernel.i32(zEntries), rowValue = kernel.f64(zEntries);
      const groupAt = kernel.i32(n), firstAt = kernel.i32(patterns), fill = kernel.i32(p + 1);
      rows.view.set(start.subarray(0, n + 1));
      rowColumn.view.set(column.subarray(0, zEntries));
      rowValue.view.set(value.subarray(0, zEntries));
      groupAt.view.set(this.group);
      firstAt.view.set(firstRow);
      kernel.build(
        rows.at, rowColumn.at, rowValue.at, n, groupAt.at, firstAt.at, patterns, p, this.patternStart.at, this.patternIndex.at,
        this.patternValue.at, this.columnStart.at, this.entryIndex.at, this.entryValue.at, fill.at,
      );
    } else {
      for (let k = 0, at = 0; k < patterns; k++) {
        for (let e = start[firstRow[k]]; e < start[firstRow[k] + 1]; e++, at++) {
          this.patternIndex.view[at] = column[e] * unit;
          this.patternValue.view[at] = value[e];
        }
        this.patternStart.view[k + 1] = at;
      }
      const perColumn = this.columnStart.view; // entries per column, then where each column starts
      for (let e = 0; e < zEntries; e++) perColumn[column[e] + 1]++;
      perColumn[p + 1] = n; // the intercept's column
      for (let j = 0; j <= p; j++) perColumn[j + 1] += perColumn[j];
      const fill = perColumn.slice(0, p + 1);
      for (let i = 0; i < n; i++) {
        const index = this.group[i] * unit;
        for (let e = start[i]; e < start[i + 1]; e++) {
          const at = fill[column[e]]++;
          this.entryIndex.view[at] = index;
          this.entryValue.view[at] = value[e];
        }
        const at = fill[p]++;
        this.entryIndex.view[at] = index;
        this.entryValue.view[at] = 1;
      }
    }
    if (kernel) {
      kernelAddresses(this.groupPattern, this.groupLabel, this.probabilities.at, this.patternAt.view, this.probabilityAt.view);
      this.labelOf.view.set(this.groupLabel);
      rowAddresses(this.group, this.logLikelihood.at, this.rowAt.view);
    }
  }

  /** Gives the kernel's memory back (wasm.ts): no value or gradient may be asked afterwards. */
  release(): void {
    this.kernel?.release();
  }

  value(w: Float64Array): number {
    const { n, p, classes, lanes, l2, kernel } = this;
    const stride = p + 1;
    const wt = this.weightsT.view;
    for (let c = 0; c < classes; c++) for (let j = 0; j <= p; j++) wt[j * lanes + c] = w[c * stride + j];
    // Each pattern's class scores: its intercept plus its entries in column order.
    if (kernel) {
      kernel.multiply(
        this.patternStart.at, this.patternIndex.at, this.patternValue.at, this.weightsT.at, this.weightsT.at + p * ROW_BYTES,
        this.probabilities.at, this.patterns,
      );
    } else {
      this.multiplyAny(
        this.patternStart.view, this.patternIndex.view, this.patternValue.view, wt, wt.subarray(p * lanes), this.probabilities.view,
        this.patterns,
      );
    }
    let loss = 0;
    if (kernel) {
      kernel.softmax(this.patterns, this.probabilities.at, classes);
      loss = kernel.negativeLogLikelihood(this.probabilityAt.at, this.groups, this.logLikelihood.at, this.rowAt.at, n);
    } else {
      const pr = this.probabilities.view;
      for (let k = 0; k < this.patterns; k++) softmaxAt(pr, k * lanes, classes);
      const { groupPattern, groupLabel, group } = this;
      const logLikelihood = this.logLikelihood.view;
      for (let g = 0; g < this.groups; g++) logLikelihood[g] = Math.log(pr[groupPattern[g] * lanes + groupLabel[g]]);
      for (let i = 0; i < n; i++) loss -= logLikelihood[group[i]];
    }
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
    const { n, p, classes, lanes, l2, kernel, weights: w, groupPattern, groupLabel } = this;
    // Per column, then the intercept: the residual × value of its rows, in row order.
    if (kernel) {
      kernel.residuals(this.patternAt.at, this.labelOf.at, this.groups, this.residuals.at);
      kernel.multiply(this.columnStart.at, this.entryIndex.at, this.entryValue.at, this.residuals.at, this.zeros.at, this.sums.at, p + 1);
    } else {
      const pr = this.probabilities.view;
      const rs = this.residuals.view;
      for (let g = 0; g < this.groups; g++) {
        const o = groupPattern[g] * lanes;
        const label = groupLabel[g];
        for (let c = 0; c < lanes; c++) rs[g * lanes + c] = pr[o + c] - (label === c ? 1 : 0);
      }
      this.multiplyAny(this.columnStart.view, this.entryIndex.view, this.entryValue.view, rs, this.zeros.view, this.sums.view, p + 1);
    }
    // As the row-by-row computation: each sum divided by n, then the L2 term added (not to the intercepts).
    const sums = this.sums.view;
    const stride = p + 1;
    for (let c = 0; c < classes; c++) {
      for (let j = 0; j <= p; j++) out[c * stride + j] = sums[j * lanes + c] / n;
      for (let j = 0; j < p; j++) out[c * stride + j] += l2 * w[c * stride + j];
    }
  }

  /** The kernel's sums in JavaScript, for more than 8 classes (lanes = classes, offsets in elements). */
  private multiplyAny(
    start: Int32Array, index: Int32Array, value: Float64Array, matrix: Float64Array, init: Float64Array, out: Float64Array, rows: number,
  ): void {
    const lanes = this.lanes;
    for (let k = 0; k < rows; k++) {
      const o = k * lanes;
      for (let c = 0; c < lanes; c++) out[o + c] = init[c];
      for (let e = start[k]; e < start[k + 1]; e++) {
        const b = index[e];
        const v = value[e];
        for (let c = 0; c < lanes; c++) out[o + c] += matrix[b + c] * v;
      }
    }
  }
}
