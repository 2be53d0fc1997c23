// Where notebooks run: in a container unless the user asked for this machine. With no engine answering, that is an
// environment error with the fix, never a silent run of someone else's code on the host.
import { EngineError } from '../errors.ts';
import { insideContainer } from './memory.ts';

export interface EngineNotice {
  log(text: string): void;
}

export async function chooseEngine(requested: 'docker' | 'local', progress: EngineNotice): Promise<'docker' | 'local'> {
  if (requested === 'local') {
    // Inside repro's own image the container is already the boundary; on a host, say what --engine local means.
    if (!insideContainer()) progress.log('--engine local: the notebooks run on this machine, with no container around them');
    return 'local';
  }
  const { connectEngine } = await import('../engine/index.ts');
  try {
    await connectEngine({ timeoutMs: 5000 });
    return 'docker';
  } catch (error) {
    if (!(error instanceof EngineError)) throw error;
    throw new EngineError(error.message, {
      hint: [
        'Notebooks run in a container unless you ask otherwise. Start a Docker engine (e.g. `sudo dockerd &`), or run',
        'them on this machine with --engine local: only for code you trust, as it then runs with your rights.',
      ].join(' '),
      cause: error,
    });
  }
}
