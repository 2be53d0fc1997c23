// The Keras training loop for a Sequential of Dense/Dropout layers, written out so that every
// random choice comes from our seeded Rng: per-epoch shuffling of the training rows (Keras
// shuffle=True) and dropout masks. tfjs's own fit() shuffles with Math.random and its Dropout
// layer reuses one mask when given a seed, so neither is used.
import * as tf from '@tensorflow/tfjs';
import type { Dataset, EpochLog, SequentialSpec } from './types.ts';
import { logLoss } from './metrics.ts';
import { Rng } from './rng.ts';

export type { Dataset, EpochLog };

export interface TrainOptions {
  epochs: number;
  batchSize: number;
  seed: number;
  /** Keras 2.2.4 RMSprop defaults: lr 0.001, rho 0.9, epsilon 1e-7. */
  learningRate?: number;
  rho?: number;
  epsilon?: number;
  onEpoch?: (epoch: EpochLog) => void;
}

/** Rows `indices` of a dataset as tensors-ready arrays. */
export function takeRows(data: Dataset, indices: Int32Array): Dataset {
  const x = new Float32Array(indices.length * data.features);
  const y = new Float32Array(indices.length);
  indices.forEach((row, i) => {
    x.set(data.x.subarray(row * data.features, (row + 1) * data.features), i * data.features);
    y[i] = data.y[row];
  });
  return { x, y, rows: indices.length, features: data.features };
}

interface DenseVars {
  kernel: tf.Variable;
  bias: tf.Variable | null;
}

function denseVariables(model: tf.Sequential): DenseVars[] {
  return model.layers
    .filter((l) => l.getClassName() === 'Dense')
    .map((l) => {
      const [kernel, bias] = l.trainableWeights.map((w) => w.read() as tf.Variable);
      return { kernel, bias: bias ?? null };
    });
}

// Keras clips probabilities to [1e-7, 1 - 1e-7] before the cross-entropy; on the logit that is
// a clip to ±log((1 - eps) / eps), which also zeroes the gradient outside, as in Keras.
const LOGIT_LIMIT = Math.log((1 - 1e-7) / 1e-7);

/** Forward pass returning the last layer's pre-activation (logits); dropout masks when given. */
function forwardLogits(spec: SequentialSpec, vars: DenseVars[], x: tf.Tensor2D, masks: tf.Tensor2D[] | null): tf.Tensor2D {
  let h = x;
  let dense = 0;
  let drop = 0;
  spec.layers.forEach((layer, i) => {
    if (layer.kind === 'dropout') {
      if (masks) h = tf.mul(h, masks[drop++]);
      return;
    }
    const v = vars[dense++];
    let z: tf.Tensor2D = tf.matMul(h, v.kernel);
    if (v.bias) z = tf.add<tf.Tensor2D>(z, v.bias);
    const last = i === spec.layers.length - 1;
    h = last ? z : applyActivation(z, layer.activation);
  });
  return h;
}

function applyActivation(z: tf.Tensor2D, activation: string): tf.Tensor2D {
  switch (activation) {
    case 'relu':
      return tf.relu(z);
    case 'sigmoid':
      return tf.sigmoid(z);
    case 'tanh':
      return tf.tanh(z);
    default:
      return z;
  }
}

function checkSigmoidOutput(spec: SequentialSpec): void {
  const last = spec.layers[spec.layers.length - 1];
  if (last.kind !== 'dense' || last.units !== 1 || last.activation !== 'sigmoid') {
    throw new Error('binary cross-entropy training needs a final Dense(1, sigmoid) layer');
  }
}

/** Inverted-dropout masks (kept units scaled by 1 / (1 - rate), as Keras does) from the Rng. */
function dropoutMasks(spec: SequentialSpec, batch: number, rng: Rng): tf.Tensor2D[] {
  const masks: tf.Tensor2D[] = [];
  let width = spec.inputDim;
  for (const layer of spec.layers) {
    if (layer.kind === 'dense') {
      width = layer.units;
      continue;
    }
    const keep = 1 - layer.rate;
    const values = new Float32Array(batch * width);
    for (let k = 0; k < values.length; k++) values[k] = rng.next() < keep ? 1 / keep : 0;
    masks.push(tf.tensor2d(values, [batch, width]));
  }
  return masks;
}

