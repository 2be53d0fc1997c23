// Runs bench/reference/starcraft_sklearn.py (the scikit-learn + xgboost port of the StarCraft loop) and reads
// its one-line JSON answer. Every library is held to one thread per process; `processes` is its thread count.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const PYTHON = '/usr/bin/python3'; // Debian's, with python3-sklearn and python3-xgboost (not a pyenv shim)
const SCRIPT = fileURLToPath(new URL('./starcraft_sklearn.py', import.meta.url));
const MODELS = ['boosted_trees', 'knn_as_published', 'knn_corrected', 'multinomial_logistic', 'cart'] as const;

export interface PortResult {
  processes: number;
  frames: number;
  /** seconds: the loop's wall time, and CPU time of all its processes */
  wall: number;
  cpu: number;
  /** fit + predict seconds per model, summed over frames (and processes) */
  seconds: Record<string, number>;
  /** mean accuracy over frames per model */
  accuracy: Record<string, number>;
  versions: Record<string, string>;
}

const isNumberRecord = (v: unknown): v is Record<string, number> =>
  typeof v === 'object' && v !== null && MODELS.every((m) => typeof (v as Record<string, unknown>)[m] === 'number');

/** The port's answer, checked: the last line of its output must be the JSON object it prints. */
export function parsePortOutput(stdout: string): PortResult {
  const line = stdout.trim().split('\n').at(-1) ?? '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new Error(`the scikit-learn port printed no JSON result (last line: ${JSON.stringify(line.slice(0, 200))})`);
  }
  const r = parsed as Partial<PortResult>;
  const numbers = [r.processes, r.frames, r.wall, r.cpu];
  if (!numbers.every((n) => typeof n === 'number' && Number.isFinite(n) && n >= 0) || !isNumberRecord(r.seconds) || !isNumberRecord(r.accuracy)) {
    throw new Error(`the scikit-learn port's result lacks fields (processes, frames, wall, cpu, seconds and accuracy per model): ${line.slice(0, 200)}`);
  }
  return { versions: {}, ...r } as PortResult;
}

/** Why the port cannot run here, or undefined when it can. */
export function portMissing(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import sklearn, xgboost, scipy'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return `${PYTHON} with scikit-learn and xgboost is missing (apt-get install -y python3-sklearn python3-xgboost)`;
  return undefined;
}

/** Runs the port over `processes` processes of one thread each. */
export function runPort(dataFile: string, seed: number, processes: number): PortResult {
  const oneThread = { OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1', OMP_THREAD_LIMIT: '1' };
  const result = spawnSync(PYTHON, [SCRIPT, dataFile, String(seed), String(processes)], {
    encoding: 'utf8', env: { ...process.env, ...oneThread }, maxBuffer: 16 * 1024 * 1024,
  });
  if (result.error) throw new Error(`could not run ${PYTHON}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`the scikit-learn port failed (exit ${result.status}): ${result.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return parsePortOutput(result.stdout);
}
