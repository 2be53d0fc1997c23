// k-nearest neighbours with R's class::knn tie rules (Euclidean distance, majority vote).
// - 'all' (R's default, use.all = TRUE): every training row as close as the k-th nearest one votes.
// - 'random' (use.all = FALSE): exactly k rows vote; rows tied with the k-th are drawn at random.
// In both, a tie between classes in the vote is broken at random. Like R, distances within a relative
// 1e-4 of the k-th one count as ties.
import { exactNearest, exactTrain } from './knn-exact.ts';
import { appendColumn, type Matrix } from './matrix.ts';
import { type Random, randomInt } from './random.ts';

export type TieRule = 'all' | 'random';

export interface KnnOptions {
  k: number;
  ties: TieRule;
  classes: number;
  random: Random;
  /**
   * The published call: the training labels as one more column of the training rows, and 0 in that column
   * of the test rows (so the label leaks into the distance).
   */
  labelColumn?: boolean;
}

const EPS = 1e-4;

/** Columns that are not the same constant in every train and test row (the others add 0 to every distance). */
function varyingColumns(train: Matrix, test: Matrix): Int32Array {
  const columns: number[] = [];
  for (let f = 0; f < train.cols; f++) {
    const first = train.values[f];
    let varies = false;
    for (let j = 0; j < train.rows && !varies; j++) varies = train.values[j * train.cols + f] !== first;
    for (let t = 0; t < test.rows && !varies; t++) varies = test.values[t * test.cols + f] !== first;
    if (varies) columns.push(f);
  }
  return Int32Array.from(columns);
}

/** Squared distances from test row t to every training row, over `columns` only. */
function squaredDistances(train: Matrix, test: Matrix, columns: Int32Array, t: number, out: Float64Array): void {
  const p = train.cols;
  const x = test.values;
  const base = t * p;
  for (let j = 0; j < train.rows; j++) {
    let d = 0;
    const offset = j * p;
    for (let c = 0; c < columns.length; c++) {
      const f = columns[c];
      const diff = x[base + f] - train.values[offset + f];
      d += diff * diff;
    }
    out[j] = d;
  }
}

/**
 * For k = 1: the training rows within a relative EPS of the nearest one, in row order, into `out`.
 * A partial sum already above the bound cannot end up tied, so its row is dropped early: most rows are.
 */
function nearestRows(train: Matrix, test: Matrix, columns: Int32Array, t: number, distances: Float64Array, out: number[]): void {
  const p = train.cols;
  const x = test.values;
  const base = t * p;
  let bound = Infinity;
  out.length = 0;
  for (let j = 0; j < train.rows; j++) {
    let d = 0;
    const offset = j * p;
    let c = 0;
    for (; c < columns.length && d <= bound; c++) {
      const f = columns[c];
      const diff = x[base + f] - train.values[offset + f];
      d += diff * diff;
    }
    if (d > bound) continue;
    distances[j] = d;
    out.push(j);
    if (d * (1 + EPS) < bound) bound = d * (1 + EPS);
  }
  let kept = 0;
  for (const j of out) if (distances[j] <= bound) out[kept++] = j;
  out.length = kept;
}

/** The k-th smallest value of `values` (1-based k), without sorting them all when k is 1. */
function kthSmallest(values: Float64Array, k: number): number {
  if (k === 1) {
    let min = Infinity;
    for (let i = 0; i < values.length; i++) if (values[i] < min) min = values[i];
    return min;
  }
  return Float64Array.from(values).sort()[k - 1];
}

/** Picks the winning class; classes tied on votes are drawn from uniformly (by their rank in class order). */
function vote(votes: Int32Array, random: Random): number {
  let best = -1;
  let tied = 0;
  for (let c = 0; c < votes.length; c++) {
    if (votes[c] > best) {
      best = votes[c];
      tied = 1;
    } else if (votes[c] === best) tied++;
  }
  // the one class, or the draw among the tied (the same single draw as from the list of them)
  let pick = tied === 1 ? 0 : randomInt(random, tied);
  for (let c = 0; c < votes.length; c++) if (votes[c] === best && pick-- === 0) return c;
  return 0; // no class at all (as the list's undefined, stored as 0)
}

