// The run stage's plain values: what runEntrypoints takes and what it returns per notebook.
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { Progress } from '../cli/progress.ts';
import { UsageError, type NotebookError } from '../errors.ts';
import type { LoadedManifest } from '../manifest/load.ts';
import type { Entrypoint } from '../manifest/schema.ts';
import type { EngineKind } from '../engine/types.ts';

/** Where notebooks run: a container engine, or this machine's own kernels (`--engine local`). */
export type RunEngine = EngineKind | 'local';

export interface RunOptions {
  /** The folder holding research.yaml. */
  projectDir: string;
  /** From loadManifest(projectDir). */
  loaded: LoadedManifest;
  engine: RunEngine;
  /** Run-folder root: outputs go to <outDir>/<entrypoint.outputs>. Default: into the project itself. */
  outDir?: string;
  /** Repository-relative notebook paths to run; default every entrypoint. */
  notebooks?: string[];
  /** Overrides for the cell tagged `parameters`. */
  parameters?: Record<string, unknown>;
  progress: Progress;
  /** Where a failed notebook's partial execution is kept. Default <projectDir>/.repro/failed/<run id>. */
  failedDir?: string;
  /** REPRO_SEED; default research.yaml's run.seed. */
  seed?: number;
  /** Owned by the CLI (Ctrl-C): aborting stops the run's containers. */
  signal?: AbortSignal;
}

export interface NotebookResult {
  /** Repository-relative notebook path, as in research.yaml. */
  notebook: string;
  /** entrypoint.outputs (repository-relative). */
  outputs: string;
  status: 'ok' | 'failed';
  /** Absolute folder the outputs were renamed into (status ok). */
  outputsDir?: string;
  /** Absolute path of the partial executed notebook (status failed). */
  failedNotebook?: string;
  /** Status failed: names the notebook and cell, exit code 1. */
  error?: NotebookError;
  /** 0-based index of the failing cell in the source notebook. */
  cellIndex?: number;
  ename?: string;
  evalue?: string;
  traceback?: string[];
  /** sha256:… id of the image the notebook ran in (container runs): the container's own, not its tag's. */
  imageId?: string;
  /** What went wrong around the notebook without failing it, e.g. processes it left running (killed). */
  warnings?: string[];
  elapsedMs: number;
}

/** Partial notebooks of one run: a folder of its own, so concurrent failing runs never overwrite each other's. */
export function defaultFailedDir(projectDir: string, now = new Date()): string {
  const time = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return join(resolve(projectDir), '.repro', 'failed', `${time}-${process.pid}-${randomBytes(3).toString('hex')}`);
}

export function selectEntrypoints(entrypoints: readonly Entrypoint[], notebooks: readonly string[] | undefined): Entrypoint[] {
  if (!notebooks || notebooks.length === 0) return [...entrypoints];
  return notebooks.map((wanted) => {
    const normal = wanted.replace(/^\.\//, '');
    const found = entrypoints.find((entry) => entry.notebook === normal);
    if (!found) {
      const known = entrypoints.map((entry) => entry.notebook).join(', ') || 'none';
      throw new UsageError(
        `${wanted} is not an entrypoint in research.yaml (entrypoints: ${known})`,
        'Add it under entrypoints: with the outputs folder it writes, then run it again.',
      );
    }
    return found;
  });
}
