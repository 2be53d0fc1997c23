// The tfjs side of the model runtime: backend selection, a tfjs model from a SequentialSpec, loading a tfjs
// model.json folder from disk (no tfjs-node needed), and the spec of a loaded tfjs Dense stack.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { activations, checkChain, ModelError, type Activation, type LayerSpec, type SequentialSpec } from './spec.ts';

export { tf };

let backendReady: Promise<string> | undefined;

/** tfjs-node when it is installed (native TensorFlow), else the wasm backend (~30× faster than plain cpu). */
export function initBackend(): Promise<string> {
  backendReady ??= (async () => {
    try {
      // A variable specifier keeps bundlers and the type checker from requiring the optional package.
      const nodeBackend = '@tensorflow/tfjs-node';
      await import(nodeBackend);
      if (await tf.setBackend('tensorflow')) return 'tensorflow';
    } catch {
      // Not installed here: fall through to wasm.
    }
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // In the service image the backend is bundled, so it cannot find its .wasm files next to its own module.
    if (process.env.REPRO_TFJS_WASM_DIR) wasm.setWasmPaths(`${process.env.REPRO_TFJS_WASM_DIR.replace(/\/$/, '')}/`);
    if (await tf.setBackend('wasm')) return 'wasm';
    await tf.setBackend('cpu');
    return 'cpu';
  })();
  return backendReady;
}

/** The same layers as tfjs layers, with the spec's weights. */
export function buildTfjsModel(spec: SequentialSpec): tf.Sequential {
  const model = tf.sequential({ name: spec.name });
  let first = true;
  for (const layer of spec.layers) {
    const inputShape = first ? { inputShape: [spec.inputs] } : {};
    first = false;
    if (layer.kind === 'dropout') {
      model.add(tf.layers.dropout({ name: layer.name, rate: layer.rate, ...inputShape }));
      continue;
    }
    const dense = tf.layers.dense({ name: layer.name, units: layer.units, activation: layer.activation, useBias: layer.bias !== undefined, ...inputShape });
    model.add(dense);
    const weights: tf.Tensor[] = [tf.tensor2d(layer.kernel, [layer.inputs, layer.units])];
    if (layer.bias) weights.push(tf.tensor1d(layer.bias));
    dense.setWeights(weights);
    tf.dispose(weights);
  }
  return model;
}

/** Loads a tfjs Layers model from model.json and its weight files on disk. */
export async function loadTfjsModel(modelJsonPath: string): Promise<tf.LayersModel> {
  let json: tf.io.ModelJSON;
  try {
    json = JSON.parse(await readFile(modelJsonPath, 'utf8')) as tf.io.ModelJSON;
  } catch (error) {
    throw new ModelError(`cannot read the tfjs model ${modelJsonPath}: ${(error as Error).message}`, {
      hint: 'Run the notebook that writes it (repro run), or point the service at an .h5 file.',
    });
  }
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new ModelError(`${modelJsonPath} is not a tfjs Layers model (needs modelTopology and weightsManifest)`);
  }
  const folder = dirname(modelJsonPath);
  const artifacts = await tf.io.getModelArtifactsForJSON(json, async (manifest) => {
    const buffers: Buffer[] = [];
    for (const group of manifest) for (const path of group.paths) buffers.push(await readFile(join(folder, path)));
    const all = Buffer.concat(buffers);
    return [tf.io.getWeightSpecs(manifest), all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength)];
  });
  try {
    return await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (error) {
    throw new ModelError(`${modelJsonPath}: tfjs cannot load the model: ${(error as Error).message}`, { cause: error });
  }
}

/** The spec of a tfjs model made only of Dense/Dropout/InputLayer layers, or undefined for anything else. */
export function specFromTfjsModel(model: tf.LayersModel, source: string): SequentialSpec | undefined {
  const inputShape = model.inputs[0]?.shape;
  if (model.inputs.length !== 1 || inputShape?.length !== 2 || typeof inputShape[1] !== 'number') return undefined;
  const layers: LayerSpec[] = [];
  for (const layer of model.layers) {
    const className = layer.getClassName();
    if (className === 'InputLayer') continue;
    if (className === 'Dropout') {
      layers.push({ kind: 'dropout', name: layer.name, rate: Number(layer.getConfig().rate ?? 0) });
      continue;
    }
    if (className !== 'Dense') return undefined;
    const config = layer.getConfig();
    const activation = String(config.activation ?? 'linear') as Activation;
    if (!activations.includes(activation)) return undefined;
    const [kernel, bias] = layer.getWeights();
    if (kernel.shape.length !== 2) return undefined;
    layers.push({
      kind: 'dense',
      name: layer.name,
      inputs: kernel.shape[0],
      units: kernel.shape[1],
      activation,
      kernel: (kernel.dataSync() as Float32Array).slice(),
      bias: bias ? (bias.dataSync() as Float32Array).slice() : undefined,
    });
  }
  const outputs = checkChain(source, inputShape[1], layers);
  return { name: model.name, inputs: inputShape[1], outputs, layers, source };
}

/** rows × inputs in, rows × outputs out, through tfjs. */
export function predictTfjs(model: tf.LayersModel, x: Float32Array, rows: number, inputs: number): Float32Array {
  return tf.tidy(() => {
    const output = model.predict(tf.tensor2d(x, [rows, inputs])) as tf.Tensor;
    return (output.dataSync() as Float32Array).slice();
  });
}
