// Where notebooks run when the docker engine was asked for: there if one answers, else on this machine, said out loud.
import { EngineError } from '../errors.ts';

export interface EngineNotice {
  log(text: string): void;
}

export async function dockerOrLocal(progress: EngineNotice): Promise<'docker' | 'local'> {
  const { connectEngine } = await import('../engine/index.ts');
  try {
    await connectEngine({ timeoutMs: 5000 });
    return 'docker';
  } catch (error) {
    if (!(error instanceof EngineError)) throw error;
    progress.log(`${error.message}; running the notebooks locally instead (--engine local)`);
    return 'local';
  }
}
