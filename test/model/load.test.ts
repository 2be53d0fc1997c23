// Loading a tfjs model.json folder (the notebook's output format) and choosing the runtime.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readKerasH5 } from '../../src/model/keras-h5.ts';
import { loadPredictor } from '../../src/model/load.ts';
import { ModelError } from '../../src/model/spec.ts';
import { buildTfjsModel, tf } from '../../src/model/tfjs.ts';
import { allGameRows, gamesH5 } from './data-files.ts';

/** Writes a tfjs model as model.json + weights.bin, the layout tfjs's own file saver produces. */
async function saveTfjs(model: tf.LayersModel, dir: string): Promise<void> {
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = artifacts.weightData as ArrayBuffer;
      await writeFile(join(dir, 'weights.bin'), new Uint8Array(weights));
      const json = { modelTopology: artifacts.modelTopology, format: 'layers-model', weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }] };
      await writeFile(join(dir, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}

describe('loadPredictor', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'repro-tfjs-'));
    await saveTfjs(buildTfjsModel(await readKerasH5(gamesH5)), dir);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('serves a tfjs Dense stack through the dense runtime, agreeing with the .h5 it came from', async () => {
    const x = allGameRows();
    const fromJson = await loadPredictor(join(dir, 'model.json'));
    const fromFolder = await loadPredictor(dir);
    const fromH5 = await loadPredictor(gamesH5);
    expect([fromJson.runtime, fromFolder.runtime, fromH5.runtime]).toEqual(['dense', 'dense', 'dense']);
    expect(fromJson.predict(x, 1024)).toEqual(fromH5.predict(x, 1024));
    expect(fromFolder.inputs).toBe(10);
  });

  it('uses tfjs when asked, within 1e-4 of the dense runtime', async () => {
    const x = allGameRows();
    const viaTfjs = await loadPredictor(dir, 'tfjs');
    expect(viaTfjs.runtime).toMatch(/^tfjs\//);
    const expected = (await loadPredictor(dir)).predict(x, 1024);
    const actual = viaTfjs.predict(x, 1024);
    for (let i = 0; i < 1024; i++) expect(Math.abs(actual[i] - expected[i])).toBeLessThanOrEqual(1e-4 * Math.abs(expected[i]) + 1e-30);
  });

  it('refuses a missing model with a hint to run the notebook', async () => {
    const error = await loadPredictor(join(dir, 'absent', 'model.json')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelError);
    expect((error as ModelError).hint).toMatch(/repro run/);
  });

  it('refuses a model.json that is not a tfjs Layers model', async () => {
    const path = join(dir, 'other.json');
    await writeFile(path, '{"hello": 1}');
    await expect(loadPredictor(path)).rejects.toThrow(/not a tfjs Layers model/);
  });
});
