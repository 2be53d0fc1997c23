// Evaluates a Sequential Dense stack directly on Float32Arrays with float32 rounding at every step.
// Used for serving because tfjs spends ~180 µs of fixed overhead per call on a model this small (see bench/serve.ts).
// The sums x·W + b run in WebAssembly SIMD (dense-kernel.ts), the activations in JavaScript on a view of its memory.
import { denseKernel } from './dense-kernel.ts';
import type { Activation, SequentialSpec } from './spec.ts';

interface CompiledDense {
  inputs: number;
  units: number;
  /** Byte addresses in the kernel's memory: weights f32[inputs][units4] (row-major, rows padded), bias f32[units4]. */
  weights: number;
  bias: number;
  /** units rounded up to a multiple of 4, × 4: the padded lanes are computed (from zero weights) and ignored. */
  rowBytes: number;
  activation: Activation;
}

export interface DenseStack {
  inputs: number;
  outputs: number;
  /** rows × inputs values in, rows × outputs values out. */
  predict(x: Float32Array, rows: number): Float32Array;
}

const floatBytes = 4;
/** Four float32 lanes: every row starts on a 16-byte boundary, as the kernel's v128 loads and stores expect. */
const padded = (n: number): number => Math.ceil(n / 4) * 4;

export function compileDenseStack(spec: SequentialSpec): DenseStack {
  const denses = spec.layers.flatMap((layer) => (layer.kind === 'dense' ? [layer] : [])); // Dropout is the identity at inference.
  const widest = padded(Math.max(spec.inputs, ...denses.map((layer) => layer.units)));
  // The memory, sized once: each layer's weights and bias, then two scratch rows.
  const layers: CompiledDense[] = [];
  let end = 0;
  for (const layer of denses) {
    const rowBytes = padded(layer.units) * floatBytes;
    const weights = end;
    const bias = weights + layer.inputs * rowBytes;
    end = bias + rowBytes;
    layers.push({ inputs: layer.inputs, units: layer.units, weights, bias, rowBytes, activation: layer.activation });
  }
  const scratch = [end, end + widest * floatBytes];
  const kernel = denseKernel(end + 2 * widest * floatBytes);
  const memory = new Float32Array(kernel.memory.buffer);
  for (const [index, layer] of denses.entries()) {
    const { weights, bias, rowBytes } = layers[index];
    const units4 = rowBytes / floatBytes;
    for (let i = 0; i < layer.inputs; i++) memory.set(layer.kernel.subarray(i * layer.units, (i + 1) * layer.units), weights / floatBytes + i * units4);
    if (layer.bias) memory.set(layer.bias, bias / floatBytes);
  }
  // Views of the two scratch rows. The service is single-threaded, and predict() copies its result out.
  const rows = scratch.map((address) => new Float32Array(kernel.memory.buffer, address, widest));
  const { dense } = kernel;
  return {
    inputs: spec.inputs,
    outputs: spec.outputs,
    predict(x, count) {
      const out = new Float32Array(count * spec.outputs);
      for (let row = 0; row < count; row++) {
        let a = 0; // the scratch row holding the current layer's input
        rows[a].set(x.subarray(row * spec.inputs, (row + 1) * spec.inputs));
        for (const layer of layers) {
          dense(scratch[a], layer.weights, layer.bias, scratch[1 - a], layer.inputs, layer.rowBytes);
          a = 1 - a;
          activate(layer.activation, rows[a], layer.units);
        }
        out.set(rows[a].subarray(0, spec.outputs), row * spec.outputs);
      }
      return out;
    },
  };
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
