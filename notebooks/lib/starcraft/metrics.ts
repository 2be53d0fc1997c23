// Scores shared by every model.

/** Share of predictions equal to the truth. */
export function accuracy(predicted: ArrayLike<number>, truth: ArrayLike<number>): number {
  if (predicted.length !== truth.length) throw new RangeError('accuracy: lengths differ');
  if (truth.length === 0) return Number.NaN;
  let correct = 0;
  for (let i = 0; i < truth.length; i++) if (predicted[i] === truth[i]) correct++;
  return correct / truth.length;
}

/** Index of the largest value; the first one on ties (as R's which.max). */
export function argmax(values: ArrayLike<number>, from = 0, to = values.length): number {
  let best = from;
  for (let i = from + 1; i < to; i++) if (values[i] > values[best]) best = i;
  return best - from;
}

/** Counts per class 0..classes-1. */
export function classCounts(labels: ArrayLike<number>, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  return counts;
}
