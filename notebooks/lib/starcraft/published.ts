// Numbers published with the analysis (../shared/data/SOURCES.md), to compare against.
import { type ModelName } from './models.ts';

/** The R run's accuracy on its 75/25 test split at whole minutes 0…12 (xgboost, knn, multinom, rpart). */
export const PUBLISHED_R: Record<'xgboost' | 'knn' | 'multinom' | 'rpart', readonly number[]> = {
  xgboost: [0.315, 0.402, 0.507, 0.559, 0.717, 0.93, 0.937, 0.965, 0.955, 0.969, 0.948, 0.979, 0.965],
  knn: [0.007, 0.206, 0.615, 0.643, 0.78, 0.864, 0.895, 0.839, 0.85, 0.762, 0.759, 0.766, 0.745],
  multinom: [0.315, 0.381, 0.448, 0.462, 0.608, 0.832, 0.755, 0.748, 0.675, 0.657, 0.626, 0.608, 0.647],
  rpart: [0.315, 0.409, 0.483, 0.486, 0.661, 0.871, 0.839, 0.871, 0.787, 0.86, 0.885, 0.892, 0.871],
};

/** Which published column each of our models reproduces (both kNN variants against R's knn). */
export const PUBLISHED_COLUMN: Record<ModelName, keyof typeof PUBLISHED_R> = {
  boosted_trees: 'xgboost',
  knn_as_published: 'knn',
  knn_corrected: 'knn',
  multinomial_logistic: 'multinom',
  cart: 'rpart',
};

/** The 2009 paper, Table V: 10-fold cross-validation accuracy, Protoss vs Terran. */
export const PAPER_TABLE_V = [
  { minutes: 5, nnge: 0.68, j48: 0.63, logitboost: 0.61 },
  { minutes: 10, nnge: 0.89, j48: 0.91, logitboost: 0.94 },
] as const;

/** The 2009 paper, Table VII: milliseconds for 1000 classifications. */
export const PAPER_TABLE_VII = [
  { model: 'NNge', ms: 1246 },
  { model: 'k-NN', ms: 4218 },
  { model: 'J48', ms: 6 },
  { model: 'LogitBoost', ms: 65 },
] as const;
