// Where notebooks run: in a container unless the user asked for this machine. With no engine answering, that is an
// environment error with the fix, never a silent run of someone else's code on the host.
import type { EngineKind } from '../engine/types.ts';
import { EngineError } from '../errors.ts';
import { insideContainer } from './memory.ts';
import type { RunEngine } from './types.ts';

export interface EngineNotice {
  log(text: string): void;
}

/** `--engine` as given (undefined: Docker if it answers, else podman) → the engine the run uses. */
export async function chooseEngine(requested: RunEngine | undefined, progress: EngineNotice): Promise<RunEngine> {
  if (requested === 'local') {
    // Inside repro's own image the container is already the boundary; on a host, say what --engine local means.
    if (!insideContainer()) progress.log('--engine local: the notebooks run on this machine, with no container around them');
    return 'local';
  }
  const { connectEngine, noEngineHint } = await import('../engine/index.ts');
  try {
    const engine = await connectEngine({ engine: requested, timeoutMs: 5000 });
    return engine.kind satisfies EngineKind;
  } catch (error) {
    if (!(error instanceof EngineError)) throw error;
    const start = noEngineHint(requested ?? 'auto').replace(/[,;] or use --engine local$/, '');
    throw new EngineError(error.message, {
      hint: [
        `Notebooks run in a container unless you ask otherwise. ${start[0].toUpperCase()}${start.slice(1)}; or run`,
        'them on this machine with --engine local: only for code you trust, as it then runs with your rights.',
      ].join(' '),
      cause: error,
    });
  }
}
