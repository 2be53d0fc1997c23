// Runs entrypoints inside the project's image (filled in once src/engine/ and `repro build` land).
import { EngineError } from '../errors.ts';
import type { Entrypoint } from '../manifest/schema.ts';
import type { NotebookResult, RunOptions } from './types.ts';

export async function runInContainer(_options: RunOptions, _entrypoints: Entrypoint[]): Promise<NotebookResult[]> {
  throw new EngineError('running in the container is not available yet', { hint: 'Use --engine local.' });
}
