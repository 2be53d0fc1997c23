// Test helpers shared by the games tests: where the original games.h5 lives, and a small
// synthetic data set with a known signal.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Dataset } from './types.ts';
import { Rng } from './rng.ts';

const ROOT = resolve(import.meta.dirname, '../../..');

/** data/<file> in the project, else the data mirror (REPRO_DATA_MIRROR, default ../shared/data). */
export function dataFile(file: string): string {
  const candidates = [join(ROOT, 'data', file), ...(process.env.REPRO_DATA_MIRROR ?? '../shared/data').split(':').map((d) => resolve(ROOT, d, file))];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`${file} not found in ${candidates.join(', ')}; copy it to data/ or set REPRO_DATA_MIRROR`);
  return found;
}

/** Binary features; the label is 1 with probability sigmoid(2*x0 - 2*x1 - 0.5). */
export function syntheticDataset(rows: number, features: number, seed: number): Dataset {
  const rng = new Rng(seed);
  const x = new Float32Array(rows * features);
  const y = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < features; j++) x[i * features + j] = rng.next() < 0.4 ? 1 : 0;
    const z = 2 * x[i * features] - 2 * x[i * features + 1] - 0.5;
    y[i] = rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { x, y, rows, features };
}
