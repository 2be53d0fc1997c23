// What the notebook uses, in one module (tslab loads it with importTs from repro/notebook).
export { boostingImportance, fitBoosting, predictBoosting } from './boosting.ts';
export { censor, FRAMES_PER_MINUTE, loadGames, publishedFrames } from './data.ts';
export { accuracy, classCounts } from './metrics.ts';
export { BOOSTING, fitModel, MODELS } from './models.ts';
export {
  accuracyCsv, accuracySpec, importanceCsv, importanceSpec, largestGaps, paperComparisonCsv, publishedComparison,
  publishedComparisonCsv, timingCsv,
} from './outputs.ts';
export { accuracyTableParallel } from './parallel.ts';
export { accuracyTable, boostedImportance, crossValidate, evaluateFrame, frameSplit, timeClassifications } from './protocol.ts';
export { PAPER_TABLE_V, PAPER_TABLE_VII, PUBLISHED_R } from './published.ts';
