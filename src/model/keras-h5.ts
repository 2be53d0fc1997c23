// Reads a Keras 2 Sequential model (Dense/Dropout/InputLayer) from an HDF5 file into a SequentialSpec:
// the architecture from the root `model_config` attribute, the weights from the `model_weights` groups.
import { open, stat } from 'node:fs/promises';
import { ready, File, Dataset, Group, type Attribute } from 'h5wasm/node';
import { activations, checkChain, ModelError, type Activation, type LayerSpec, type SequentialSpec } from './spec.ts';

const hdf5Signature = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);
const supported = 'Dense, Dropout and InputLayer';

interface KerasLayerConfig {
  class_name: string;
  config: Record<string, unknown>;
}

/** Imports a Keras .h5 model. Throws ModelError saying what is wrong with the file. */
export async function readKerasH5(path: string): Promise<SequentialSpec> {
  await assertHdf5(path);
  const module = await ready;
  // Without this, HDF5 prints its error stack to stderr and h5wasm throws "name not defined".
  module.activate_throwing_error_handler();
  let file: File;
  try {
    file = new File(path, 'r');
  } catch (error) {
    module.deactivate_throwing_error_handler();
    throw new ModelError(`${path} is a malformed HDF5 file: ${hdf5Reason(error)}`, {
      hint: 'The file may be truncated or corrupt; fetch it again (repro fetch) or re-save the model from Keras.',
    });
  }
  try {
    return readModel(file, path);
  } catch (error) {
    if (error instanceof ModelError) throw error;
    throw new ModelError(`${path}: cannot read the model: ${hdf5Reason(error)}`, { cause: error });
  } finally {
    file.close();
    module.deactivate_throwing_error_handler();
  }
}

/** Refuses missing and non-HDF5 files before HDF5 sees them, with a plain message. */
async function assertHdf5(path: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new ModelError(`model file ${path} does not exist`, { hint: 'Check the service\'s model path in research.yaml, or run `repro fetch`.' });
  const handle = await open(path, 'r');
  try {
    // The HDF5 superblock sits at 0, 512, 1024, 2048, … ; Keras files have it at 0, but allow a user block.
    for (let offset = 0; offset < Math.min(info.size, 1 << 20); offset = offset === 0 ? 512 : offset * 2) {
      const head = Buffer.alloc(8);
      await handle.read(head, 0, 8, offset);
      if (head.equals(hdf5Signature)) return;
    }
  } finally {
    await handle.close();
  }
  throw new ModelError(`${path} is not an HDF5 file (no HDF5 signature found)`, { hint: 'A Keras model is saved with model.save("model.h5").' });
}

