// The published protocol: for every frame from 12 minutes down to 0, censor the features at that frame,
// draw a stratified 75/25 split, fit the five models on the training rows and score them on the test rows.
// As in the published R loop, every frame gets its own split; here each is drawn from a stream named by
// (seed, frame), so a frame's result does not depend on which other frames ran.
import { boostingImportance, type FeatureImportance, fitBoosting } from './boosting.ts';
import { censor, FRAMES_PER_MINUTE, type Games } from './games.ts';
import { type Matrix, selectRows } from './matrix.ts';
import { accuracy } from './metrics.ts';
import { BOOSTING, fitModel, type ModelName, MODELS } from './models.ts';
import { streamFor } from './random.ts';
import { foldSplit, type Split, stratifiedFolds, stratifiedSplit } from './split.ts';

/** Purposes of the random streams, so that each random choice has its own. */
const STREAM = { split: 1, knn: 2, folds: 3 } as const;

export interface AccuracyRow {
  frame: number;
  minutes: number;
  model: ModelName;
  accuracy: number;
  n_train: number;
  n_test: number;
}

export interface Fitted {
  model: ModelName;
  predicted: Int32Array;
  fitMs: number;
  predictMs: number;
  /** CPU time of fit + predict (user + system): steadier than wall time on a busy machine */
  cpuMs: number;
}

function labelsOf(labels: Int32Array, rows: readonly number[]): Int32Array {
  return Int32Array.from(rows, (r) => labels[r]);
}

/** Fits every model on `split.train` of `x` and predicts `split.test`, timing both. */
export function fitAll(games: Games, x: Matrix, split: Split, seed: number, frame: number, models: readonly ModelName[] = MODELS): Fitted[] {
  const trainX = selectRows(x, split.train);
  const testX = selectRows(x, split.test);
  const trainY = labelsOf(games.labels, split.train);
  return models.map((model, m) => {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const classify = fitModel(model, {
      trainX, trainY, testX, classes: games.classNames.length, random: streamFor(seed, frame, STREAM.knn, m),
    });
    const t1 = performance.now();
    const predicted = classify(testX);
    const t2 = performance.now();
    const cpu = process.cpuUsage(cpu0);
    return { model, predicted, fitMs: t1 - t0, predictMs: t2 - t1, cpuMs: (cpu.user + cpu.system) / 1000 };
  });
}

/** The split of `frame` for `seed`. */
export function frameSplit(games: Games, seed: number, frame: number): Split {
  return stratifiedSplit(games.labels, 0.75, streamFor(seed, frame, STREAM.split));
}

/** One frame of the protocol: a row per model. */
export function evaluateFrame(games: Games, frame: number, seed: number, models: readonly ModelName[] = MODELS): AccuracyRow[] {
  const split = frameSplit(games, seed, frame);
  const truth = labelsOf(games.labels, split.test);
  return fitAll(games, censor(games.features, frame), split, seed, frame, models).map((fitted) => ({
    frame,
    minutes: frame / FRAMES_PER_MINUTE,
    model: fitted.model,
    accuracy: accuracy(fitted.predicted, truth),
    n_train: split.train.length,
    n_test: split.test.length,
  }));
}

/** The accuracy table: frames ascending, models in MODELS order. */
export function accuracyTable(games: Games, frames: readonly number[], seed: number, models: readonly ModelName[] = MODELS): AccuracyRow[] {
  return [...frames].sort((a, b) => a - b).flatMap((frame) => evaluateFrame(games, frame, seed, models));
}

/** k-fold stratified cross-validation accuracy per model at `frame` (pooled over the folds). */
export function crossValidate(games: Games, frame: number, seed: number, k = 10): Map<ModelName, number> {
  const folds = stratifiedFolds(games.labels, k, streamFor(seed, frame, STREAM.folds));
  const x = censor(games.features, frame);
  const correct = new Map<ModelName, number>(MODELS.map((m) => [m, 0]));
  for (let f = 0; f < k; f++) {
    const split = foldSplit(folds, f);
    const truth = labelsOf(games.labels, split.test);
    for (const fitted of fitAll(games, x, split, seed, frame * 100 + f)) {
      const hits = accuracy(fitted.predicted, truth) * truth.length;
      correct.set(fitted.model, (correct.get(fitted.model) ?? 0) + Math.round(hits));
    }
  }
  return new Map(MODELS.map((m) => [m, (correct.get(m) ?? 0) / games.labels.length]));
}

/** The boosted model fitted on `frame`'s training rows, and its features by share of gain. */
export function boostedImportance(games: Games, frame: number, seed: number): FeatureImportance[] {
  const split = frameSplit(games, seed, frame);
  const x = censor(games.features, frame);
  const model = fitBoosting(selectRows(x, split.train), labelsOf(games.labels, split.train), {
    ...BOOSTING, classes: Math.max(BOOSTING.classes, games.classNames.length),
  });
  return boostingImportance(model);
}

/**
 * Milliseconds per 1000 classifications per model at `frame`: each fitted model classifies the test
 * rows `repeats` times and the fastest pass counts (the least disturbed by other work on the machine).
 */
export function timeClassifications(games: Games, frame: number, seed: number, repeats = 3): Map<ModelName, number> {
  const split = frameSplit(games, seed, frame);
  const x = censor(games.features, frame);
  const trainX = selectRows(x, split.train);
  const testX = selectRows(x, split.test);
  const trainY = labelsOf(games.labels, split.train);
  const out = new Map<ModelName, number>();
  MODELS.forEach((model, m) => {
    const classify = fitModel(model, { trainX, trainY, testX, classes: games.classNames.length, random: streamFor(seed, frame, STREAM.knn, m) });
    let fastest = Infinity;
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now();
      classify(testX);
      fastest = Math.min(fastest, performance.now() - t0);
    }
    out.set(model, (fastest / testX.rows) * 1000);
  });
  return out;
}
