// The project's image for container runs and the lab: `repro build`'s code, a no-op when the image exists.
import type { Progress } from '../cli/progress.ts';
import type { Engine } from '../engine/index.ts';
import type { LoadedManifest } from '../manifest/load.ts';

export interface ImageRequest {
  projectDir: string;
  loaded: LoadedManifest;
  engine: Engine;
  progress: Progress;
}

/** Builds the image if needed (stale lock → exit 2, build failure → exit 3) and returns its tag. */
export async function ensureProjectImage(request: ImageRequest): Promise<string> {
  const { buildProjectImage } = await import('../render/index.ts');
  const result = await buildProjectImage(request);
  if (result.built) request.progress.log(`built ${result.tag}`);
  return result.tag;
}