/** The innermost message of an HDF5 error stack, e.g. "truncated file: eof = 5000, …". */
function hdf5Reason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const lines = [...text.matchAll(/#\d+: .* in [\w]+\(\): (.*)$/gm)];
  return lines.length > 0 ? lines[lines.length - 1][1].trim() : text.trim() || 'unknown HDF5 error';
}

function readModel(file: File, path: string): SequentialSpec {
  const configText = attributeText(file.attrs['model_config']);
  if (configText === undefined) {
    const found = [...Object.keys(file.attrs).map((name) => `attribute ${name}`), ...file.keys().map((name: string) => `/${name}`)];
    throw new ModelError(`${path} is an HDF5 file but not a Keras model: it has no model_config attribute (found: ${found.join(', ') || 'nothing'})`, {
      hint: 'Save the whole model with model.save("model.h5"), not model.save_weights().',
    });
  }
  let config: unknown;
  try {
    config = JSON.parse(configText);
  } catch {
    throw new ModelError(`${path}: the model_config attribute is not valid JSON`);
  }
  const layers = sequentialLayers(config, path);
  const weights = file.get('model_weights');
  if (!(weights instanceof Group)) {
    throw new ModelError(`${path} has a model_config but no model_weights group: the file holds an architecture without weights`, {
      hint: 'Save the whole model with model.save("model.h5").',
    });
  }
  const specs: LayerSpec[] = [];
  let inputs: number | undefined;
  layers.forEach((layer, index) => {
    const name = typeof layer.config.name === 'string' ? layer.config.name : `layer ${index}`;
    inputs ??= batchInputWidth(layer.config, name, path);
    if (layer.class_name === 'InputLayer') return;
    if (layer.class_name === 'Dropout') {
      specs.push({ kind: 'dropout', name, rate: Number(layer.config.rate ?? 0) });
      return;
    }
    if (layer.class_name !== 'Dense') {
      throw new ModelError(`${path}: layer ${index} '${name}' is a ${layer.class_name}, which the importer does not support (it supports ${supported})`);
    }
    specs.push(denseLayer(weights, layer.config, name, path));
  });
  const firstDense = specs.find((layer) => layer.kind === 'dense');
  if (!firstDense) throw new ModelError(`${path}: the model has no Dense layer`);
  const width = inputs ?? firstDense.inputs;
  const outputs = checkChain(path, width, specs);
  const modelName = isRecord(config) && isRecord(config.config) && typeof config.config.name === 'string' ? config.config.name : 'sequential';
  return { name: modelName, inputs: width, outputs, layers: specs, source: path };
}

/** Keras 2.2.4 writes {name, layers: […]}; Keras ≤ 2.2.2 writes the layer list directly. */
function sequentialLayers(config: unknown, path: string): KerasLayerConfig[] {
  if (!isRecord(config) || typeof config.class_name !== 'string') {
    throw new ModelError(`${path}: model_config has no class_name; not a Keras model configuration`);
  }
  if (config.class_name !== 'Sequential') {
    throw new ModelError(`${path}: the model is a ${config.class_name}; the importer supports Sequential models of ${supported} layers`);
  }
  const list = Array.isArray(config.config) ? config.config : isRecord(config.config) ? config.config.layers : undefined;
  if (!Array.isArray(list)) throw new ModelError(`${path}: model_config has no layer list`);
  return list.map((layer, index) => {
    if (!isRecord(layer) || typeof layer.class_name !== 'string' || !isRecord(layer.config)) {
      throw new ModelError(`${path}: model_config layer ${index} has no class_name/config`);
    }
    return { class_name: layer.class_name, config: layer.config };
  });
}

function batchInputWidth(config: Record<string, unknown>, name: string, path: string): number | undefined {
  const shape = config.batch_input_shape ?? config.batch_shape;
  if (shape === undefined) return undefined;
  if (!Array.isArray(shape) || shape.length !== 2 || typeof shape[1] !== 'number') {
    throw new ModelError(`${path}: layer '${name}' has input shape ${JSON.stringify(shape)}; the importer supports flat inputs [null, n]`);
  }
  return shape[1];
}

function denseLayer(weights: Group, config: Record<string, unknown>, name: string, path: string): LayerSpec {
  const activation = config.activation ?? 'linear';
  if (typeof activation !== 'string' || !activations.includes(activation as Activation)) {
    throw new ModelError(`${path}: layer '${name}' uses activation ${JSON.stringify(activation)}; supported: ${activations.join(', ')}`);
  }
  const units = Number(config.units);
  const group = weights.get(name);
  if (!(group instanceof Group)) throw new ModelError(`${path}: model_weights has no group for layer '${name}'`);
  const names = attributeList(group.attrs['weight_names']);
  const find = (suffix: string) => {
    const weightName = names.find((weight) => weight.endsWith(suffix));
    const dataset = weightName === undefined ? undefined : group.get(weightName);
    return dataset instanceof Dataset ? dataset : undefined;
  };
  const kernel = find('kernel:0');
  if (!kernel) throw new ModelError(`${path}: layer '${name}' has no kernel weights in model_weights/${name}`);
  const shape = kernel.shape ?? [];
  if (shape.length !== 2 || shape[1] !== units) {
    throw new ModelError(`${path}: layer '${name}' kernel has shape [${shape.join(', ')}], expected [inputs, ${units}]`);
  }
  const useBias = config.use_bias !== false;
  const bias = useBias ? find('bias:0') : undefined;
  if (useBias && !bias) throw new ModelError(`${path}: layer '${name}' uses a bias but model_weights/${name} has none`);
  return {
    kind: 'dense',
    name,
    inputs: shape[0],
    units,
    activation: activation as Activation,
    kernel: floats(kernel, name, path),
    bias: bias ? floats(bias, name, path) : undefined,
  };
}

function floats(dataset: Dataset, name: string, path: string): Float32Array {
  const value = dataset.value;
  if (value instanceof Float32Array) return value;
  if (value instanceof Float64Array) return Float32Array.from(value);
  throw new ModelError(`${path}: layer '${name}' weights ${dataset.path} are not floating point (dtype ${JSON.stringify(dataset.dtype)})`);
}

function attributeText(attribute: Attribute | undefined): string | undefined {
  const value = attribute?.value;
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  return undefined;
}

/** weight_names: a list of strings; an empty list reads back as a non-array, meaning "no weights". */
function attributeList(attribute: Attribute | undefined): string[] {
  const value = attribute?.value;
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return typeof value === 'string' ? [value] : [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
