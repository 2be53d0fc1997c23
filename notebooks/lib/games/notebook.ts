// The notebook's entry points: one call per step of the analysis, so that the notebook reads as
// the recipe and the code stays tested here.
import { useWasmBackend } from './backend.ts';
import { countPositives, loadGames } from './data.ts';
import { buildSequential, parseKerasModelConfig, readKerasModelConfig } from './keras-config.ts';
import { fitLogistic, predictLogistic } from './logistic.ts';
import { logLoss, rocAuc, rocCurve } from './metrics.ts';
import { comparisonTable, writeReport } from './report.ts';
import { loadModelFiles, saveModelFiles } from './save.ts';
import { firstRowsHoldout, kerasValidationSplit, type Split } from './split.ts';
import { predict, takeRows, train } from './train.ts';
import type { BaselineRun, GamesInputs, GamesNotebook, NetworkRun, Protocol, Scored, SequentialSpec, TrainSettings } from './types.ts';

export const STRICT_HOLDOUT_ROWS = 5000;

function splitFor(inputs: GamesInputs, protocol: Protocol): Split {
  return protocol === 'validation_split' ? kerasValidationSplit(inputs.data.rows, 0.2) : firstRowsHoldout(inputs.data.rows, STRICT_HOLDOUT_ROWS);
}

function score(inputs: GamesInputs, protocol: Protocol, split: Split, probabilities: ArrayLike<number>): Scored {
  const y = takeRows(inputs.data, split.validation).y;
  return {
    split: { protocol, description: split.description, trainRows: split.train.length, validationRows: split.validation.length, validationPositives: countPositives(y) },
    rocAuc: rocAuc(y, probabilities),
    logLoss: logLoss(y, probabilities),
    roc: rocCurve(y, probabilities),
  };
}

export async function loadInputs(csvPath: string, h5Path: string): Promise<GamesInputs> {
  const data = loadGames(csvPath);
  const spec = parseKerasModelConfig(await readKerasModelConfig(h5Path));
  if (spec.inputDim !== data.features) throw new Error(`${h5Path} expects ${spec.inputDim} inputs but ${csvPath} has ${data.features} feature columns`);
  return { csvPath, h5Path, data, spec, positives: countPositives(data.y) };
}

export function describeLayers(spec: SequentialSpec): string {
  const rows = spec.layers.map((l) => (l.kind === 'dense' ? `| ${l.name} | Dense | ${l.units} | ${l.activation} |` : `| ${l.name} | Dropout | rate ${l.rate} | |`));
  return [`input: ${spec.inputDim} features`, '', '| layer | type | units | activation |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

export function trainNetwork(inputs: GamesInputs, protocol: Protocol, settings: TrainSettings): NetworkRun {
  const split = splitFor(inputs, protocol);
  const trainSet = takeRows(inputs.data, split.train);
  const validation = takeRows(inputs.data, split.validation);
  const model = buildSequential(inputs.spec, settings.seed);
  const history = train(model, inputs.spec, trainSet, validation, { ...settings });
  const probabilities = predict(model, validation);
  return { ...score(inputs, protocol, split, probabilities), history, model, spec: inputs.spec };
}

export function fitBaseline(inputs: GamesInputs, protocol: Protocol): BaselineRun {
  const split = splitFor(inputs, protocol);
  const model = fitLogistic(takeRows(inputs.data, split.train));
  const probabilities = predictLogistic(model, takeRows(inputs.data, split.validation));
  return { ...score(inputs, protocol, split, probabilities), coefficients: model.coefficients };
}

export async function saveModel(run: NetworkRun, inputs: GamesInputs, dir: string): Promise<{ files: string[]; maxRoundTripDifference: number }> {
  const { files } = await saveModelFiles(run.model, dir);
  const loaded = await loadModelFiles(dir);
  const served = predict(loaded, inputs.data);
  const trained = predict(run.model, inputs.data);
  let max = 0;
  for (let i = 0; i < trained.length; i++) max = Math.max(max, Math.abs(served[i] - trained[i]));
  loaded.dispose();
  return { files, maxRoundTripDifference: max };
}

/**
 * Buy rate overall and among users who own none of the ten games, in each part of each split:
 * the rows are not shuffled and these users differ most between the file's blocks.
 */
export function blockTable(inputs: GamesInputs): string {
  const rate = (rows: Int32Array, ownsNone: boolean) => {
    let n = 0;
    let positives = 0;
    for (const row of rows) {
      if (ownsNone && inputs.data.x.subarray(row * inputs.data.features, (row + 1) * inputs.data.features).some((v) => v !== 0)) continue;
      n++;
      positives += inputs.data.y[row];
    }
    return `${(100 * positives / n).toFixed(1)}% of ${n}`;
  };
  const lines = (['validation_split', 'first_5000'] as const).flatMap((protocol) => {
    const split = splitFor(inputs, protocol);
    return [
      `| ${protocol} | training rows | ${rate(split.train, false)} | ${rate(split.train, true)} |`,
      `| ${protocol} | held-out rows | ${rate(split.validation, false)} | ${rate(split.validation, true)} |`,
    ];
  });
  return ['| split | part | buy rate, all users | buy rate, users owning none of G1..G10 |', '| --- | --- | ---: | ---: |', ...lines].join('\n');
}

export const games: GamesNotebook = { useWasmBackend, loadInputs, describeLayers, blockTable, trainNetwork, fitBaseline, saveModel, writeReport, comparisonTable };
