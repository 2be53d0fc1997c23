// Which executor runs a sweep's points: this machine (local kernels or containers), or a cluster's scheduler.
import type { Progress } from '../cli/progress.ts';
import { UsageError } from '../errors.ts';
import type { LoadedManifest } from '../manifest/load.ts';
import type { RunEngine } from '../run/types.ts';
import { ensureProjectImage } from '../run/image.ts';
import type { SweepExecutor } from './executor.ts';
import { dockerExecutor, localExecutor } from './machine.ts';

export const sweepTargets = ['local', 'slurm', 'kubernetes'] as const;
export type SweepTarget = (typeof sweepTargets)[number];

export interface ExecutorRequest {
  on: SweepTarget;
  /** undefined: Docker if it answers, else podman. */
  engine?: RunEngine;
  projectDir: string;
  loaded: LoadedManifest;
  progress: Progress;
  /** Tests and benchmarks: this image, with the project mounted at mountProjectAt, instead of the project's build. */
  seams?: { image?: string; mountProjectAt?: string };
}

export interface ChosenExecutor {
  executor: SweepExecutor;
  /** The image points run in (docker, slurm), recorded in every point's spec. */
  image?: string;
}

export async function chooseExecutor(request: ExecutorRequest): Promise<ChosenExecutor> {
  if (request.on === 'kubernetes') {
    throw new UsageError('repro does not submit to Kubernetes itself', 'Print the Indexed Job with `repro sweep NAME --on kubernetes --dry-run` and apply it with kubectl.');
  }
  if (request.on === 'slurm') {
    if (request.engine === 'local') throw new UsageError('--on slurm runs each point in the project\'s image, not with --engine local', 'Leave out --engine local: repro sweep NAME --on slurm');
    const { createSlurmExecutor } = await import('../cluster/executor.ts');
    return createSlurmExecutor(request);
  }
  if (request.engine === 'local') return { executor: localExecutor };
  const { connectEngine } = await import('../engine/index.ts');
  const { ensureData } = await import('../data/index.ts');
  const engine = await connectEngine({ engine: request.engine });
  const image = request.seams?.image ?? (await ensureProjectImage({ projectDir: request.projectDir, loaded: request.loaded, engine, progress: request.progress }));
  const data = await ensureData(request.projectDir, request.loaded.manifest.data, { progress: request.progress });
  return { executor: dockerExecutor({ engine, image, data, mountProjectAt: request.seams?.mountProjectAt }), image };
}
