// The Keras importer against an independent forward pass computed here from the raw HDF5 weight arrays,
// and its refusals of files that are not (usable) Keras models.
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ready, File, Dataset } from 'h5wasm/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readKerasH5 } from '../../src/model/keras-h5.ts';
import { formatPrediction } from '../../src/model/format.ts';
import { densePredictor, tfjsPredictorFromSpec } from '../../src/model/load.ts';
import { ModelError } from '../../src/model/spec.ts';
import { allGameRows, deployKerasH5, gamesH5 } from './data-files.ts';

/** Reads dense_1..dense_4 straight from the file and runs relu, relu, relu, sigmoid in float64. */
async function referenceForward(path: string, x: Float32Array, rows: number): Promise<Float64Array> {
  await ready;
  const file = new File(path, 'r');
  const layers = ['dense_1', 'dense_2', 'dense_3', 'dense_4'].map((name) => {
    const kernel = file.get(`model_weights/${name}/${name}/kernel:0`) as Dataset;
    const bias = file.get(`model_weights/${name}/${name}/bias:0`) as Dataset;
    return { w: kernel.value as Float32Array, b: bias.value as Float32Array, shape: kernel.shape as number[] };
  });
  file.close();
  const out = new Float64Array(rows);
  for (let row = 0; row < rows; row++) {
    let a = Array.from(x.subarray(row * 10, row * 10 + 10));
    layers.forEach(({ w, b, shape: [n, m] }, index) => {
      const z = Array.from({ length: m }, (_, j) => a.reduce((sum, v, i) => sum + v * w[i * m + j], b[j]));
      a = index < 3 ? z.map((v) => Math.max(0, v)) : z.map((v) => 1 / (1 + Math.exp(-v)));
    });
    out[row] = a[0];
  }
  return out;
}

/**
 * Largest |actual − expected| / (|expected| + 1e-30). The floor matters for games.h5, whose logits reach −100 and
 * below: a sigmoid output's relative error is the logit's absolute error, which float32 makes ~1e-5 at −60, and
 * float32 flushes anything under 1.4e-45 to 0. Outputs that small are "never buys" whatever their digits.
 */
function maxRelativeError(actual: Float32Array, expected: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / (Math.abs(expected[i]) + 1e-30));
  return worst;
}

describe.each([
  ['games.h5', gamesH5],
  ['games-deploykeras.h5', deployKerasH5],
])('importing %s', (_label, path) => {
  const x = allGameRows();

  it('reads the architecture: 10 inputs, Dense 64 relu ×3 with two Dropouts, Dense 1 sigmoid', async () => {
    const spec = await readKerasH5(path);
    expect(spec.inputs).toBe(10);
    expect(spec.outputs).toBe(1);
    expect(spec.layers.map((layer) => (layer.kind === 'dense' ? `${layer.name}:${layer.units}:${layer.activation}` : `${layer.name}:${layer.rate}`))).toEqual([
      'dense_1:64:relu', 'dropout_1:0.1', 'dense_2:64:relu', 'dropout_2:0.1', 'dense_3:64:relu', 'dense_4:1:sigmoid',
    ]);
  });

  it('predicts like the reference forward pass on all 1024 inputs, through the dense runtime and through tfjs', async () => {
    const spec = await readKerasH5(path);
    const expected = await referenceForward(path, x, 1024);
    const dense = densePredictor(spec).predict(x, 1024);
    const viaTfjs = (await tfjsPredictorFromSpec(spec)).predict(x, 1024);
    expect(maxRelativeError(dense, expected)).toBeLessThan(1e-4);
    expect(maxRelativeError(viaTfjs, expected)).toBeLessThan(1e-4);
    // The served runtime agrees with tfjs's own float32 arithmetic.
    expect(maxRelativeError(dense, Float64Array.from(viaTfjs))).toBeLessThan(1e-4);
  });
});

describe('the documented request', () => {
  it('games.h5 with g1=1, others 0, answers within 1e-4 of the original 2.160104e-16', async () => {
    const x = new Float32Array(10);
    x[0] = 1;
    const spec = await readKerasH5(gamesH5);
    const dense = densePredictor(spec).predict(x, 1)[0];
    const viaTfjs = (await tfjsPredictorFromSpec(spec)).predict(x, 1)[0];
    expect(Math.abs(dense - 2.160104e-16) / 2.160104e-16).toBeLessThan(1e-4);
    expect(Math.abs(viaTfjs - 2.160104e-16) / 2.160104e-16).toBeLessThan(1e-4);
    // The sequential float32 sums happen to reproduce the original's digits; tfjs/wasm sums in another order.
    expect(formatPrediction(dense)).toBe('2.160104e-16');
  });
});

describe('refusals', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'repro-h5-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function refusal(path: string): Promise<ModelError> {
    const error = await readKerasH5(path).then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelError);
    expect((error as ModelError).exitCode).toBe(2);
    return error as ModelError;
  }

  it('a missing file', async () => {
    expect((await refusal(join(dir, 'absent.h5'))).message).toMatch(/absent\.h5 does not exist/);
  });

  it('a file that is not HDF5', async () => {
    const path = join(dir, 'text.h5');
    await writeFile(path, 'not a model\n');
    expect((await refusal(path)).message).toMatch(/not an HDF5 file/);
  });

  it('a truncated (malformed) HDF5 file', async () => {
    const { readFile } = await import('node:fs/promises');
    const path = join(dir, 'truncated.h5');
    await writeFile(path, (await readFile(gamesH5)).subarray(0, 5000));
    expect((await refusal(path)).message).toMatch(/malformed HDF5 file: truncated file/);
  });

  it('an HDF5 file that is not a Keras model, saying what is missing', async () => {
    await ready;
    const path = join(dir, 'plain.h5');
    const file = new File(path, 'w');
    file.create_dataset({ name: 'measurements', data: new Float32Array([1, 2, 3]) });
    file.close();
    expect((await refusal(path)).message).toMatch(/not a Keras model: it has no model_config attribute \(found: \/measurements\)/);
  });

  it('a Keras file with an unsupported layer, naming it', async () => {
    await ready;
    const path = join(dir, 'conv.h5');
    await copyFile(gamesH5, path);
    const file = new File(path, 'a');
    const config = JSON.parse(file.attrs['model_config'].value as string) as { config: { layers: Array<{ class_name: string; config: { name: string } }> } };
    config.config.layers.splice(1, 0, { class_name: 'BatchNormalization', config: { name: 'batch_normalization_1' } });
    file.delete_attribute('model_config');
    file.create_attribute('model_config', JSON.stringify(config));
    file.close();
    expect((await refusal(path)).message).toMatch(/layer 1 'batch_normalization_1' is a BatchNormalization, which the importer does not support/);
  });

  it('a Keras file with weights missing', async () => {
    await ready;
    const path = join(dir, 'noweights.h5');
    const file = new File(path, 'w');
    const source = new File(gamesH5, 'r');
    file.create_attribute('model_config', source.attrs['model_config'].value as string);
    source.close();
    file.close();
    expect((await refusal(path)).message).toMatch(/no model_weights group/);
  });
});
