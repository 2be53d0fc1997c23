// The seam between a sweep and where its points run: this machine (local kernels or containers, -j N at once),
// a Slurm job array, a Kubernetes Indexed Job. An executor gets plans (a spec file written, a result file to fill)
// and reports each point's outcome as it ends; it never aggregates, and it stops when the signal aborts.
import type { Progress } from '../cli/progress.ts';
import type { LoadedManifest } from '../manifest/load.ts';
import type { RunResult, RunSpec } from '../run/spec.ts';

/** One point, ready to run: its folder holds spec.json; the run writes result.json and out/ there. */
export interface PointPlan {
  /** Stable, filename-safe id: the same parameters and seed always give the same id. */
  id: string;
  /** 0-based position in the sweep's grid order (a job array's task index / a Job's completion index). */
  index: number;
  parameters: Record<string, unknown>;
  seed: number;
  /** Absolute folder of the point: .repro/sweeps/<name>/<id>/ (on a cluster: the shared folder's copy). */
  dir: string;
  /** <dir>/spec.json: a run specification file whose paths are relative to <dir>. */
  specFile: string;
  /** <dir>/result.json: written by `repro run --spec … --result …`. */
  resultFile: string;
  /** <dir>/out: the point's outputs (REPRO_OUTPUTS); the metrics file is read from here. */
  outputsDir: string;
  /** The spec inside specFile. */
  spec: RunSpec;
}

export interface ExecutorOptions {
  projectDir: string;
  loaded: LoadedManifest;
  /** Points at once. */
  jobs: number;
  progress: Progress;
  /** Aborted on Ctrl-C (owned by the CLI): stop what runs, cancel what is queued, then return. */
  signal: AbortSignal;
}

/** How one point ended. A run that could not even report (container died, node lost) is status failed with a message. */
export interface PointOutcome {
  id: string;
  result: RunResult;
  /** What the scheduler recorded (Slurm: job id, array task, exit code, node); written beside the result. */
  accounting?: Record<string, string>;
}

export interface SweepExecutor {
  /** For messages: "local", "docker", "slurm". */
  readonly name: string;
  /** Runs the points (already written to disk), yielding each outcome as it is known, in completion order. */
  run(points: readonly PointPlan[], options: ExecutorOptions): AsyncIterable<PointOutcome>;
}
