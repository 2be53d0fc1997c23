// A sweep on disk: one folder per point under .repro/sweeps/<name>/<id>/ holding the point's run specification
// (spec.json), and once it ran its result (result.json), its outputs (out/) and a failed notebook (failed/).
import { readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { canonicalJson } from '../manifest/load.ts';
import type { Manifest, Sweep } from '../manifest/schema.ts';
import { specsFor } from '../run/results.ts';
import { readRunResultsIfAny, writeRunSpecs, type RunResult, type RunSpec } from '../run/spec.ts';
import type { PointPlan } from './executor.ts';
import { expandSweep, sweepOutputs } from './grid.ts';

export interface SweepPlan {
  name: string;
  sweep: Sweep;
  /** Absolute: .repro/sweeps/<name>. */
  stateRoot: string;
  /** Absolute: the sweep's outputs folder (summary.csv, bands.csv, band.svg). */
  outputsDir: string;
  /** Repository-relative outputs folder. */
  outputs: string;
  points: PointPlan[];
}

export type PointState = 'done' | 'failed' | 'missing';

export interface PointStatus {
  plan: PointPlan;
  state: PointState;
  result?: RunResult;
}

export function sweepStateRoot(projectDir: string, name: string): string {
  return join(resolve(projectDir), '.repro', 'sweeps', name);
}

/** The points of a sweep with their specs (paths relative to each point's folder); nothing is written. */
export function planSweep(projectDir: string, manifest: Manifest, name: string, sweep: Sweep, image?: RunSpec['image']): SweepPlan {
  const stateRoot = sweepStateRoot(projectDir, name);
  const entry = manifest.entrypoints.find((item) => item.notebook === sweep.notebook);
  const outputs = sweepOutputs(name, sweep);
  const points = expandSweep(manifest, name, sweep).map((point): PointPlan => {
    const dir = join(stateRoot, point.id);
    const [spec] = specsFor([{ ...(entry ?? { notebook: sweep.notebook }), outputs: 'out' }], {
      manifest,
      parameters: point.parameters,
      seed: point.seed,
      outDir: '.',
      failedDir: 'failed',
      ...(image ? { image } : {}),
    });
    return { ...point, dir, specFile: join(dir, 'spec.json'), resultFile: join(dir, 'result.json'), outputsDir: join(dir, 'out'), spec };
  });
  return { name, sweep, stateRoot, outputsDir: resolve(projectDir, outputs), outputs, points };
}

/**
 * Each point's state from its result file: done (ok), failed, or missing (never ran, or ran another spec: a result
 * counts only for the spec it was written for). `anyImage`: a plan made without the image (--status, which builds
 * nothing) counts a point run in any image, as a run would in the project's current one.
 */
export async function pointStatuses(plan: SweepPlan, options: { anyImage?: boolean } = {}): Promise<PointStatus[]> {
  return Promise.all(
    plan.points.map(async (point): Promise<PointStatus> => {
      const written = await readFile(point.specFile, 'utf8').catch(() => undefined);
      if (written === undefined || !sameSpec(written, point.spec, options.anyImage ?? false)) return { plan: point, state: 'missing' };
      const results = await readRunResultsIfAny(point.resultFile).catch(() => undefined);
      const result = results?.[0];
      if (!result) return { plan: point, state: 'missing' };
      return { plan: point, state: result.status === 'ok' ? 'done' : 'failed', result };
    }),
  );
}

/** Clears a point's folder of an earlier run and writes its spec. */
export async function preparePoint(point: PointPlan): Promise<void> {
  await rm(point.dir, { recursive: true, force: true });
  await writeRunSpecs(point.specFile, [point.spec]);
}

function sameSpec(text: string, spec: RunSpec, anyImage: boolean): boolean {
  try {
    const parsed = JSON.parse(text) as { runs?: Array<Record<string, unknown>> };
    const written = parsed.runs?.[0];
    if (parsed.runs?.length !== 1 || written === undefined) return false;
    // Another image, engine, seed or time limit is another run: its old result does not count.
    if (!anyImage) return canonicalJson(written) === canonicalJson(spec);
    const { image: _written, ...writtenRest } = written;
    const { image: _planned, ...plannedRest } = spec;
    return canonicalJson(writtenRest) === canonicalJson(plannedRest);
  } catch {
    return false;
  }
}
