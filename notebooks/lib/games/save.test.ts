import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useWasmBackend } from './backend.ts';
import { buildSequential, parseKerasModelConfig } from './keras-config.ts';
import { loadModelFiles, saveModelFiles, WEIGHTS_FILE } from './save.ts';

let dir: string;
beforeAll(async () => {
  await useWasmBackend();
  dir = await mkdtemp(join(tmpdir(), 'games-save-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const config = JSON.stringify({
  class_name: 'Sequential',
  config: {
    name: 'seq',
    layers: [
      { class_name: 'Dense', config: { name: 'a', units: 4, activation: 'relu', batch_input_shape: [null, 3], kernel_initializer: { class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_avg', distribution: 'uniform' } }, bias_initializer: { class_name: 'Zeros', config: {} } } },
      { class_name: 'Dropout', config: { name: 'dr', rate: 0.1 } },
      { class_name: 'Dense', config: { name: 'b', units: 1, activation: 'sigmoid', kernel_initializer: { class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_avg', distribution: 'uniform' } }, bias_initializer: { class_name: 'Zeros', config: {} } } },
    ],
  },
});

describe('saveModelFiles / loadModelFiles', () => {
  it('round-trips: the loaded model predicts exactly what the saved one did', async () => {
    const model = buildSequential(parseKerasModelConfig(config), 3);
    // Non-zero biases, so that a lost bias would show.
    model.layers[0].setWeights([model.layers[0].getWeights()[0], tf.tensor1d([0.1, -0.2, 0.3, 0.05])]);
    const x = tf.tensor2d([[0, 1, 1], [1, 0, 0], [1, 1, 1], [0, 0, 0]]);
    const before = Array.from((model.predict(x) as tf.Tensor).dataSync());
    const saved = await saveModelFiles(model, dir);
    expect(saved.files).toEqual(['model.json', WEIGHTS_FILE]);
    expect(saved.bytes).toBe((3 * 4 + 4 + 4 * 1 + 1) * 4);
    const loaded = await loadModelFiles(dir);
    expect(Array.from((loaded.predict(x) as tf.Tensor).dataSync())).toEqual(before);
  });

  it('writes a standard tfjs layers-model manifest naming the weights file', async () => {
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0].paths).toEqual([WEIGHTS_FILE]);
    expect(json.weightsManifest[0].weights.map((w) => w.name)).toEqual(['a/kernel', 'a/bias', 'b/kernel', 'b/bias']);
  });

  it('writes the same bytes when saving the same weights twice', async () => {
    const model = buildSequential(parseKerasModelConfig(config), 9);
    await saveModelFiles(model, join(dir, 'one'));
    await saveModelFiles(model, join(dir, 'two'));
    for (const f of ['model.json', WEIGHTS_FILE]) {
      expect(await readFile(join(dir, 'two', f))).toEqual(await readFile(join(dir, 'one', f)));
    }
  });
});
