// Output files of the analysis: CSV text with fixed formatting (same bytes on every run) and the
// vega-lite specs of the figures.
import type { TopLevelSpec } from 'vega-lite';
import type { FeatureImportance } from './boosting.ts';
import { FRAMES_PER_MINUTE } from './games.ts';
import { type ModelName, MODELS } from './models.ts';
import type { AccuracyRow } from './protocol.ts';
import { PAPER_TABLE_V, PAPER_TABLE_VII, PUBLISHED_COLUMN, PUBLISHED_R } from './published.ts';

export type Cell = string | number;

/** Numbers with a fixed count of decimals (integers as they are), one line per row, '\n' line ends. */
export function toCsv(header: readonly string[], rows: readonly (readonly Cell[])[], decimals = 6): string {
  const cell = (v: Cell) => (typeof v === 'string' ? v : Number.isInteger(v) ? String(v) : v.toFixed(decimals));
  return [header.join(','), ...rows.map((r) => r.map(cell).join(','))].join('\n') + '\n';
}

export function accuracyCsv(rows: readonly AccuracyRow[]): string {
  return toCsv(
    ['frame', 'minutes', 'model', 'accuracy', 'n_train', 'n_test'],
    rows.map((r) => [r.frame, r.minutes.toFixed(6), r.model, r.accuracy.toFixed(6), r.n_train, r.n_test]),
  );
}

export function importanceCsv(importance: readonly FeatureImportance[], names: readonly string[]): string {
  return toCsv(
    ['rank', 'feature', 'gain', 'cover', 'frequency'],
    importance.map((f, i) => [i + 1, names[f.feature], f.gain.toFixed(6), f.cover.toFixed(6), f.frequency.toFixed(6)]),
  );
}

/** Our 10-fold CV accuracy per model beside the paper's Table V, one row per minute. */
export function paperComparisonCsv(cv: ReadonlyMap<number, ReadonlyMap<ModelName, number>>): string {
  const header = ['minutes', ...MODELS.map((m) => `${m}_cv10`), 'paper_nnge_cv10', 'paper_j48_cv10', 'paper_logitboost_cv10'];
  const rows = PAPER_TABLE_V.map((paper) => {
    const ours = cv.get(paper.minutes);
    if (!ours) throw new Error(`no cross-validation at minute ${paper.minutes}`);
    return [paper.minutes, ...MODELS.map((m) => (ours.get(m) ?? Number.NaN).toFixed(6)), paper.nnge.toFixed(2), paper.j48.toFixed(2), paper.logitboost.toFixed(2)];
  });
  return toCsv(header, rows);
}

/** Milliseconds per 1000 classifications: this run's models, then the paper's Table VII. */
export function timingCsv(msPer1000: ReadonlyMap<ModelName, number>): string {
  const rows: Cell[][] = MODELS.map((m) => ['this run', m, (msPer1000.get(m) ?? Number.NaN).toFixed(3)]);
  for (const p of PAPER_TABLE_VII) rows.push(['paper table VII', p.model, p.ms.toFixed(3)]);
  return toCsv(['source', 'model', 'ms_per_1000_classifications'], rows);
}

export interface PublishedGap {
  minutes: number;
  model: ModelName;
  this_run: number;
  published: number;
  difference: number;
}

/** Our accuracy beside the published R run at whole minutes 0…12. */
export function publishedComparison(rows: readonly AccuracyRow[]): PublishedGap[] {
  const out: PublishedGap[] = [];
  for (const r of rows) {
    if (r.frame % FRAMES_PER_MINUTE !== 0) continue;
    const published = PUBLISHED_R[PUBLISHED_COLUMN[r.model]][r.frame / FRAMES_PER_MINUTE];
    out.push({ minutes: r.minutes, model: r.model, this_run: r.accuracy, published, difference: r.accuracy - published });
  }
  return out;
}

export function publishedComparisonCsv(gaps: readonly PublishedGap[]): string {
  return toCsv(
    ['minutes', 'model', 'this_run', 'published_r', 'difference'],
    gaps.map((g) => [g.minutes, g.model, g.this_run.toFixed(6), g.published.toFixed(3), g.difference.toFixed(6)]),
  );
}

/** Per model, the minute (from `fromMinute` on) with the largest absolute difference to the published run. */
export function largestGaps(gaps: readonly PublishedGap[], fromMinute = 0): PublishedGap[] {
  return MODELS.map((m) =>
    gaps
      .filter((g) => g.model === m && g.minutes >= fromMinute)
      .reduce((a, b) => (Math.abs(b.difference) > Math.abs(a.difference) ? b : a)),
  );
}

const MODEL_LABELS: Record<ModelName, string> = {
  boosted_trees: 'boosted trees (xgboost)',
  knn_as_published: 'kNN, k = 1, as published',
  knn_corrected: 'kNN, k = 1, corrected',
  multinomial_logistic: 'multinomial logistic',
  cart: 'CART (rpart)',
};

/** Accuracy by game minute, one line per model, like the published figure. */
export function accuracySpec(rows: readonly AccuracyRow[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Prediction Results for Protoss vs. Terran',
    width: 560,
    height: 320,
    data: { values: rows.map((r) => ({ minutes: r.minutes, accuracy: r.accuracy, model: MODEL_LABELS[r.model] })) },
    mark: { type: 'line', strokeWidth: 1.5 },
    encoding: {
      x: { field: 'minutes', type: 'quantitative', title: 'Game Time (Minutes)', scale: { domain: [0, 12] }, axis: { values: [0, 2, 4, 6, 8, 10, 12] } },
      y: { field: 'accuracy', type: 'quantitative', title: 'Accuracy of Strategy Prediction', scale: { domain: [0, 1] } },
      color: { field: 'model', type: 'nominal', title: 'Algorithm', sort: MODELS.map((m) => MODEL_LABELS[m]), legend: { labelLimit: 400 } },
    },
  };
}

/** The boosted model's top features by share of gain, as xgb.plot.importance. */
export function importanceSpec(importance: readonly FeatureImportance[], names: readonly string[], minutes: number): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Boosted trees: feature importance at minute ${minutes}`,
    width: 420,
    height: { step: 18 },
    data: { values: importance.map((f) => ({ feature: names[f.feature], gain: f.gain })) },
    mark: 'bar',
    encoding: {
      y: { field: 'feature', type: 'nominal', sort: '-x', title: null },
      x: { field: 'gain', type: 'quantitative', title: 'Share of total gain' },
    },
  };
}
