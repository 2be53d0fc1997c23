// The StarCraft build-order data (Weber & Mateas 2009): one row per game, 56 columns with the frame at which
// a building, unit or upgrade first appeared (0 = never), and the build-order label `midBuild`.
import pl from 'nodejs-polars';
import { type Matrix, matrix } from './matrix.ts';

export const LABEL = 'midBuild';
/** 24 frames per second of game time. */
export const FRAMES_PER_MINUTE = 24 * 60;

export interface Games {
  featureNames: string[];
  /** label names in R's factor order (sorted), so label k here is R's as.numeric(midBuild) − 1 */
  classNames: string[];
  features: Matrix;
  labels: Int32Array;
}

export function loadGames(path: string): Games {
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

/** The features as seen at `frame`: anything that first appeared later is "not seen yet" (0). */
export function censor(features: Matrix, frame: number): Matrix {
  const out = matrix(features.rows, features.cols, Float64Array.from(features.values));
  for (let k = 0; k < out.values.length; k++) if (out.values[k] > frame) out.values[k] = 0;
  return out;
}

/** 17280, 16920, …, 0: every 15 s from minute 12 down to the start, as the published loop. */
export function publishedFrames(): number[] {
  const frames: number[] = [];
  for (let frame = 17280; frame >= 0; frame -= 360) frames.push(frame);
  return frames;
}
