// Stratified train/test splits and cross-validation folds: every class keeps its share on both sides,
// as caTools::sample.split does for the published 75/25 split.
import { type Random, shuffleInPlace } from './random.ts';

export interface Split {
  /** row indices, ascending (file order, as R's subset() keeps it) */
  train: number[];
  test: number[];
}

function indicesByClass(labels: ArrayLike<number>): number[][] {
  const byClass: number[][] = [];
  for (let i = 0; i < labels.length; i++) (byClass[labels[i]] ??= []).push(i);
  return byClass.filter((members) => members !== undefined);
}

/** Per class, a shuffled round(ratio × n) of its rows go to train and the rest to test. */
export function stratifiedSplit(labels: ArrayLike<number>, trainRatio: number, random: Random): Split {
  const train: number[] = [];
  const test: number[] = [];
  for (const members of indicesByClass(labels)) {
    const shuffled = shuffleInPlace([...members], random);
    const nTrain = Math.round(trainRatio * shuffled.length);
    train.push(...shuffled.slice(0, nTrain));
    test.push(...shuffled.slice(nTrain));
  }
  const ascending = (a: number, b: number) => a - b;
  return { train: train.sort(ascending), test: test.sort(ascending) };
}

/** A fold number in [0, k) per row; each class is dealt round-robin over the folds after a shuffle. */
export function stratifiedFolds(labels: ArrayLike<number>, k: number, random: Random): Int32Array {
  const fold = new Int32Array(labels.length);
  let next = 0; // carried over between classes so that fold sizes stay within one of each other
  for (const members of indicesByClass(labels)) {
    for (const row of shuffleInPlace([...members], random)) {
      fold[row] = next;
      next = (next + 1) % k;
    }
  }
  return fold;
}

/** The train/test split of fold `f`: its rows are the test set, all others train. */
export function foldSplit(folds: Int32Array, f: number): Split {
  const train: number[] = [];
  const test: number[] = [];
  folds.forEach((fold, row) => (fold === f ? test : train).push(row));
  return { train, test };
}
