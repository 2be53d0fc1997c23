// tfjs has no file system IO without tfjs-node: a save handler that writes model.json and one
// weights file, and the matching load handler, both in the standard tfjs layers format.
import * as tf from '@tensorflow/tfjs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const WEIGHTS_FILE = 'weights.bin';

/** model.json text: stable key order and no timestamps, so equal weights give equal bytes. */
export function modelJson(artifacts: tf.io.ModelArtifacts): string {
  const json: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology as {},
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
  };
  return JSON.stringify(json, null, 1) + '\n';
}

export async function saveModelFiles(model: tf.LayersModel, dir: string): Promise<{ files: string[]; bytes: number }> {
  await mkdir(dir, { recursive: true });
  let bytes = 0;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? []));
      await writeFile(join(dir, 'model.json'), modelJson(artifacts));
      await writeFile(join(dir, WEIGHTS_FILE), weights);
      bytes = weights.byteLength;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  return { files: ['model.json', WEIGHTS_FILE], bytes };
}

/** Load a model written by saveModelFiles (or any single-folder tfjs layers model). */
export async function loadModelFiles(dir: string): Promise<tf.LayersModel> {
  const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
  const handler: tf.io.IOHandler = {
    load: () =>
      tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs = manifest.flatMap((group) => group.weights);
        const buffers = await Promise.all(manifest.flatMap((group) => group.paths).map(async (p) => {
          const b = await readFile(join(dir, p));
          return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
        }));
        return [specs, tf.io.CompositeArrayBuffer.join(buffers)];
      }),
  };
  return tf.loadLayersModel(handler);
}
