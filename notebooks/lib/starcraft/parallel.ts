// The accuracy table computed by worker threads, frames dealt out among them. Each frame's result
// depends only on (seed, frame), so the table is the same bytes whatever the number of threads.
// The main thread reads the CSV once and hands the workers the games; the workers run this folder's
// protocol bundled into one script by esbuild (tsx's own compiler, in the notebooks' lockfile), once per
// process: a worker then starts in milliseconds, without a TypeScript loader or the CSV reader's native module.
import { buildSync } from 'esbuild';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { loadGames } from './data.ts';
import { type Games } from './games.ts';
import { MODELS } from './models.ts';
import { type AccuracyRow, accuracyTable } from './protocol.ts';

// The bundle defines module.exports (CommonJS); the worker evaluates it, waits for the games, then takes
// frames from the shared list one at a time (an atomic counter: the next frame goes to whichever thread is free,
// so neither waits for the other at the end however the frames' costs or the machine's load fall) and sends
// back its rows. A frame's rows depend only on (games, frame, seed), not on which thread computed it or after
// which other frames, so the table is the same.
const RUNNER = `
const { parentPort, workerData } = require('node:worker_threads');
const { frames, seed, next } = workerData;
const taken = new Int32Array(next);
parentPort.once('message', (games) => {
  const rows = [];
  for (let i; (i = Atomics.add(taken, 0, 1)) < frames.length; ) rows.push(...module.exports.accuracyTable(games, [frames[i]], seed));
  parentPort.postMessage(rows);
});
`;

let bundle: string | undefined;

/** protocol.ts and what it imports, as one CommonJS script (built on first use). */
export function workerScript(): string {
  if (bundle === undefined) {
    const url = new URL('./protocol.ts', import.meta.url);
    url.search = ''; // tsx may tag the importer's URL with a namespace query
    const built = buildSync({ entryPoints: [fileURLToPath(url)], bundle: true, platform: 'node', format: 'cjs', write: false, logLevel: 'silent' });
    bundle = `const module = { exports: {} };\n(function (exports, module) {\n${built.outputFiles[0].text}\n})(module.exports, module);\n${RUNNER}`;
  }
  return bundle;
}

/** A started worker (it boots while the caller reads the CSV) and its rows once it is given the games. */
function startWorker(
  frames: readonly number[], seed: number, next: SharedArrayBuffer,
): { start(games: Games): void; stop(): void; rows: Promise<AccuracyRow[]> } {
  const worker = new Worker(workerScript(), { eval: true, workerData: { frames, seed, next } });
  const rows = new Promise<AccuracyRow[]>((resolve, reject) => {
    let message: AccuracyRow[] | undefined;
    worker.once('message', (m: AccuracyRow[]) => (message = m));
    worker.once('error', reject);
    worker.once('exit', (code) => (message && code === 0 ? resolve(message) : reject(new Error(`accuracy worker exited with code ${code}`))));
  });
  return {
    start: (games) => worker.postMessage(games),
    // A worker never given the games would wait for them for ever (and keep the process alive): stopped instead.
    stop: () => {
      rows.catch(() => undefined);
      void worker.terminate();
    },
    rows,
  };
}

/** `accuracyTable` over `threads` worker threads (default: up to 2, the cores of the reference machine). */
export async function accuracyTableParallel(
  dataFile: string, frames: readonly number[], seed: number, threads = Math.min(2, availableParallelism()),
): Promise<AccuracyRow[]> {
  if (threads <= 1 || frames.length < 2) return accuracyTable(loadGames(dataFile), frames, seed);
  // Late frames cost more (more non-zero features): they are taken from the most expensive down, so the last
  // ones taken are the cheapest. The workers start first and boot while this thread reads the CSV.
  const byCost = [...frames].sort((a, b) => b - a);
  const next = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
  const workers = Array.from({ length: Math.min(threads, frames.length) }, () => startWorker(byCost, seed, next));
  let games: Games;
  try {
    games = loadGames(dataFile);
  } catch (error) {
    for (const worker of workers) worker.stop();
    throw error;
  }
  for (const worker of workers) worker.start(games);
  const parts = await Promise.all(workers.map((worker) => worker.rows));
  const order = (row: AccuracyRow) => MODELS.indexOf(row.model);
  return parts.flat().sort((a, b) => a.frame - b.frame || order(a) - order(b));
}
