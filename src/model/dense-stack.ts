// Evaluates a Sequential Dense stack directly on Float32Arrays with float32 rounding at every step.
// Used for serving because tfjs spends ~180 µs of fixed overhead per call on a model this small (see bench/serve.ts).
import type { Activation, SequentialSpec } from './spec.ts';

interface CompiledDense {
  inputs: number;
  units: number;
  /** Transposed to [units, inputs] so the inner loop reads memory in order. */
  weights: Float32Array;
  bias: Float32Array;
  activation: Activation;
}

export interface DenseStack {
  inputs: number;
  outputs: number;
  /** rows × inputs values in, rows × outputs values out. */
  predict(x: Float32Array, rows: number): Float32Array;
}

const f = Math.fround;

export function compileDenseStack(spec: SequentialSpec): DenseStack {
  const layers: CompiledDense[] = [];
  for (const layer of spec.layers) {
    if (layer.kind !== 'dense') continue; // Dropout is the identity at inference.
    const weights = new Float32Array(layer.inputs * layer.units);
    for (let i = 0; i < layer.inputs; i++) {
      for (let j = 0; j < layer.units; j++) weights[j * layer.inputs + i] = layer.kernel[i * layer.units + j];
    }
    layers.push({ inputs: layer.inputs, units: layer.units, weights, bias: layer.bias ?? new Float32Array(layer.units), activation: layer.activation });
  }
  const widest = Math.max(spec.inputs, ...layers.map((layer) => layer.units));
  // Two scratch rows reused across calls: the service is single-threaded, and predict() copies its result out.
  let a = new Float32Array(widest);
  let b = new Float32Array(widest);
  return {
    inputs: spec.inputs,
    outputs: spec.outputs,
    predict(x, rows) {
      const out = new Float32Array(rows * spec.outputs);
      for (let row = 0; row < rows; row++) {
        a.set(x.subarray(row * spec.inputs, (row + 1) * spec.inputs));
        for (const layer of layers) {
          denseForward(layer, a, b);
          [a, b] = [b, a];
        }
        out.set(a.subarray(0, spec.outputs), row * spec.outputs);
      }
      return out;
    },
  };
}

/** y = activation(x·W + b), each product and sum rounded to float32 as a float32 device computes it. */
function denseForward(layer: CompiledDense, x: Float32Array, y: Float32Array): void {
  const { inputs, units, weights, bias } = layer;
  for (let j = 0; j < units; j++) {
    let sum = 0;
    const base = j * inputs;
    for (let i = 0; i < inputs; i++) sum = f(sum + f(x[i] * weights[base + i]));
    y[j] = f(sum + bias[j]);
  }
  activate(layer.activation, y, units);
}

function activate(activation: Activation, y: Float32Array, n: number): void {
  switch (activation) {
    case 'linear':
      return;
    case 'relu':
      for (let j = 0; j < n; j++) if (!(y[j] > 0)) y[j] = 0;
      return;
    case 'sigmoid':
      for (let j = 0; j < n; j++) y[j] = 1 / (1 + Math.exp(-y[j]));
      return;
    case 'tanh':
      for (let j = 0; j < n; j++) y[j] = Math.tanh(y[j]);
      return;
    case 'softmax': {
      let max = -Infinity;
      for (let j = 0; j < n; j++) max = Math.max(max, y[j]);
      let total = 0;
      for (let j = 0; j < n; j++) total += (y[j] = Math.exp(y[j] - max));
      for (let j = 0; j < n; j++) y[j] = y[j] / total;
      return;
    }
  }
}
