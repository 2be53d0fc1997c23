// The StarCraft protocol end to end: 49 frames × 5 models (fit + predict), as the notebook runs it, against a
// scikit-learn + xgboost port of the same loop (bench/reference/starcraft_sklearn.py), in the same run and back
// to back: one thread on each side, then two (TypeScript: the notebook's two threads, the calling one and a worker;
// Python: two processes of one thread each, taking frames the same way). Prints wall and CPU time per model and overall,
// the ratios TypeScript / Python, peak memory and the load average (the machine may be shared).
// Run: npx tsx bench/starcraft.ts [seed]   (needs data/scmPvT_Protoss_Mid.csv: `repro fetch`; the reference
// needs Debian's python3-sklearn and python3-xgboost, /usr/bin/python3)
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { censor, loadGames, publishedFrames } from '../notebooks/lib/starcraft/data.ts';
import { MODELS, type ModelName } from '../notebooks/lib/starcraft/models.ts';
import { accuracyTableParallel } from '../notebooks/lib/starcraft/parallel.ts';
import { accuracyTable, fitAll, frameSplit } from '../notebooks/lib/starcraft/protocol.ts';
import { type PortResult, portMissing, runPort } from './reference/sklearn-port.ts';

const DATA = 'data/scmPvT_Protoss_Mid.csv';
if (!existsSync(DATA)) {
  console.error(`${DATA} is missing: run \`REPRO_DATA_MIRROR=../shared/data node bin/repro.js fetch\` first`);
  process.exit(2);
}
const seed = Number(process.argv[2] ?? 42);
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const loadBefore = load();
const games = loadGames(DATA);
interface Times { fit: number; predict: number; cpu: number }
const perModel = new Map<ModelName, Times>(MODELS.map((m) => [m, { fit: 0, predict: 0, cpu: 0 }]));
let peakHeap = 0;

// TypeScript, one thread (the main one), per model.
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (const frame of publishedFrames()) {
  const x = censor(games.features, frame);
  for (const fitted of fitAll(games, x, frameSplit(games, seed, frame), seed, frame)) {
    const t = perModel.get(fitted.model) as Times;
    t.fit += fitted.fitMs;
    t.predict += fitted.predictMs;
    t.cpu += fitted.cpuMs;
  }
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
}
const wall1 = (performance.now() - t0) / 1000;
const cpuUsed = process.cpuUsage(cpu0);
const cpu1 = (cpuUsed.user + cpuUsed.system) / 1e6;
// TypeScript, two threads (this one and a worker), as the notebook computes the table (worker start-up included).
const cpuStart2 = process.cpuUsage();
const t1 = performance.now();
const parallel = await accuracyTableParallel(DATA, publishedFrames(), seed, 2);
const wall2 = (performance.now() - t1) / 1000;
const cpuUsed2 = process.cpuUsage(cpuStart2); // the whole process: main and worker threads
const cpu2 = (cpuUsed2.user + cpuUsed2.system) / 1e6;
const sameTable = JSON.stringify(parallel) === JSON.stringify(accuracyTable(games, publishedFrames(), seed));
// The scikit-learn + xgboost port, one process then two.
const missing = portMissing();
const port1: PortResult | undefined = missing ? undefined : runPort(DATA, seed, 1);
const port2: PortResult | undefined = missing ? undefined : runPort(DATA, seed, 2);
const loadAfter = load();

const s = (seconds: number) => seconds.toFixed(2);
console.log(`StarCraft protocol: ${publishedFrames().length} frames × ${MODELS.length} models, ${games.features.rows} games, seed ${seed}\n`);
console.log('| model                | TS fit, wall (s) | TS predict, wall (s) | TS total, CPU (s) | Python fit + predict, wall (s) |');
console.log('| -------------------- | ---------------- | -------------------- | ----------------- | ------------------------------ |');
for (const [model, t] of perModel) {
  const py = port1 ? s(port1.seconds[model]) : '–';
  console.log(`| ${model.padEnd(20)} | ${s(t.fit / 1000).padStart(16)} | ${s(t.predict / 1000).padStart(20)} | ${s(t.cpu / 1000).padStart(17)} | ${py.padStart(30)} |`);
}
console.log('\n(per model: one thread each side; the Python column times each fit + predict call in its loop)\n');
console.log('| threads | TS wall (s) | Python wall (s) | ratio TS / Python, wall | TS CPU (s) | Python CPU (s) | ratio, CPU |');
console.log('| ------- | ----------- | --------------- | ----------------------- | ---------- | -------------- | ---------- |');
const ratio = (ts: number, py: number | undefined) => (py ? (ts / py).toFixed(3) : '–');
const row = (threads: number, wall: number, cpu: number, py: PortResult | undefined) =>
  console.log(`| ${String(threads).padEnd(7)} | ${s(wall).padStart(11)} | ${(py ? s(py.wall) : '–').padStart(15)} | ${ratio(wall, py?.wall).padStart(23)} | ${s(cpu).padStart(10)} | ${(py ? s(py.cpu) : '–').padStart(14)} | ${ratio(cpu, py?.cpu).padStart(10)} |`);
row(1, wall1, cpu1, port1);
row(2, wall2, cpu2, port2);
console.log('');
console.log('TypeScript: 1 thread = the main thread; 2 threads = the main thread and a worker thread (frames taken one at a time, the worker\'s start-up included).');
console.log('Python: 1 or 2 processes (fork), each held to one thread (OMP/OpenBLAS/MKL = 1, xgboost nthread = 1).');
if (missing) console.log(`Python port skipped: ${missing}`);
else console.log(`Python: scikit-learn ${port1?.versions.sklearn}, xgboost ${port1?.versions.xgboost}, numpy ${port1?.versions.numpy}.`);
if (port1) {
  const accuracies = MODELS.map((m) => `${m} ${port1.accuracy[m].toFixed(3)}`).join(', ');
  console.log(`Python mean accuracies (its own splits, so not the notebook's figures): ${accuracies}.`);
}
console.log('');
console.log('| measure                                  | value |');
console.log('| ---------------------------------------- | ----- |');
console.log(`| 2-thread table identical to 1-thread one  | ${sameTable ? 'yes' : 'NO'} |`);
console.log(`| peak RSS, all threads (MB)               | ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} |`);
console.log(`| peak heap, main thread (MB)              | ${(peakHeap / 1024 / 1024).toFixed(0)} |`);
console.log(`| load average (1, 5, 15 min), before      | ${loadBefore} |`);
console.log(`| load average (1, 5, 15 min), after       | ${loadAfter} |`);
if (!sameTable) process.exitCode = 1;
