// Ctrl-C belongs to the command line: the first SIGINT/SIGTERM aborts the command's AbortSignal (its stages stop
// their containers, kernels and cluster jobs and return), a second one exits at once. Library modules take the
// signal; none of them installs a process-wide handler of its own for it.
import { ReproError } from '../errors.ts';

/** 128 + the signal's number, as a shell reports it. */
const exitCodes: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

export class InterruptedError extends ReproError {
  constructor(signal: NodeJS.Signals) {
    super(`interrupted (${signal}): stopped what was running`, { exitCode: exitCodes[signal] ?? 130, hint: 'Run the command again to go on; `repro sweep NAME --resume` re-runs only the points that did not finish.' });
  }
}

/**
 * Runs `work` with a signal that aborts on SIGINT/SIGTERM. When it was aborted, the work's own outcome (usually an
 * error from what was stopped) gives way to an InterruptedError with exit code 130 (143 for SIGTERM).
 */
export async function withInterrupts<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (received !== undefined) process.exit(exitCodes[signal] ?? 130);
    received = signal;
    process.stderr.write(`\nrepro: ${signal}: stopping (again to quit at once)\n`);
    controller.abort(new InterruptedError(signal));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const result = await work(controller.signal);
    if (received !== undefined) throw new InterruptedError(received);
    return result;
  } catch (error) {
    if (received !== undefined) throw new InterruptedError(received);
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
