// The project's image for container runs: built by `repro build`'s code when missing (a no-op when it exists).
import { EngineError } from '../errors.ts';
import type { Engine } from '../engine/index.ts';
import type { Progress } from '../cli/progress.ts';
import type { Manifest } from '../manifest/schema.ts';

export interface ImageRequest {
  projectDir: string;
  loaded: { manifest: Manifest };
  engine: Engine;
  progress: Progress;
}

/** Returns the image reference to run. Wired to the build stage once it lands (see docs/architecture.md). */
export async function ensureProjectImage(request: ImageRequest): Promise<string> {
  void request;
  throw new EngineError('running in the container needs `repro build`, which is not available yet', {
    hint: 'Use --engine local for now.',
  });
}
