// The accuracy table computed by worker threads, frames dealt out among them. Each frame's result
// depends only on (seed, frame), so the table is the same bytes whatever the number of threads.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { loadGames } from './data.ts';
import { MODELS } from './models.ts';
import { type AccuracyRow, accuracyTable } from './protocol.ts';

// The worker loads this folder's TypeScript through tsx itself: a worker does not inherit the loader
// that tsx's tsImport (the notebook) registered in the main thread.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const { tsImport } = await import('tsx/esm/api');
  const lib = await tsImport(workerData.protocol, workerData.protocol);
  const data = await tsImport(workerData.data, workerData.data);
  parentPort.postMessage(lib.accuracyTable(data.loadGames(workerData.dataFile), workerData.frames, workerData.seed));
})().catch((error) => { throw error; });
`;

function moduleUrl(name: string): string {
  const url = new URL(name, import.meta.url);
  url.search = ''; // tsx may tag the importer's URL with a namespace query
  return url.href;
}

function runWorker(dataFile: string, frames: number[], seed: number): Promise<AccuracyRow[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, {
      eval: true,
      workerData: { protocol: moduleUrl('./protocol.ts'), data: moduleUrl('./data.ts'), dataFile, frames, seed },
    });
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
  if (threads <= 1 || frames.length < 2) return accuracyTable(loadGames(dataFile), frames, seed);
  // Late frames cost more (more non-zero features): deal them out from the most expensive down.
  const chunks: number[][] = Array.from({ length: threads }, () => []);
  [...frames].sort((a, b) => b - a).forEach((frame, i) => chunks[i % threads].push(frame));
  const parts = await Promise.all(chunks.filter((c) => c.length > 0).map((chunk) => runWorker(dataFile, chunk, seed)));
  const order = (row: AccuracyRow) => MODELS.indexOf(row.model);
  return parts.flat().sort((a, b) => a.frame - b.frame || order(a) - order(b));
}
