// The accuracy table computed by several threads, frames dealt out among them. Each frame's result
// depends only on (seed, frame), so the table is the same bytes whatever the number of threads.
// The calling thread reads the CSV once and is itself one of the threads; the others are workers that run
// this folder's protocol bundled into one script by esbuild (tsx's own compiler, in the notebooks' lockfile),
// once per process: a worker then starts in milliseconds, without a TypeScript loader or the CSV reader's
// native module.
import { build } from 'esbuild';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { loadGames } from './data.ts';
import { type Games } from './games.ts';
import { MODELS } from './models.ts';
import { type AccuracyRow, accuracyTable } from './protocol.ts';

// A worker starts with this script alone, so that Node boots it while esbuild builds the bundle and this thread
// reads the CSV; it is then sent the bundle (CommonJS: it defines module.exports) and the games, evaluates the
// bundle and takes frames from the shared list one at a time, as the calling thread does (an atomic counter: the
// next frame goes to whichever thread is free, so neither waits for the other at the end however the frames'
// costs or the machine's load fall), and sends back its rows. A frame's rows depend only on (games, frame, seed),
// not on which thread computed it or after which other frames, so the table is the same.
const RUNNER = `
const { parentPort, workerData } = require('node:worker_threads');
const { runInThisContext } = require('node:vm');
const { frames, seed, next } = workerData;
parentPort.once('message', ({ protocol, games }) => {
  const module = { exports: {} };
  runInThisContext('(function (exports, module, require) {\\n' + protocol + '\\n})', { filename: 'starcraft-protocol.cjs' })(module.exports, module, require);
  const taken = new Int32Array(next);
  const rows = [];
  for (let i; (i = Atomics.add(taken, 0, 1)) < frames.length; ) rows.push(...module.exports.accuracyTable(games, [frames[i]], seed));
  parentPort.postMessage(rows);
});
`;

let bundle: Promise<string> | undefined;

/**
 * protocol.ts and what it imports, as one CommonJS script (built on first use). esbuild's asynchronous API
 * builds it in esbuild's own process, so the calling thread reads the CSV meanwhile.
 */
export function protocolBundle(): Promise<string> {
  if (bundle === undefined) {
    const url = new URL('./protocol.ts', import.meta.url);
    url.search = ''; // tsx may tag the importer's URL with a namespace query
    bundle = build({ entryPoints: [fileURLToPath(url)], bundle: true, platform: 'node', format: 'cjs', write: false, logLevel: 'silent' })
      .then((built) => built.outputFiles[0].text);
    bundle.catch(() => (bundle = undefined)); // a failed build is tried again next time
  }
  return bundle;
}

/** A started worker (it boots while the caller builds the bundle and reads the CSV) and its rows once it is given them. */
function startWorker(
  frames: readonly number[], seed: number, next: SharedArrayBuffer,
): { start(protocol: string, games: Games): void; stop(): void; rows: Promise<AccuracyRow[]> } {
  const worker = new Worker(RUNNER, { eval: true, workerData: { frames, seed, next } });
  const rows = new Promise<AccuracyRow[]>((resolve, reject) => {
    let message: AccuracyRow[] | undefined;
    worker.once('message', (m: AccuracyRow[]) => (message = m));
    worker.once('error', reject);
    worker.once('exit', (code) => (message && code === 0 ? resolve(message) : reject(new Error(`accuracy worker exited with code ${code}`))));
  });
  return {
    start: (protocol, games) => worker.postMessage({ protocol, games }),
    // A worker never started would wait for ever (and keep the process alive): stopped instead.
    stop: () => {
      rows.catch(() => undefined);
      void worker.terminate();
    },
    rows,
  };
}

/** `accuracyTable` over `threads` threads, the calling one included (default: up to 2, the cores of the reference machine). */
export async function accuracyTableParallel(
  dataFile: string, frames: readonly number[], seed: number, threads = Math.min(2, availableParallelism()),
): Promise<AccuracyRow[]> {
  if (threads <= 1 || frames.length < 2) return accuracyTable(loadGames(dataFile), frames, seed);
  // Late frames cost more (more non-zero features): they are taken from the most expensive down, so the last
  // ones taken are the cheapest. This thread takes frames too (from its first, while the workers warm up), so
  // only threads − 1 workers start, each compiling and optimising the protocol's JavaScript again in its own V8.
  const byCost = [...frames].sort((a, b) => b - a);
  const next = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
  const protocol = protocolBundle();
  const workers = Array.from({ length: Math.min(threads, frames.length) - 1 }, () => startWorker(byCost, seed, next));
  const mine: AccuracyRow[] = [];
  try {
    const games = loadGames(dataFile);
    const script = await protocol;
    for (const worker of workers) worker.start(script, games);
    const taken = new Int32Array(next);
    for (let i; (i = Atomics.add(taken, 0, 1)) < byCost.length; ) mine.push(...accuracyTable(games, [byCost[i]], seed));
  } catch (error) {
    protocol.catch(() => undefined); // the build's own failure, if any, is reported by the next call
    for (const worker of workers) worker.stop();
    throw error;
  }
  const parts = await Promise.all(workers.map((worker) => worker.rows));
  const order = (row: AccuracyRow) => MODELS.indexOf(row.model);
  return [mine, ...parts].flat().sort((a, b) => a.frame - b.frame || order(a) - order(b));
}
