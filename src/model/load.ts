// Loads a model file (Keras .h5, or a tfjs model.json / its folder) into a Predictor, picking the runtime:
// the direct Float32 Dense evaluator when the model is a Dense stack, tfjs otherwise or when asked.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { compileDenseStack } from './dense-stack.ts';
import { readKerasH5 } from './keras-h5.ts';
import { ModelError, type SequentialSpec } from './spec.ts';

export type Runtime = 'auto' | 'dense' | 'tfjs';

export interface Predictor {
  inputs: number;
  outputs: number;
  /** Which runtime answers: 'dense' or 'tfjs/<backend>'. */
  runtime: string;
  /** rows × inputs values in, rows × outputs values out; synchronous so a request never waits on another. */
  predict(x: Float32Array, rows: number): Float32Array;
}

export async function loadPredictor(path: string, runtime: Runtime = 'auto'): Promise<Predictor> {
  const file = await modelFile(path);
  if (file.endsWith('.h5') || file.endsWith('.hdf5') || file.endsWith('.keras')) {
    const spec = await readKerasH5(file);
    return runtime === 'tfjs' ? tfjsPredictorFromSpec(spec) : densePredictor(spec);
  }
  // tfjs is only loaded for model.json files or when asked: it adds ~1 s to start-up.
  const tfjs = await import('./tfjs.ts');
  if (runtime !== 'tfjs') {
    // Read on tfjs's default cpu backend: a Dense stack never needs the wasm backend (or its .wasm files).
    const model = await tfjs.loadTfjsModel(file);
    const spec = tfjs.specFromTfjsModel(model, file);
    model.dispose();
    if (spec) return densePredictor(spec);
    if (runtime === 'dense') throw new ModelError(`${file}: not a Dense stack, so it cannot use the dense runtime`);
  }
  const backend = await tfjs.initBackend();
  const model = await tfjs.loadTfjsModel(file);
  const inputShape = model.inputs[0]?.shape ?? [];
  const outputShape = model.outputs[0]?.shape ?? [];
  if (model.inputs.length !== 1 || inputShape.length !== 2 || typeof inputShape[1] !== 'number' || typeof outputShape[1] !== 'number') {
    throw new ModelError(`${file}: the service needs one flat input [null, n] and one flat output; the model has input ${JSON.stringify(inputShape)}`);
  }
  const inputs = inputShape[1];
  return { inputs, outputs: outputShape[1], runtime: `tfjs/${backend}`, predict: (x, rows) => tfjs.predictTfjs(model, x, rows, inputs) };
}

export function densePredictor(spec: SequentialSpec): Predictor {
  const stack = compileDenseStack(spec);
  return { inputs: stack.inputs, outputs: stack.outputs, runtime: 'dense', predict: stack.predict };
}

export async function tfjsPredictorFromSpec(spec: SequentialSpec): Promise<Predictor> {
  const tfjs = await import('./tfjs.ts');
  const backend = await tfjs.initBackend();
  const model = tfjs.buildTfjsModel(spec);
  return { inputs: spec.inputs, outputs: spec.outputs, runtime: `tfjs/${backend}`, predict: (x, rows) => tfjs.predictTfjs(model, x, rows, spec.inputs) };
}

/** A folder means its model.json. */
async function modelFile(path: string): Promise<string> {
  const info = await stat(path).catch(() => undefined);
  if (!info) {
    throw new ModelError(`model ${path} does not exist`, {
      hint: path.endsWith('.json') ? 'Run the notebook that writes it (repro run), or point the service at an .h5 file.' : 'Run `repro fetch` to put the data files in place.',
    });
  }
  return info.isDirectory() ? join(path, 'model.json') : path;
}
