import type * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { comparisonTable, metricsJson, REFERENCE_AUC, trainingCurveCsv } from './report.ts';
import type { BaselineRun, NetworkRun, Report, SequentialSpec, SplitSummary } from './types.ts';

const spec: SequentialSpec = {
  name: 's',
  inputDim: 2,
  layers: [
    { kind: 'dense', name: 'a', units: 4, activation: 'relu', useBias: true, kernelInitializer: { scale: 1, mode: 'fan_avg', distribution: 'uniform' } },
    { kind: 'dropout', name: 'd', rate: 0.1 },
    { kind: 'dense', name: 'b', units: 1, activation: 'sigmoid', useBias: true, kernelInitializer: { scale: 1, mode: 'fan_avg', distribution: 'uniform' } },
  ],
};
const split = (protocol: SplitSummary['protocol']): SplitSummary => ({ protocol, description: `${protocol} rows`, trainRows: 8, validationRows: 2, validationPositives: 1 });
const roc = [{ threshold: Infinity, fpr: 0, tpr: 0 }, { threshold: 0.5, fpr: 1, tpr: 1 }];
const network = (protocol: SplitSummary['protocol'], auc: number): NetworkRun => ({
  split: split(protocol), rocAuc: auc, logLoss: 0.123456789, roc, spec,
  history: [{ epoch: 1, loss: 0.5, valLoss: 0.45 }, { epoch: 2, loss: 0.3333333333, valLoss: 0.2999999 }],
  model: {} as tf.Sequential,
});
const baseline = (protocol: SplitSummary['protocol']): BaselineRun => ({ split: split(protocol), rocAuc: 0.7, logLoss: 0.4, roc, coefficients: [-1, 0.5, 0.25] });
const report: Report = {
  backend: 'tfjs 4.22.0 wasm SIMD, 1 thread',
  inputs: { csvPath: 'data/x.csv', h5Path: 'data/x.h5', data: { x: new Float32Array(20), y: new Float32Array(10), rows: 10, features: 2 }, spec, positives: 3 },
  settings: { epochs: 2, batchSize: 4, seed: 42 },
  main: network('validation_split', 0.81844449), mainBaseline: baseline('validation_split'),
  strict: network('first_5000', 0.75), strictBaseline: baseline('first_5000'),
};

describe('metricsJson', () => {
  it('reports both protocols at six decimals with rows, positives, epochs and the split', () => {
    const m = metricsJson(report) as Record<string, Record<string, Record<string, unknown>>>;
    expect(m.data).toEqual({ file: 'data/x.csv', rows: 10, positives: 3, features: 2 });
    expect(m.model.epochs).toBe(2);
    expect(m.model.backend).toBe('tfjs 4.22.0 wasm SIMD, 1 thread');
    expect(m.model.layers).toEqual(['Dense(4, relu)', 'Dropout(0.1)', 'Dense(1, sigmoid)']);
    expect(m.validation_split.network).toEqual({ roc_auc: 0.818444, log_loss: 0.123457, final_training_loss: 0.333333, final_validation_loss: 0.3 });
    expect(m.validation_split.reference_roc_auc).toBe(REFERENCE_AUC);
    expect(m.validation_split.split).toEqual({ description: 'validation_split rows', train_rows: 8, validation_rows: 2, validation_positives: 1 });
    expect(m.first_5000.logistic_regression).toEqual({ roc_auc: 0.7, log_loss: 0.4, coefficients: { intercept: -1, G1: 0.5, G2: 0.25 } });
  });
});

describe('trainingCurveCsv', () => {
  it('writes one row per epoch at fixed precision', () => {
    expect(trainingCurveCsv(report.main)).toBe('epoch,loss,val_loss\n1,0.500000,0.450000\n2,0.333333,0.300000\n');
  });
});

describe('comparisonTable', () => {
  it('puts the network beside the logistic baseline for each protocol', () => {
    const lines = comparisonTable(report).split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[2]).toBe('| last 20% (Keras validation_split=.2) | 8 | 2 | 0.8184 | 0.7000 | 0.1235 | 0.4000 |');
    expect(lines[3]).toContain('| first 5000 rows | 8 | 2 | 0.7500 |');
  });
});
