// The five classifiers of the analysis behind one signature: fit on training rows, predict test rows.
import { fitBoosting, predictBoosting } from './boosting.ts';
import { fitCart, predictCart } from './cart.ts';
import { knnClassify } from './knn.ts';
import { type Matrix } from './matrix.ts';
import { type Random } from './random.ts';
import { fitSoftmax, predictSoftmax } from './softmax.ts';

export const MODELS = ['boosted_trees', 'knn_as_published', 'knn_corrected', 'multinomial_logistic', 'cart'] as const;
export type ModelName = (typeof MODELS)[number];

/** The published xgboost call: max_depth 5, eta 0.3, 10 rounds, num_class 8 (R passed 8 for 7 labels). */
export const BOOSTING = { rounds: 10, maxDepth: 5, eta: 0.3, classes: 8 } as const;

export interface Task {
  trainX: Matrix;
  trainY: Int32Array;
  testX: Matrix;
  classes: number;
  /** for the random tie-breaks of the kNN variants */
  random: Random;
}

/** A fitted model, ready to classify rows of the same columns. */
export type Classifier = (x: Matrix) => Int32Array;

export function fitModel(name: ModelName, task: Task): Classifier {
  const { trainX, trainY, classes, random } = task;
  switch (name) {
    case 'boosted_trees': {
      const model = fitBoosting(trainX, trainY, { ...BOOSTING, classes: Math.max(BOOSTING.classes, classes) });
      return (x) => predictBoosting(model, x);
    }
    case 'knn_as_published': {
      // The published script passed the whole training frame, label column included, to knn() and set the
      // test rows' label to 0: the label leaks into the distance (training rows of class 0 look closer).
      return (x) => knnClassify(trainX, trainY, x, { k: 1, ties: 'random', classes, random, labelColumn: true });
    }
    case 'knn_corrected':
      return (x) => knnClassify(trainX, trainY, x, { k: 1, ties: 'all', classes, random });
    case 'multinomial_logistic': {
      const model = fitSoftmax(trainX, trainY, { classes });
      return (x) => predictSoftmax(model, x);
    }
    case 'cart': {
      const model = fitCart(trainX, trainY, { classes });
      return (x) => predictCart(model, x);
    }
  }
}
