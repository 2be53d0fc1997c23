import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useWasmBackend } from './backend.ts';
import { dataFile } from './fixtures.ts';
import { buildSequential, parseKerasModelConfig, readKerasModelConfig, UnsupportedModelError } from './keras-config.ts';

const dense = (name: string, units: number, activation: string, extra: object = {}) => ({
  class_name: 'Dense',
  config: {
    name, units, activation, use_bias: true,
    kernel_initializer: { class_name: 'VarianceScaling', config: { scale: 1.0, mode: 'fan_avg', distribution: 'uniform', seed: null } },
    bias_initializer: { class_name: 'Zeros', config: {} },
    kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null,
    ...extra,
  },
});
const sequential = (layers: object[]) => JSON.stringify({ class_name: 'Sequential', config: { name: 'seq', layers } });

beforeAll(async () => {
  await useWasmBackend();
});

describe('the original games.h5 model_config', () => {
  it('is Dense 64 relu → Dropout .1 → Dense 64 relu → Dropout .1 → Dense 64 relu → Dense 1 sigmoid on 10 inputs', async () => {
    const spec = parseKerasModelConfig(await readKerasModelConfig(dataFile('games.h5')));
    expect(spec.inputDim).toBe(10);
    const summary = spec.layers.map((l) => (l.kind === 'dense' ? `dense ${l.units} ${l.activation}` : `dropout ${l.rate}`));
    expect(summary).toEqual(['dense 64 relu', 'dropout 0.1', 'dense 64 relu', 'dropout 0.1', 'dense 64 relu', 'dense 1 sigmoid']);
    for (const l of spec.layers) if (l.kind === 'dense') expect(l.kernelInitializer).toEqual({ scale: 1, mode: 'fan_avg', distribution: 'uniform' });
  });
});

describe('parseKerasModelConfig', () => {
  it('accepts the pre-2.2.3 layout (a bare layer list)', () => {
    const text = JSON.stringify({ class_name: 'Sequential', config: [dense('d', 3, 'sigmoid', { batch_input_shape: [null, 4] })] });
    expect(parseKerasModelConfig(text)).toMatchObject({ inputDim: 4, layers: [{ kind: 'dense', units: 3 }] });
  });

  it('refuses an unsupported layer by name and type', () => {
    const text = sequential([dense('d', 3, 'relu', { batch_input_shape: [null, 4] }), { class_name: 'Conv2D', config: { name: 'conv' } }]);
    expect(() => parseKerasModelConfig(text)).toThrow(UnsupportedModelError);
    expect(() => parseKerasModelConfig(text)).toThrow('layer 1 (Conv2D "conv"): layer type Conv2D is not supported');
  });

  it('refuses an unsupported activation, regularizer or initializer', () => {
    const input = { batch_input_shape: [null, 2] };
    expect(() => parseKerasModelConfig(sequential([dense('d', 1, 'softplus', input)]))).toThrow(/activation "softplus" is not supported/);
    expect(() => parseKerasModelConfig(sequential([dense('d', 1, 'relu', { ...input, kernel_regularizer: { class_name: 'L1L2' } })]))).toThrow(/kernel_regularizer is not supported/);
    expect(() => parseKerasModelConfig(sequential([dense('d', 1, 'relu', { ...input, kernel_initializer: { class_name: 'Orthogonal', config: {} } })]))).toThrow(/kernel_initializer Orthogonal/);
  });

  it('refuses functional models, non-JSON and a missing input shape', () => {
    expect(() => parseKerasModelConfig(JSON.stringify({ class_name: 'Model', config: {} }))).toThrow(/describes a Model, only Sequential/);
    expect(() => parseKerasModelConfig('{nope')).toThrow(/not JSON/);
    expect(() => parseKerasModelConfig(sequential([dense('d', 1, 'relu')]))).toThrow(/batch_input_shape/);
  });
});

describe('buildSequential', () => {
  const text = sequential([dense('a', 5, 'relu', { batch_input_shape: [null, 3] }), { class_name: 'Dropout', config: { name: 'dr', rate: 0.1 } }, dense('b', 1, 'sigmoid')]);

  it('builds the layers with the recorded shapes and zero biases', () => {
    const model = buildSequential(parseKerasModelConfig(text), 1);
    expect(model.layers.map((l) => l.getClassName())).toEqual(['Dense', 'Dropout', 'Dense']);
    expect(model.getWeights().map((w) => w.shape)).toEqual([[3, 5], [5], [5, 1], [1]]);
    expect(Array.from(model.getWeights()[1].dataSync())).toEqual([0, 0, 0, 0, 0]);
    // glorot uniform: |w| <= sqrt(6 / (fan_in + fan_out))
    const limit = Math.sqrt(6 / (3 + 5));
    for (const w of model.getWeights()[0].dataSync()) expect(Math.abs(w)).toBeLessThanOrEqual(limit);
  });

  it('gives identical initial weights for the same seed and different ones for another', () => {
    const weights = (seed: number) => buildSequential(parseKerasModelConfig(text), seed).getWeights().map((w) => Array.from(w.dataSync()));
    expect(weights(5)).toEqual(weights(5));
    expect(weights(5)).not.toEqual(weights(6));
    tf.disposeVariables();
  });
});
