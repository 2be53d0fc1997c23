// Writes the committed results: metrics.json, the training curve and the ROC curves. Every
// number is rounded to a fixed precision so that the files are stable text.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { renderChart } from '../charts.ts';
import { fixed } from './metrics.ts';
import type { BaselineRun, NetworkRun, Report, RocPoint, Scored } from './types.ts';

/** The AUC of the original Keras run (StartupDataScience train_model.py), for comparison. */
export const REFERENCE_AUC = 0.8184;

function scores(run: Scored): { roc_auc: number; log_loss: number } {
  return { roc_auc: fixed(run.rocAuc), log_loss: fixed(run.logLoss) };
}

function splitJson(run: Scored) {
  const s = run.split;
  return { description: s.description, train_rows: s.trainRows, validation_rows: s.validationRows, validation_positives: s.validationPositives };
}

function networkJson(run: NetworkRun) {
  const last = run.history[run.history.length - 1];
  return { ...scores(run), final_training_loss: fixed(last.loss), final_validation_loss: last.valLoss === null ? null : fixed(last.valLoss) };
}

function baselineJson(run: BaselineRun) {
  return { ...scores(run), coefficients: Object.fromEntries(['intercept', ...Array.from({ length: run.coefficients.length - 1 }, (_, i) => `G${i + 1}`)].map((k, i) => [k, fixed(run.coefficients[i])])) };
}

export function metricsJson(report: Report): object {
  const { inputs, settings, main, mainBaseline, strict, strictBaseline } = report;
  return {
    data: { file: inputs.csvPath, rows: inputs.data.rows, positives: inputs.positives, features: inputs.data.features },
    model: {
      architecture_from: `${inputs.h5Path} (model_config)`,
      layers: main.spec.layers.map((l) => (l.kind === 'dense' ? `Dense(${l.units}, ${l.activation})` : `Dropout(${l.rate})`)),
      optimizer: 'RMSprop(lr=0.001, rho=0.9, epsilon=1e-7)',
      loss: 'binary_crossentropy',
      epochs: settings.epochs,
      batch_size: settings.batchSize,
      seed: settings.seed,
      backend: report.backend,
    },
    validation_split: { split: splitJson(main), network: networkJson(main), logistic_regression: baselineJson(mainBaseline), reference_roc_auc: REFERENCE_AUC },
    first_5000: { split: splitJson(strict), network: networkJson(strict), logistic_regression: baselineJson(strictBaseline) },
  };
}

export function trainingCurveCsv(run: NetworkRun): string {
  const lines = run.history.map((h) => `${h.epoch},${h.loss.toFixed(6)},${h.valLoss === null ? '' : h.valLoss.toFixed(6)}`);
  return ['epoch,loss,val_loss', ...lines].join('\n') + '\n';
}

function trainingCurveSpec(run: NetworkRun): TopLevelSpec {
  const values = run.history.flatMap((h) => [
    { epoch: h.epoch, series: 'training (dropout on)', loss: fixed(h.loss) },
    ...(h.valLoss === null ? [] : [{ epoch: h.epoch, series: 'validation (last 20%)', loss: fixed(h.valLoss) }]),
  ]);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Games model: binary cross-entropy per epoch',
    width: 560,
    height: 300,
    data: { values },
    mark: { type: 'line' },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch' },
      y: { field: 'loss', type: 'quantitative', title: 'loss', scale: { zero: false } },
      color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom', direction: 'vertical', labelLimit: 0 } },
    },
  };
}

function rocValues(points: RocPoint[], series: string) {
  return points.map((p, order) => ({ series, order, fpr: fixed(p.fpr), tpr: fixed(p.tpr) }));
}

function rocCurveSpec(report: Report): TopLevelSpec {
  const runs: [Scored, string][] = [
    [report.main, 'network, last 20%'],
    [report.mainBaseline, 'logistic, last 20%'],
    [report.strict, 'network, first 5000'],
    [report.strictBaseline, 'logistic, first 5000'],
  ];
  const values = runs.flatMap(([run, name]) => rocValues(run.roc, `${name} (AUC ${run.rocAuc.toFixed(4)})`));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Games model: ROC curves on the held-out rows',
    width: 400,
    height: 400,
    layer: [
      { data: { values: [{ fpr: 0, tpr: 0 }, { fpr: 1, tpr: 1 }] }, mark: { type: 'line', color: '#999999', strokeDash: [4, 4] }, encoding: { x: { field: 'fpr', type: 'quantitative' }, y: { field: 'tpr', type: 'quantitative' } } },
      {
        data: { values },
        mark: { type: 'line' },
        encoding: {
          x: { field: 'fpr', type: 'quantitative', title: 'false positive rate' },
          y: { field: 'tpr', type: 'quantitative', title: 'true positive rate' },
          color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom', direction: 'vertical', labelLimit: 0 } },
          order: { field: 'order', type: 'quantitative' },
        },
      },
    ],
  };
}

export async function writeReport(report: Report, dir: string): Promise<{ files: string[]; trainingCurveSvg: string; rocCurveSvg: string }> {
  const training = await renderChart(trainingCurveSpec(report.main));
  const roc = await renderChart(rocCurveSpec(report));
  const files: [string, string | Buffer][] = [
    ['metrics.json', JSON.stringify(metricsJson(report), null, 2) + '\n'],
    ['training-curve.csv', trainingCurveCsv(report.main)],
    ['training-curve.svg', training.svg],
    ['training-curve.png', training.png],
    ['roc-curve.svg', roc.svg],
    ['roc-curve.png', roc.png],
  ];
  for (const [name, content] of files) await writeFile(join(dir, name), content);
  return { files: files.map(([name]) => name), trainingCurveSvg: training.svg, rocCurveSvg: roc.svg };
}

/** A markdown table of both protocols, network beside the logistic baseline. */
export function comparisonTable(report: Report): string {
  const row = (name: string, net: Scored, lr: Scored) =>
    `| ${name} | ${net.split.trainRows} | ${net.split.validationRows} | ${net.rocAuc.toFixed(4)} | ${lr.rocAuc.toFixed(4)} | ${net.logLoss.toFixed(4)} | ${lr.logLoss.toFixed(4)} |`;
  return [
    '| held out | train rows | held-out rows | network AUC | logistic AUC | network log loss | logistic log loss |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    row('last 20% (Keras validation_split=.2)', report.main, report.mainBaseline),
    row('first 5000 rows', report.strict, report.strictBaseline),
  ].join('\n');
}
