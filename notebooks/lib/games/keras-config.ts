// Reads the architecture recorded in a Keras 2 HDF5 file (its `model_config` attribute) and
// builds the same Sequential network in tfjs with seeded initializers. Only what the games model
// needs is supported; anything else is refused by name rather than silently approximated.
import * as tf from '@tensorflow/tfjs';
import h5wasm from 'h5wasm/node';
import { deriveSeed } from './rng.ts';
import type { Activation, LayerSpec, SequentialSpec, VarianceScalingSpec } from './types.ts';

export type { Activation, LayerSpec, SequentialSpec, VarianceScalingSpec };

const ACTIVATIONS: readonly string[] = ['relu', 'sigmoid', 'linear', 'tanh'];

export class UnsupportedModelError extends Error {
  override name = 'UnsupportedModelError';
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function field(obj: JsonObject, key: string, where: string): Json {
  const v = obj[key];
  if (v === undefined) throw new UnsupportedModelError(`${where}: missing "${key}"`);
  return v;
}

function kernelInitializer(cfg: JsonObject, where: string): VarianceScalingSpec {
  const init = field(cfg, 'kernel_initializer', where);
  if (!isObject(init) || init.class_name !== 'VarianceScaling' || !isObject(init.config)) {
    const name = isObject(init) ? String(init.class_name) : JSON.stringify(init);
    throw new UnsupportedModelError(`${where}: kernel_initializer ${name} is not supported (only VarianceScaling, e.g. glorot_uniform)`);
  }
  const { scale, mode, distribution } = init.config;
  if (typeof scale !== 'number' || (mode !== 'fan_in' && mode !== 'fan_out' && mode !== 'fan_avg') || (distribution !== 'uniform' && distribution !== 'normal')) {
    throw new UnsupportedModelError(`${where}: VarianceScaling config ${JSON.stringify(init.config)} is not supported`);
  }
  return { scale, mode, distribution };
}

function parseLayer(layer: Json, index: number): { spec: LayerSpec | null; inputDim?: number } {
  if (!isObject(layer) || typeof layer.class_name !== 'string' || !isObject(layer.config)) {
    throw new UnsupportedModelError(`layer ${index}: not a Keras layer config`);
  }
  const cfg = layer.config;
  const name = typeof cfg.name === 'string' ? cfg.name : `layer_${index}`;
  const where = `layer ${index} (${layer.class_name} "${name}")`;
  const shape = cfg.batch_input_shape;
  const inputDim = Array.isArray(shape) && shape.length === 2 && typeof shape[1] === 'number' ? shape[1] : undefined;
  switch (layer.class_name) {
    case 'InputLayer':
      return { spec: null, inputDim };
    case 'Dropout': {
      const rate = field(cfg, 'rate', where);
      if (typeof rate !== 'number' || rate < 0 || rate >= 1) throw new UnsupportedModelError(`${where}: rate must be in [0, 1)`);
      if (cfg.noise_shape !== null && cfg.noise_shape !== undefined) throw new UnsupportedModelError(`${where}: noise_shape is not supported`);
      return { spec: { kind: 'dropout', name, rate }, inputDim };
    }
    case 'Dense': {
      const units = field(cfg, 'units', where);
      const activation = field(cfg, 'activation', where);
      if (typeof units !== 'number' || !Number.isInteger(units) || units < 1) throw new UnsupportedModelError(`${where}: units must be a positive integer`);
      if (typeof activation !== 'string' || !ACTIVATIONS.includes(activation)) {
        throw new UnsupportedModelError(`${where}: activation ${JSON.stringify(activation)} is not supported (${ACTIVATIONS.join(', ')})`);
      }
      for (const key of ['kernel_regularizer', 'bias_regularizer', 'activity_regularizer', 'kernel_constraint', 'bias_constraint']) {
        if (cfg[key] !== null && cfg[key] !== undefined) throw new UnsupportedModelError(`${where}: ${key} is not supported`);
      }
      const bias = cfg.bias_initializer;
      if (cfg.use_bias !== false && !(isObject(bias) && bias.class_name === 'Zeros')) {
        throw new UnsupportedModelError(`${where}: bias_initializer must be Zeros`);
      }
      const spec: LayerSpec = { kind: 'dense', name, units, activation: activation as Activation, useBias: cfg.use_bias !== false, kernelInitializer: kernelInitializer(cfg, where) };
      return { spec, inputDim };
    }
    default:
      throw new UnsupportedModelError(`${where}: layer type ${layer.class_name} is not supported (Dense, Dropout, InputLayer)`);
  }
}

/** Parse the JSON text of a Keras 2 `model_config` (Sequential only). */
export function parseKerasModelConfig(text: string): SequentialSpec {
  let root: Json;
  try {
    root = JSON.parse(text) as Json;
  } catch (e) {
    throw new UnsupportedModelError(`model_config is not JSON: ${(e as Error).message}`);
  }
  if (!isObject(root) || root.class_name !== 'Sequential') {
    const kind = isObject(root) ? String(root.class_name) : typeof root;
    throw new UnsupportedModelError(`model_config describes a ${kind}, only Sequential models are supported`);
  }
  // Keras < 2.2.3 stored the layer list directly; later versions nest it under config.layers.
  const cfg = root.config;
  const layers = Array.isArray(cfg) ? cfg : isObject(cfg) && Array.isArray(cfg.layers) ? cfg.layers : null;
  if (!layers) throw new UnsupportedModelError('model_config has no layer list');
  const name = isObject(cfg) && typeof cfg.name === 'string' ? cfg.name : 'sequential';
  let inputDim: number | undefined;
  const specs: LayerSpec[] = [];
  layers.forEach((layer, i) => {
    const parsed = parseLayer(layer, i);
    inputDim ??= parsed.inputDim;
    if (parsed.spec) specs.push(parsed.spec);
  });
  if (inputDim === undefined) throw new UnsupportedModelError('model_config gives no batch_input_shape [null, features] on its first layer');
  if (specs.length === 0 || specs[0].kind !== 'dense') throw new UnsupportedModelError('the first layer must be Dense');
  return { name, inputDim, layers: specs };
}

/** Read the `model_config` attribute of a Keras HDF5 file. */
export async function readKerasModelConfig(h5Path: string): Promise<string> {
  await h5wasm.ready;
  const file = new h5wasm.File(h5Path, 'r');
  try {
    const attr = file.attrs['model_config'];
    if (!attr) throw new UnsupportedModelError(`${h5Path}: no model_config attribute, not a Keras model file`);
    const value = attr.value;
    if (typeof value !== 'string') throw new UnsupportedModelError(`${h5Path}: model_config is not a string attribute`);
    return value;
  } finally {
    file.close();
  }
}

/** Build the network with each kernel initializer seeded from `seed` (stream = layer index). */
export function buildSequential(spec: SequentialSpec, seed: number): tf.Sequential {
  const model = tf.sequential({ name: spec.name });
  spec.layers.forEach((layer, i) => {
    const inputShape = i === 0 ? [spec.inputDim] : undefined;
    if (layer.kind === 'dropout') {
      model.add(tf.layers.dropout({ name: layer.name, rate: layer.rate, inputShape }));
      return;
    }
    const { scale, mode, distribution } = layer.kernelInitializer;
    // Keras 2.2's 'normal' is a truncated normal; tfjs names that 'truncatedNormal'.
    const kernelInitializer = tf.initializers.varianceScaling({
      scale,
      mode: mode === 'fan_in' ? 'fanIn' : mode === 'fan_out' ? 'fanOut' : 'fanAvg',
      distribution: distribution === 'uniform' ? 'uniform' : 'truncatedNormal',
      seed: deriveSeed(seed, i),
    });
    model.add(tf.layers.dense({ name: layer.name, units: layer.units, activation: layer.activation, useBias: layer.useBias, kernelInitializer, biasInitializer: 'zeros', inputShape }));
  });
  return model;
}
