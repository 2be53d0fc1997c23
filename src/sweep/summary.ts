// Writes a sweep's summary.csv, bands.csv and band.svg (and with a reference curve reference.csv and
// reference-share.csv) from its points' results and metrics files: into a fresh folder that then replaces the
// destination whole, so a reader never sees half a summary.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { swapFolder } from '../files/swap.ts';
import { bandsCsv, computeBands, readPointMetrics, summaryCsv, type PointMetrics } from './aggregate.ts';
import { bandSvg } from './figure.ts';
import type { PointStatus, SweepPlan } from './plan.ts';
import { checkReference, referenceCsv, referenceShareCsv, referenceShares, type SweepReference } from './reference.ts';

export interface WrittenSummary {
  dir: string;
  /** Points that ran but whose metrics could not be read, one line each. */
  problems: string[];
}

export async function collectMetrics(plan: SweepPlan, statuses: readonly PointStatus[]): Promise<PointMetrics[]> {
  return Promise.all(
    statuses.map(async ({ plan: point, state }): Promise<PointMetrics> => {
      const base = { id: point.id, parameters: point.parameters, seed: point.seed, state };
      if (state !== 'done') return { ...base, rows: [], problem: state === 'failed' ? 'the point failed' : 'the point has not run' };
      return { ...base, ...(await readPointMetrics(point.outputsDir, plan.sweep.metrics)) };
    }),
  );
}

/** The files' text by name, for a folder or a test. */
export function summaryTexts(plan: SweepPlan, points: readonly PointMetrics[], reference?: SweepReference): Record<string, string> {
  const parameterNames = Object.keys(plan.sweep.parameters);
  const { metrics } = plan.sweep;
  const bands = computeBands(points, parameterNames, metrics.fields);
  const checks = reference ? checkReference(bands, reference) : [];
  const texts: Record<string, string> = {
    'summary.csv': summaryCsv(points, parameterNames, metrics),
    'bands.csv': bandsCsv(bands, parameterNames, metrics.by),
    'band.svg': bandSvg(bands, [...parameterNames, ...metrics.by], metrics.fields, reference && { reference, shares: referenceShares(checks, reference) }),
  };
  if (reference) {
    texts['reference.csv'] = referenceCsv(checks, reference);
    texts['reference-share.csv'] = referenceShareCsv(referenceShares(checks, reference), reference);
  }
  return texts;
}

export async function writeSweepSummary(plan: SweepPlan, statuses: readonly PointStatus[], destination: string, reference?: SweepReference): Promise<WrittenSummary> {
  const points = await collectMetrics(plan, statuses);
  await mkdir(dirname(destination), { recursive: true });
  const staging = await mkdtemp(join(dirname(destination), `.${basename(destination)}.repro-`));
  try {
    for (const [file, text] of Object.entries(summaryTexts(plan, points, reference))) await writeFile(join(staging, file), text);
    await swapFolder(staging, destination);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  const problems = points.filter((point) => point.state === 'done' && point.problem).map((point) => `${point.id}: ${point.problem}`);
  return { dir: destination, problems };
}
