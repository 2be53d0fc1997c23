// Times the 8-point fixture sweep (test/fixtures/sweep: a tslab notebook, 2 scales × 4 seeds) with -j1 and -j2, in
// containers and with local kernels, and the per-point overhead of a sweep over a plain container run of the same
// notebook (`repro run`'s runInContainer, one notebook, one container; aim: under 1 s). The image is built first,
// untimed. `-- --runs N` repeats each measure (median kept; default 1). With a Slurm cluster answering
// (scripts/slurm-cluster.sh), the same 8 points as one job array, 2 at once, and Slurm's cost per point.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createProgress, formatDuration } from '../src/cli/progress.ts';
import { ensureImageArchive } from '../src/cluster/image-archive.ts';
import { slurmExecutor } from '../src/cluster/executor.ts';
import { available as slurmAnswers } from '../src/cluster/slurm.ts';
import { connectEngine } from '../src/engine/index.ts';
import { resolveLock, writeLock } from '../src/lock/index.ts';
import { loadManifest } from '../src/manifest/load.ts';
import { runInContainer } from '../src/run/container.ts';
import { ensureProjectImage } from '../src/run/image.ts';
import { dockerExecutor, localExecutor } from '../src/sweep/machine.ts';
import { runSweep } from '../src/sweep/run.ts';
import type { SweepExecutor } from '../src/sweep/executor.ts';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 1;
const quiet = createProgress({ quiet: true });

const project = mkdtempSync(join(tmpdir(), 'repro-bench-sweep-'));
cpSync(join(repoRoot, 'test/fixtures/sweep'), project, { recursive: true, filter: (source) => !source.includes('/expected') });
const localProject = mkdtempSync(join(tmpdir(), 'repro-bench-sweep-local-'));
cpSync(project, localProject, { recursive: true });
// Local kernels resolve tslab from the notebook's folder upwards (an image build refuses the link: a copy of its own).
symlinkSync(join(repoRoot, 'node_modules'), join(localProject, 'node_modules'));