function bceFromLogits(logits: tf.Tensor2D, y: tf.Tensor2D): tf.Scalar {
  const z = tf.clipByValue(logits, -LOGIT_LIMIT, LOGIT_LIMIT);
  // max(z, 0) - z * y + log(1 + exp(-|z|)): the stable form of sigmoid cross-entropy.
  return tf.mean(tf.add(tf.sub(tf.relu(z), tf.mul(z, y)), tf.log1p(tf.exp(tf.neg(tf.abs(z)))))) as tf.Scalar;
}

/**
 * Probabilities for every row in inference mode (Dropout is the identity), through the tfjs
 * model's own predict(): the same graph, fused kernels included, that a server loading the
 * saved model runs, so the reported metrics are those of the saved model bit for bit.
 */
export function predict(model: tf.LayersModel, data: Dataset, batchSize = 4096): Float32Array {
  const out = new Float32Array(data.rows);
  for (let start = 0; start < data.rows; start += batchSize) {
    const n = Math.min(batchSize, data.rows - start);
    const p = tf.tidy(() => model.predict(tf.tensor2d(data.x.subarray(start * data.features, (start + n) * data.features), [n, data.features])) as tf.Tensor);
    out.set(p.dataSync() as Float32Array, start);
    p.dispose();
  }
  return out;
}

/**
 * Train like Keras `fit(x, y, epochs, batch_size, validation_data)` with RMSprop and binary
 * cross-entropy. `loss` per epoch is the size-weighted mean of the batch losses (what Keras
 * prints); `valLoss` is the clipped log loss on the validation rows after the epoch.
 */
export function train(model: tf.Sequential, spec: SequentialSpec, trainSet: Dataset, validation: Dataset | null, options: TrainOptions): EpochLog[] {
  checkSigmoidOutput(spec);
  const { epochs, batchSize, seed } = options;
  const lr = options.learningRate ?? 0.001;
  const rho = options.rho ?? 0.9;
  const epsilon = options.epsilon ?? 1e-7;
  const rng = new Rng(seed);
  const vars = denseVariables(model);
  const params = vars.flatMap((v) => (v.bias ? [v.kernel, v.bias] : [v.kernel]));
  const accumulators = params.map((p) => tf.variable(tf.zerosLike(p), false));
  const order = new Int32Array(trainSet.rows).map((_, i) => i);
  const history: EpochLog[] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    rng.shuffle(order);
    let lossSum = 0;
    for (let start = 0; start < trainSet.rows; start += batchSize) {
      const batch = takeRows(trainSet, order.subarray(start, Math.min(start + batchSize, trainSet.rows)));
      const lossValue = tf.tidy(() => {
        const x = tf.tensor2d(batch.x, [batch.rows, batch.features]);
        const y = tf.tensor2d(batch.y, [batch.rows, 1]);
        const masks = dropoutMasks(spec, batch.rows, rng);
        const { value, grads } = tf.variableGrads(() => bceFromLogits(forwardLogits(spec, vars, x, masks), y), params);
        params.forEach((p, k) => {
          const g = grads[p.name];
          // Keras 2.2.4 RMSprop: a = rho a + (1 - rho) g²; p -= lr g / (sqrt(a) + eps).
          const a = tf.add(tf.mul(accumulators[k], rho), tf.mul(tf.square(g), 1 - rho));
          accumulators[k].assign(a);
          p.assign(tf.sub(p, tf.div(tf.mul(g, lr), tf.add(tf.sqrt(a), epsilon))));
        });
        return value;
      });
      lossSum += (lossValue.dataSync()[0] ?? NaN) * batch.rows;
      lossValue.dispose();
    }
    const valLoss = validation ? logLoss(validation.y, predict(model, validation)) : null;
    const log: EpochLog = { epoch, loss: lossSum / trainSet.rows, valLoss };
    history.push(log);
    options.onEpoch?.(log);
  }
  accumulators.forEach((a) => a.dispose());
  return history;
}
