// The test oracle for src/model/dense-stack.ts: the JavaScript forward pass the service ran before the sums moved to
// WebAssembly SIMD, kept as it was. The runtime must give the same bits.
import type { DenseStack } from '../../src/model/dense-stack.ts';
import type { Activation, SequentialSpec } from '../../src/model/spec.ts';

interface CompiledDense {
  inputs: number;
  units: number;
  /** Row-major [inputs, units]: the inner loop runs over one input's row of weights, in memory order. */
  weights: Float32Array;
  bias: Float32Array;
  activation: Activation;
}

const f = Math.fround;

export function referenceDenseStack(spec: SequentialSpec): DenseStack {
  const layers: CompiledDense[] = [];
  for (const layer of spec.layers) {
    if (layer.kind !== 'dense') continue; // Dropout is the identity at inference.
    layers.push({ inputs: layer.inputs, units: layer.units, weights: layer.kernel, bias: layer.bias ?? new Float32Array(layer.units), activation: layer.activation });
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
          const swap = a;
          a = b;
          b = swap;
        }
        out.set(a.subarray(0, spec.outputs), row * spec.outputs);
      }
      return out;
    },
  };
}

/**
 * y = activation(x·W + b). Each y[j] is the float32 sum of x[i]·W[i][j] over i in order, then + b[j]: every product
 * and sum rounded to float32 (Float32Array stores round), as a float32 device computes it. Inputs that are 0 (one-hot
 * features, ReLU zeros) are skipped: adding a +0 product leaves a float32 sum unchanged, so this is exact, and it
 * halves the work on this model.
 */
function denseForward(layer: CompiledDense, x: Float32Array, y: Float32Array): void {
  const { inputs, units, weights, bias } = layer;
  y.fill(0, 0, units);
  for (let i = 0; i < inputs; i++) {
    const xi = x[i];
    if (xi === 0) continue;
    const base = i * units;
    for (let j = 0; j < units; j++) y[j] += f(xi * weights[base + j]);
  }
  for (let j = 0; j < units; j++) y[j] += bias[j];
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