try {
  const engine = await connectEngine();
  let loaded = await loadManifest(project);
  await writeLock(project, await resolveLock({ loaded, engine, progress: quiet }));
  loaded = await loadManifest(project);
  const image = await ensureProjectImage({ projectDir: project, loaded, engine, progress: quiet });
  const localLoaded = await loadManifest(localProject);
  const docker = dockerExecutor({ engine, image, data: [] });

  /** Wall time, and the part of it outside the notebooks (wall − the notebooks' own run time, as the inner run reports it). */
  interface Measure {
    wall: number;
    outside: number;
  }
  const median = async (measure: () => Promise<Measure>, times0 = runs): Promise<Measure> => {
    const times: Measure[] = [];
    for (let i = 0; i < times0; i++) times.push(await measure());
    return times.sort((a, b) => a.wall - b.wall)[Math.floor(times.length / 2)];
  };
  const plainRun = async () => {
    const started = performance.now();
    const [result] = await runInContainer({ projectDir: project, loaded, engine: 'docker', progress: quiet, outDir: join(project, '.plain') }, loaded.manifest.entrypoints, { image });
    if (result.status !== 'ok') throw new Error(`the plain run failed: ${result.error?.message}`);
    const wall = performance.now() - started;
    return { wall, outside: wall - result.elapsedMs };
  };
  // The first container of an image starts cold (its layers read from disk): a warm-up run, untimed.
  await plainRun();
  const plain = await median(plainRun, Math.max(runs, 3));
  const sweep = (dir: string, executor: SweepExecutor, jobs: number, withImage: boolean) =>
    median(async () => {
      const started = performance.now();
      const report = await runSweep({
        projectDir: dir, loaded: dir === project ? loaded : localLoaded, name: 'noise', executor, ...(withImage ? { image } : {}),
        jobs, resume: false, progress: quiet, signal: new AbortController().signal,
      });
      if (!report.complete) throw new Error(`the ${executor.name} sweep -j${jobs} did not complete`);
      const wall = performance.now() - started;
      const notebooks = report.statuses.reduce((sum, status) => sum + (status.result?.elapsedMs ?? 0), 0);
      return { wall, outside: wall - notebooks / jobs };
    });
  const rows: Array<[string, Measure]> = [
    ['docker -j1', await sweep(project, docker, 1, true)],
    ['docker -j2', await sweep(project, docker, 2, true)],
    ['local -j1', await sweep(localProject, localExecutor, 1, false)],
    ['local -j2', await sweep(localProject, localExecutor, 2, false)],
  ];
  // Slurm: one job array on the single-node cluster, 2 at once as its 2 CPUs allow (compare with docker -j2). The
  // image archive is written once per image, before: timed on its own.
  let slurm: { archive: number; inTask: number } | undefined;
  if (await slurmAnswers()) {
    const started = performance.now();
    const saveImage = (ref: string) => engine.saveImage(ref);
    await ensureImageArchive(project, (await engine.inspectImage(image))!.id, saveImage);
    const archive = performance.now() - started;
    rows.push(['slurm, 2 at once', await sweep(project, slurmExecutor({ image, engine, saveImage, data: [] }), 2, true)]);
    // Inside each task, around the notebook: engine check, container start, the inner repro (from the task's own record).
    const points = join(project, '.repro/sweeps/noise');
    const inTask = readdirSync(points, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && entry.name !== 'slurm')
      .map((entry) => {
        const record = JSON.parse(readFileSync(join(points, entry.name, 'slurm.json'), 'utf8')) as { startedAt: string; endedAt: string };
        const [result] = (JSON.parse(readFileSync(join(points, entry.name, 'result.json'), 'utf8')) as { results: { elapsedMs: number }[] }).results;
        return Date.parse(record.endedAt) - Date.parse(record.startedAt) - result.elapsedMs;
      })
      .sort((a, b) => a - b);
    slurm = { archive, inTask: inTask[Math.floor(inTask.length / 2)] };
  } else console.log('no Slurm cluster answers (sinfo): no Slurm row; start one with scripts/slurm-cluster.sh\n');
  console.log(`8-point fixture sweep (${image}), ${runs} run(s) each, median; load average ${loadavg()[0].toFixed(2)} on ${availableParallelism()} CPUs\n`);
  console.log('| executor | wall (8 points) | per point | per point outside the notebook |');
  console.log('| --- | --- | --- | --- |');
  for (const [name, measure] of rows) console.log(`| ${name} | ${formatDuration(measure.wall)} | ${formatDuration(measure.wall / 8)} | ${formatDuration(measure.outside / 8)} |`);
  console.log(`| plain container run (repro run, 1 notebook; median of ${Math.max(runs, 3)} after a warm-up) | ${formatDuration(plain.wall)} | | ${formatDuration(plain.outside)} |`);
  // The notebook's own time swings with the machine's load; the time around it (container, kernel start, files) is the cost.
  const overhead = rows[0][1].outside / 8 - plain.outside;
  console.log(`\nper-point overhead of a docker sweep point over a plain container run, outside the notebook: ${overhead < 0 ? '−' : ''}${formatDuration(Math.abs(overhead))} (aim under 1 s: ${overhead < 1000 ? 'met' : 'NOT met'})`);
  console.log(`speed-up with -j2: docker ×${(rows[0][1].wall / rows[1][1].wall).toFixed(2)}, local ×${(rows[2][1].wall / rows[3][1].wall).toFixed(2)}`);
  if (slurm) {
    // Two lanes of 4 points each: Slurm's extra wall time per point over the same two-at-once sweep on this machine.
    const extra = (rows[4][1].wall - rows[1][1].wall) / 4;
    console.log(`Slurm: ${extra < 0 ? '−' : ''}${formatDuration(Math.abs(extra))} per point over docker -j2 ((wall − docker -j2 wall) / 4 points per lane); inside a task, around the notebook: ${formatDuration(slurm.inTask)} (median; a plain container run: ${formatDuration(plain.outside)}); image archive written once: ${formatDuration(slurm.archive)}`);
  }
} finally {
  rmSync(project, { recursive: true, force: true });
  rmSync(localProject, { recursive: true, force: true });
}
