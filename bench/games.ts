// Games model: training time per epoch on the wasm backend (1 thread) and the peak memory of
// the process, for the recipe the notebook runs. `GAMES_BENCH_EPOCHS` (default 10) bounds the run.
import { resolve } from 'node:path';
import { games } from '../notebooks/lib/games/notebook.ts';

const root = resolve(import.meta.dirname, '..');
const epochs = Number(process.env.GAMES_BENCH_EPOCHS ?? 10);
const mirror = (process.env.REPRO_DATA_MIRROR ?? '../shared/data').split(':')[0];
const dataFile = (name: string) => resolve(root, process.env.GAMES_BENCH_DATA ?? mirror, name);

const started = performance.now();
await games.useWasmBackend();
const inputs = await games.loadInputs(dataFile('games-expand.csv'), dataFile('games.h5'));
const loaded = performance.now();
const epochTimes: number[] = [];
let last = performance.now();
const run = games.trainNetwork(inputs, 'validation_split', {
  epochs,
  batchSize: 100,
  seed: 42,
  onEpoch: () => {
    const now = performance.now();
    epochTimes.push(now - last);
    last = now;
  },
});
const trained = performance.now();
const sorted = [...epochTimes].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)];
const rows: [string, string][] = [
  ['setup (backend, CSV, games.h5)', `${((loaded - started) / 1000).toFixed(2)} s`],
  [`training, ${epochs} epochs (18,324 rows, batch 100)`, `${((trained - loaded) / 1000).toFixed(2)} s`],
  ['median epoch (incl. validation loss)', `${(median / 1000).toFixed(3)} s`],
  ['projected 100 epochs', `${((median * 100) / 1000).toFixed(0)} s`],
  ['peak RSS', `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`],
  [`validation ROC AUC after ${epochs} epochs`, run.rocAuc.toFixed(4)],
];
console.log('| measure | value |\n| --- | ---: |');
for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
