// Plain (unpenalised by default) logistic regression fitted by Newton's method in float64: the
// baseline beside the network. Exact MLE, no learning rate to tune, deterministic.
import { Matrix, solve } from 'ml-matrix';
import type { Dataset } from './types.ts';

export interface LogisticModel {
  /** intercept first, then one coefficient per feature. */
  coefficients: number[];
  iterations: number;
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

function linear(coef: number[], x: Float32Array, row: number, features: number): number {
  let z = coef[0];
  for (let j = 0; j < features; j++) z += coef[j + 1] * x[row * features + j];
  return z;
}

export function fitLogistic(data: Dataset, options: { l2?: number; maxIterations?: number; tolerance?: number } = {}): LogisticModel {
  const l2 = options.l2 ?? 0;
  const maxIterations = options.maxIterations ?? 100;
  const tolerance = options.tolerance ?? 1e-10;
  const k = data.features + 1;
  let coef = new Array<number>(k).fill(0);
  for (let iter = 1; iter <= maxIterations; iter++) {
    const gradient = new Array<number>(k).fill(0);
    const hessian = Matrix.zeros(k, k);
    for (let i = 0; i < data.rows; i++) {
      const p = sigmoid(linear(coef, data.x, i, data.features));
      const w = p * (1 - p);
      const r = data.y[i] - p;
      for (let a = 0; a < k; a++) {
        const xa = a === 0 ? 1 : data.x[i * data.features + a - 1];
        gradient[a] += r * xa;
        for (let b = 0; b <= a; b++) {
          const xb = b === 0 ? 1 : data.x[i * data.features + b - 1];
          hessian.set(a, b, hessian.get(a, b) + w * xa * xb);
        }
      }
    }
    for (let a = 0; a < k; a++) {
      for (let b = 0; b < a; b++) hessian.set(b, a, hessian.get(a, b));
      // The ridge term leaves the intercept alone.
      if (a > 0) {
        gradient[a] -= l2 * coef[a];
        hessian.set(a, a, hessian.get(a, a) + l2);
      }
    }
    // On separable data the weights run off to infinity and the Hessian becomes singular.
    let step: number[];
    try {
      step = solve(hessian, Matrix.columnVector(gradient)).to1DArray();
    } catch {
      break;
    }
    if (!step.every(Number.isFinite)) break;
    coef = coef.map((c, a) => c + step[a]);
    if (Math.max(...step.map(Math.abs)) < tolerance) return { coefficients: coef, iterations: iter };
  }
  throw new Error(`logistic regression did not converge (${maxIterations} Newton steps at most) (separable data? try l2 > 0)`);
}

export function predictLogistic(model: LogisticModel, data: Dataset): Float64Array {
  const out = new Float64Array(data.rows);
  for (let i = 0; i < data.rows; i++) out[i] = sigmoid(linear(model.coefficients, data.x, i, data.features));
  return out;
}
