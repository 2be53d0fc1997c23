// The plain-value description of a Sequential model of Dense/Dropout layers: what the importers produce and the
// runtimes consume, so neither side depends on the other's file format.
import { ExitCode, ReproError } from '../errors.ts';

export type Activation = 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'softmax';
export const activations: readonly Activation[] = ['linear', 'relu', 'sigmoid', 'tanh', 'softmax'];

export interface DenseLayer {
  kind: 'dense';
  name: string;
  inputs: number;
  units: number;
  activation: Activation;
  /** Row-major [inputs, units], as Keras stores it. */
  kernel: Float32Array;
  /** [units], or undefined when the layer has no bias. */
  bias?: Float32Array;
}

/** Kept so that a converted model has the same layers as its source; it does nothing at inference. */
export interface DropoutLayer {
  kind: 'dropout';
  name: string;
  rate: number;
}

export type LayerSpec = DenseLayer | DropoutLayer;

export interface SequentialSpec {
  name: string;
  /** Number of input features. */
  inputs: number;
  /** Number of values the model outputs per row. */
  outputs: number;
  layers: LayerSpec[];
  /** Where the model came from, for messages. */
  source: string;
}

/** A model file that cannot be used: not a model, an unsupported layer, inconsistent shapes. Exit code 2. */
export class ModelError extends ReproError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, { exitCode: ExitCode.badInput, ...options });
  }
}

/** Checks the layers chain (each Dense's inputs = the previous width) and returns the output width. */
export function checkChain(source: string, inputs: number, layers: LayerSpec[]): number {
  let width = inputs;
  for (const layer of layers) {
    if (layer.kind !== 'dense') continue;
    if (layer.inputs !== width) {
      throw new ModelError(`${source}: layer ${layer.name} expects ${layer.inputs} inputs but receives ${width}`);
    }
    if (layer.kernel.length !== layer.inputs * layer.units) {
      throw new ModelError(`${source}: layer ${layer.name} kernel has ${layer.kernel.length} values, expected ${layer.inputs}×${layer.units}`);
    }
    if (layer.bias && layer.bias.length !== layer.units) {
      throw new ModelError(`${source}: layer ${layer.name} bias has ${layer.bias.length} values, expected ${layer.units}`);
    }
    width = layer.units;
  }
  return width;
}
