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

// The bundle defines module.exports (CommonJS); the worker evaluates it and runs the frames it was given.
const RUNNER = `
const { parentPort, workerData } = require('node:worker_threads');
const { games, frames, seed } = workerData;
parentPort.postMessage(module.exports.accuracyTable(games, frames, seed));
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

function runWorker(games: Games, frames: number[], seed: number): Promise<AccuracyRow[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerScript(), { eval: true, workerData: { games, frames, seed } });
    let rows: AccuracyRow[] | undefined;
    worker.once('message', (message: AccuracyRow[]) => (rows = message));
    worker.once('error', reject);
    worker.once('exit', (code) => (rows && code === 0 ? resolve(rows) : reject(new Error(`accuracy worker exited with code ${code}`))));
  });
}

/** `accuracyTable` over `threads` worker threads (default: up to 2, the cores of the reference machine). */
export async function accuracyTableParallel(
  dataFile: string, frames: readonly number[], seed: number, threads = Math.min(2, availableParallelism()),
): Promise<AccuracyRow[]> {
  const games = loadGames(dataFile);
  if (threads <= 1 || frames.length < 2) return accuracyTable(games, frames, seed);
  // Late frames cost more (more non-zero features): deal them out from the most expensive down.
  const chunks: number[][] = Array.from({ length: threads }, () => []);
  [...frames].sort((a, b) => b - a).forEach((frame, i) => chunks[i % threads].push(frame));
  const parts = await Promise.all(chunks.filter((c) => c.length > 0).map((chunk) => runWorker(games, chunk, seed)));
  const order = (row: AccuracyRow) => MODELS.indexOf(row.model);
  return parts.flat().sort((a, b) => a.frame - b.frame || order(a) - order(b));
}
