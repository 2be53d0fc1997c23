// The types the notebook sees. This file must not import other local modules: the notebook
// kernel (tslab) type-checks what a cell imports with its own compiler settings, which refuse
// the explicit `.ts` import paths the rest of the lib uses, so the notebook imports only this.
import type * as tf from '@tensorflow/tfjs';

export interface Dataset {
  /** Row-major features, rows × features. */
  x: Float32Array;
  y: Float32Array;
  rows: number;
  features: number;
}

export type Activation = 'relu' | 'sigmoid' | 'linear' | 'tanh';

export interface VarianceScalingSpec {
  scale: number;
  mode: 'fan_in' | 'fan_out' | 'fan_avg';
  distribution: 'uniform' | 'normal';
}

export type LayerSpec =
  | { kind: 'dense'; name: string; units: number; activation: Activation; useBias: boolean; kernelInitializer: VarianceScalingSpec }
  | { kind: 'dropout'; name: string; rate: number };

export interface SequentialSpec {
  name: string;
  inputDim: number;
  layers: LayerSpec[];
}

export interface EpochLog {
  epoch: number;
  loss: number;
  valLoss: number | null;
}

export interface RocPoint {
  threshold: number;
  fpr: number;
  tpr: number;
}

/** validation_split: Keras' last 20% in file order; first_5000: the first 5000 rows held out. */
export type Protocol = 'validation_split' | 'first_5000';

export interface SplitSummary {
  protocol: Protocol;
  description: string;
  trainRows: number;
  validationRows: number;
  validationPositives: number;
}

export interface Scored {
  split: SplitSummary;
  rocAuc: number;
  logLoss: number;
  roc: RocPoint[];
}

export interface NetworkRun extends Scored {
  history: EpochLog[];
  model: tf.Sequential;
  spec: SequentialSpec;
}

export interface BaselineRun extends Scored {
  /** intercept first, then G1..G10. */
  coefficients: number[];
}

export interface GamesInputs {
  csvPath: string;
  h5Path: string;
  data: Dataset;
  spec: SequentialSpec;
  positives: number;
}

export interface TrainSettings {
  epochs: number;
  batchSize: number;
  seed: number;
  onEpoch?: (log: EpochLog) => void;
}

export interface Report {
  /** What useWasmBackend() returned: version, SIMD or not, threads. */
  backend: string;
  inputs: GamesInputs;
  settings: TrainSettings;
  main: NetworkRun;
  mainBaseline: BaselineRun;
  strict: NetworkRun;
  strictBaseline: BaselineRun;
}

/** What notebooks/games-model.ipynb calls; implemented in notebook.ts. */
export interface GamesNotebook {
  useWasmBackend(): Promise<string>;
  loadInputs(csvPath: string, h5Path: string): Promise<GamesInputs>;
  describeLayers(spec: SequentialSpec): string;
  /** Markdown: buy rates per part of each split, overall and for users who own none of the games. */
  blockTable(inputs: GamesInputs): string;
  trainNetwork(inputs: GamesInputs, protocol: Protocol, settings: TrainSettings): NetworkRun;
  fitBaseline(inputs: GamesInputs, protocol: Protocol): BaselineRun;
  /** Saves in tfjs format and reloads; returns the files and the largest prediction difference. */
  saveModel(run: NetworkRun, inputs: GamesInputs, dir: string): Promise<{ files: string[]; maxRoundTripDifference: number }>;
  /** metrics.json, training-curve.csv/.svg/.png, roc-curve.csv/.svg/.png; returns the file names. */
  writeReport(report: Report, dir: string): Promise<{ files: string[]; trainingCurveSvg: string; rocCurveSvg: string }>;
  comparisonTable(report: Report): string;
}
