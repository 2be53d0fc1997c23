// Where the model tests find the shared data files: the first folder of REPRO_DATA_MIRROR, else ../shared/data
// relative to the repository root (never committed copies).
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export function dataFile(name: string): string {
  const mirror = (process.env.REPRO_DATA_MIRROR ?? '').split(':').find((entry) => entry !== '' && !/^https?:/.test(entry));
  return resolve(repoRoot, mirror ?? '../shared/data', name);
}

export const gamesH5 = dataFile('games.h5');
export const deployKerasH5 = dataFile('games-deploykeras.h5');

/** Every 0/1 combination of ten owned games: 1024 rows, row-major. */
export function allGameRows(): Float32Array {
  const x = new Float32Array(1024 * 10);
  for (let row = 0; row < 1024; row++) for (let g = 0; g < 10; g++) x[row * 10 + g] = (row >> g) & 1;
  return x;
}
