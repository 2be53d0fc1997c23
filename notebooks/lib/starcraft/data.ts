// The StarCraft build-order data (Weber & Mateas 2009): one row per game, 56 columns with the frame at which
// a building, unit or upgrade first appeared (0 = never), and the build-order label `midBuild`.
import { existsSync } from 'node:fs';
import pl from 'nodejs-polars';
import { type Games } from './games.ts';
import { matrix } from './matrix.ts';

export { censor, FRAMES_PER_MINUTE, type Games, publishedFrames } from './games.ts';

export const LABEL = 'midBuild';

export function loadGames(path: string): Games {
  // polars' own message names no file: say which one is missing, and how it comes.
  if (!existsSync(path)) throw new Error(`${path} does not exist: the data are fetched (and checked against research.yaml's sha256) by \`repro fetch\``);
  const df = pl.readCSV(path);
  const featureNames = df.columns.filter((name) => name !== LABEL);
  const rawLabels = df.getColumn(LABEL).toArray() as string[];
  const classNames = [...new Set(rawLabels)].sort();
  const features = matrix(df.height, featureNames.length);
  featureNames.forEach((name, j) => {
    const column = df.getColumn(name).toArray() as number[];
    column.forEach((v, i) => (features.values[i * featureNames.length + j] = Number(v)));
  });
  const labels = Int32Array.from(rawLabels, (name) => classNames.indexOf(name));
  return { featureNames, classNames, features, labels };
}
