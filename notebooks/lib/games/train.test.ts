import { beforeAll, describe, expect, it } from 'vitest';
import { useWasmBackend } from './backend.ts';
import { syntheticDataset } from './fixtures.ts';
import { buildSequential, parseKerasModelConfig, type SequentialSpec } from './keras-config.ts';
import { fitLogistic, predictLogistic } from './logistic.ts';
import { rocAuc } from './metrics.ts';
import { predict, takeRows, train } from './train.ts';

const init = { class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_avg', distribution: 'uniform' } };
const zeros = { class_name: 'Zeros', config: {} };
const spec: SequentialSpec = parseKerasModelConfig(JSON.stringify({
  class_name: 'Sequential',
  config: {
    name: 'small',
    layers: [
      { class_name: 'Dense', config: { name: 'h', units: 8, activation: 'relu', batch_input_shape: [null, 4], kernel_initializer: init, bias_initializer: zeros } },
      { class_name: 'Dropout', config: { name: 'dr', rate: 0.1 } },
      { class_name: 'Dense', config: { name: 'out', units: 1, activation: 'sigmoid', kernel_initializer: init, bias_initializer: zeros } },
    ],
  },
}));

beforeAll(async () => {
  await useWasmBackend();
});

describe('train', () => {
  const data = syntheticDataset(600, 4, 11);
  const run = (seed: number) => {
    const model = buildSequential(spec, seed);
    const history = train(model, spec, data, data, { epochs: 4, batchSize: 50, seed });
    return { history, weights: model.getWeights().map((w) => Array.from(w.dataSync())), p: predict(model, data) };
  };

  it('is bit-reproducible for a seed: same history, same weights', () => {
    const a = run(1);
    const b = run(1);
    expect(b.history).toEqual(a.history);
    expect(b.weights).toEqual(a.weights);
    expect(run(2).weights).not.toEqual(a.weights);
  });

  it('learns the synthetic signal (loss falls, AUC near the logistic fit)', () => {
    const model = buildSequential(spec, 3);
    const history = train(model, spec, data, data, { epochs: 30, batchSize: 50, seed: 3 });
    expect(history[history.length - 1].loss).toBeLessThan(history[0].loss);
    const auc = rocAuc(data.y, predict(model, data));
    const baseline = rocAuc(data.y, predictLogistic(fitLogistic(data), data));
    expect(auc).toBeGreaterThan(baseline - 0.02);
  });

  it('refuses a network without a Dense(1, sigmoid) output', () => {
    const bad: SequentialSpec = { ...spec, layers: spec.layers.slice(0, 1) };
    expect(() => train(buildSequential(bad, 1), bad, data, null, { epochs: 1, batchSize: 50, seed: 1 })).toThrow(/Dense\(1, sigmoid\)/);
  });
});

describe('takeRows', () => {
  it('copies the chosen rows in the given order', () => {
    const d = { x: Float32Array.from([1, 2, 3, 4, 5, 6]), y: Float32Array.from([0, 1, 0]), rows: 3, features: 2 };
    const t = takeRows(d, Int32Array.from([2, 0]));
    expect(Array.from(t.x)).toEqual([5, 6, 1, 2]);
    expect(Array.from(t.y)).toEqual([0, 0]);
  });
});