/**
 * The votes of the tied nearest rows (k = 1: tied[0 … count−1]), then the class: the draws of the general path,
 * in the same order.
 */
function voteNearest(
  tied: ArrayLike<number>, count: number, trainLabels: ArrayLike<number>, ties: TieRule, votes: Int32Array, random: Random,
): number {
  votes.fill(0);
  if (ties === 'all') for (let i = 0; i < count; i++) votes[trainLabels[tied[i]]]++;
  else votes[trainLabels[tied[randomInt(random, count)]]]++;
  return vote(votes, random);
}

/** k = 1 on exact integer distances: the rows within a relative EPS of the nearest, as nearestRows finds them. */
function classifyExact(
  train: Matrix, trainLabels: ArrayLike<number>, test: Matrix, options: KnnOptions,
): Int32Array | undefined {
  const exact = exactTrain(train, test, options.labelColumn ? trainLabels : undefined);
  if (!exact) return undefined;
  const votes = new Int32Array(options.classes);
  const predicted = new Int32Array(test.rows);
  const tied = exact.kernel.tied.view;
  for (let t = 0; t < test.rows; t++) {
    const count = exactNearest(exact, t, EPS);
    predicted[t] = voteNearest(tied, count, trainLabels, options.ties, votes, options.random);
  }
  exact.kernel.release();
  return predicted;
}

/** Predicts a class for every test row. */
export function knnClassify(train: Matrix, trainLabels: ArrayLike<number>, test: Matrix, options: KnnOptions): Int32Array {
  if (train.cols !== test.cols) throw new RangeError(`knn: train has ${train.cols} columns, test ${test.cols}`);
  if (options.k === 1 && train.rows > 0) {
    const predicted = classifyExact(train, trainLabels, test, options);
    if (predicted) return predicted;
  }
  if (options.labelColumn) {
    const withLabels = { ...options, labelColumn: false };
    return knnClassify(appendColumn(train, trainLabels), trainLabels, appendColumn(test, new Int32Array(test.rows)), withLabels);
  }
  const { k, ties, classes, random } = options;
  if (k < 1 || k > train.rows) throw new RangeError(`knn: k = ${k} with ${train.rows} training rows`);
  const distances = new Float64Array(train.rows);
  const votes = new Int32Array(classes);
  const predicted = new Int32Array(test.rows);
  const columns = varyingColumns(train, test);
  const tied: number[] = [];
  for (let t = 0; t < test.rows; t++) {
    if (k === 1) {
      // Same votes and the same random draws as the general path below, in a fraction of the time.
      nearestRows(train, test, columns, t, distances, tied);
      predicted[t] = voteNearest(tied, tied.length, trainLabels, ties, votes, random);
      continue;
    }
    squaredDistances(train, test, columns, t, distances);
    const kth = kthSmallest(distances, k);
    const upper = kth * (1 + EPS);
    votes.fill(0);
    if (ties === 'all') {
      for (let j = 0; j < train.rows; j++) if (distances[j] <= upper) votes[trainLabels[j]]++;
    } else {
      const lower = kth * (1 - EPS);
      const tiedRows: number[] = [];
      let closer = 0;
      for (let j = 0; j < train.rows; j++) {
        if (distances[j] < lower) {
          votes[trainLabels[j]]++;
          closer++;
        } else if (distances[j] <= upper) tiedRows.push(j);
      }
      // Draw the remaining k − closer voters from the tied rows without replacement.
      for (let need = k - closer; need > 0 && tiedRows.length > 0; need--) {
        const pick = randomInt(random, tiedRows.length);
        votes[trainLabels[tiedRows[pick]]]++;
        tiedRows[pick] = tiedRows[tiedRows.length - 1];
        tiedRows.pop();
      }
    }
    predicted[t] = vote(votes, random);
  }
  return predicted;
}
