// The StarCraft protocol end to end: 49 frames × 5 models (fit + predict), as the notebook runs it.
// Prints wall and CPU time per model and overall (one thread, then two worker threads as the notebook
// runs it), and peak memory. References on a 2-core machine:
// the original R loop (no xgboost) ~45 s, a scikit-learn + xgboost port ~25 s.
// Run: npx tsx bench/starcraft.ts [seed]   (needs data/scmPvT_Protoss_Mid.csv: `repro fetch`)
import { existsSync } from 'node:fs';
import { censor, loadGames, publishedFrames } from '../notebooks/lib/starcraft/data.ts';
import { MODELS, type ModelName } from '../notebooks/lib/starcraft/models.ts';
import { accuracyTableParallel } from '../notebooks/lib/starcraft/parallel.ts';
import { fitAll, frameSplit } from '../notebooks/lib/starcraft/protocol.ts';

const DATA = 'data/scmPvT_Protoss_Mid.csv';
if (!existsSync(DATA)) {
  console.error(`${DATA} is missing: run \`REPRO_DATA_MIRROR=../shared/data node bin/repro.js fetch\` first`);
  process.exit(2);
}
const seed = Number(process.argv[2] ?? 42);
const games = loadGames(DATA);
interface Times { fit: number; predict: number; cpu: number }
const perModel = new Map<ModelName, Times>(MODELS.map((m) => [m, { fit: 0, predict: 0, cpu: 0 }]));
let peakHeap = 0;
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
const wall = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
// The same table as the notebook computes it: frames shared by two worker threads.
const t1 = performance.now();
await accuracyTableParallel(DATA, publishedFrames(), seed, 2);
const wallParallel = performance.now() - t1;
const seconds = (ms: number) => (ms / 1000).toFixed(2).padStart(8);

console.log(`StarCraft protocol: ${publishedFrames().length} frames × ${MODELS.length} models, ${games.features.rows} games, seed ${seed}\n`);
console.log('| model                | fit, wall (s) | predict, wall (s) | total, wall (s) | total, CPU (s) |');
console.log('| -------------------- | ------------- | ----------------- | --------------- | -------------- |');
for (const [model, t] of perModel) {
  const cells = [t.fit, t.predict, t.fit + t.predict, t.cpu].map((ms, i) => seconds(ms).padStart([14, 18, 16, 15][i]));
  console.log(`| ${model.padEnd(20)} |${cells.join(' |')} |`);
}
console.log('');
console.log('| measure                      | value    |');
console.log('| ---------------------------- | -------- |');
console.log(`| wall time, 1 thread (s)      | ${seconds(wall).trim().padEnd(8)} |`);
console.log(`| CPU time, 1 thread (s)       | ${seconds((cpu.user + cpu.system) / 1000).trim().padEnd(8)} |`);
console.log(`| wall time, 2 threads (s)     | ${seconds(wallParallel).trim().padEnd(8)} |`);
console.log(`| peak RSS, all threads (MB)   | ${(process.resourceUsage().maxRSS / 1024).toFixed(0).padEnd(8)} |`);
console.log(`| peak heap, main thread (MB)  | ${(peakHeap / 1024 / 1024).toFixed(0).padEnd(8)} |`);
console.log(`| load average (1 min)         | ${(await import('node:os')).loadavg()[0].toFixed(2).padEnd(8)} |`);
console.log('\nReferences (2-core machine): R loop without xgboost ~45 s; scikit-learn + xgboost ~25 s; aim < 10 s.');
