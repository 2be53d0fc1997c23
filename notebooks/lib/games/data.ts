// Loads games-expand.csv: G1..G10 (owns game i, 0/1) as features, `label` as the target.
import pl from 'nodejs-polars';
import type { Dataset } from './types.ts';

export const FEATURES = ['G1', 'G2', 'G3', 'G4', 'G5', 'G6', 'G7', 'G8', 'G9', 'G10'] as const;

export function loadGames(csvPath: string): Dataset {
  const df = pl.readCSV(csvPath);
  const missing = [...FEATURES, 'label'].filter((c) => !df.columns.includes(c));
  if (missing.length > 0) throw new Error(`${csvPath}: missing column(s) ${missing.join(', ')}`);
  const rows = df.height;
  const x = new Float32Array(rows * FEATURES.length);
  FEATURES.forEach((name, j) => {
    const col = df.getColumn(name).toArray() as number[];
    for (let i = 0; i < rows; i++) x[i * FEATURES.length + j] = Number(col[i]);
  });
  const y = Float32Array.from(df.getColumn('label').toArray() as number[], Number);
  for (let i = 0; i < rows; i++) {
    if (y[i] !== 0 && y[i] !== 1) throw new Error(`${csvPath}: row ${i + 1} has label ${y[i]}, expected 0 or 1`);
  }
  return { x, y, rows, features: FEATURES.length };
}

export function countPositives(y: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < y.length; i++) if (y[i] === 1) n++;
  return n;
}
