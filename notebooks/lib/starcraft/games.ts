// The StarCraft games as the models see them, without the CSV reader (data.ts), so that the code the
// worker threads run loads no native module: a matrix of first-appearance frames and the labels.
import { type Matrix, matrix } from './matrix.ts';

/** 24 frames per second of game time. */
export const FRAMES_PER_MINUTE = 24 * 60;

export interface Games {
  featureNames: string[];
  /** label names in R's factor order (sorted), so label k here is R's as.numeric(midBuild) − 1 */
  classNames: string[];
  features: Matrix;
  labels: Int32Array;
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
