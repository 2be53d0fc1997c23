// Ranking and probability metrics on plain arrays, in float64, so that the reported numbers do
// not depend on the tensor backend.
import type { RocPoint } from './types.ts';

export type Scores = ArrayLike<number>;

function checkLengths(labels: Scores, scores: Scores): void {
  if (labels.length !== scores.length) throw new RangeError(`labels (${labels.length}) and scores (${scores.length}) differ in length`);
}

/** Indices sorted by score, ascending; ties keep index order so the result is stable. */
function orderByScore(scores: Scores): number[] {
  const idx = Array.from({ length: scores.length }, (_, i) => i);
  return idx.sort((a, b) => scores[a] - scores[b] || a - b);
}

/**
 * ROC AUC as the Mann–Whitney statistic: the probability that a random positive scores above a
 * random negative, ties counting one half (midranks). Equals the trapezoidal area under the ROC.
 */
export function rocAuc(labels: Scores, scores: Scores): number {
  checkLengths(labels, scores);
  const order = orderByScore(scores);
  let positives = 0;
  let rankSumPositives = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1]] === scores[order[start]]) end++;
    const midrank = (start + end + 2) / 2; // ranks are 1-based
    for (let k = start; k <= end; k++) {
      if (labels[order[k]] === 1) {
        positives++;
        rankSumPositives += midrank;
      }
    }
    start = end + 1;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) throw new RangeError('ROC AUC needs at least one positive and one negative');
  return (rankSumPositives - (positives * (positives + 1)) / 2) / (positives * negatives);
}

export type { RocPoint };

/** ROC curve points, one per distinct score (descending thresholds), starting at (0, 0). */
export function rocCurve(labels: Scores, scores: Scores): RocPoint[] {
  checkLengths(labels, scores);
  const order = orderByScore(scores).reverse();
  let positives = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === 1) positives++;
  const negatives = labels.length - positives;
  const points: RocPoint[] = [{ threshold: Infinity, fpr: 0, tpr: 0 }];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; k++) {
    if (labels[order[k]] === 1) tp++;
    else fp++;
    const next = order[k + 1];
    if (next === undefined || scores[next] !== scores[order[k]]) {
      points.push({ threshold: scores[order[k]], fpr: fp / negatives, tpr: tp / positives });
    }
  }
  return points;
}

/** Mean binary cross-entropy; probabilities clipped to [eps, 1 - eps] as Keras does (eps 1e-7). */
export function logLoss(labels: Scores, probabilities: Scores, eps = 1e-7): number {
  checkLengths(labels, probabilities);
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(Math.max(probabilities[i], eps), 1 - eps);
    sum += labels[i] === 1 ? -Math.log(p) : -Math.log(1 - p);
  }
  return sum / labels.length;
}

/** Round for reports: fixed decimals, returned as a number so JSON stays numeric. */
export function fixed(x: number, decimals = 6): number {
  return Number(x.toFixed(decimals));
}
