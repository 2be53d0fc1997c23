// `repro sweep NAME`: run a parameter/seed sweep from research.yaml (-j N at once, in containers or with local
// kernels), show its points (--status), re-run only failed or missing ones (--resume), or print it as a Kubernetes
// Indexed Job (--on kubernetes --dry-run).
import { join, relative, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { DiffError, ExitCode, ReproError, UsageError } from '../errors.ts';
import { sweepTargets, type SweepTarget } from '../sweep/executors.ts';
import { pointStatuses } from '../sweep/plan.ts';
import { readSweepReference } from '../sweep/reference.ts';
import { sweepPlan } from '../sweep/run.ts';
import { loadProject, type Project } from './context.ts';
import { engineOption, type EngineFlag } from './options.ts';
import { createProgress, formatDuration } from './progress.ts';
import { withInterrupts } from './signals.ts';

interface SweepCommandOptions {
  engine?: EngineFlag;
  jobs: string;
  on: SweepTarget;
  status?: boolean;
  resume?: boolean;
  dryRun?: boolean;
  image?: string;
  claim?: string;
  out?: string;
  verify?: boolean;
}

export function register(program: Command): void {
  program
    .command('sweep')
    .description('run a parameter or seed sweep from research.yaml and aggregate it (summary.csv, bands.csv, band.svg)')
    .argument('<name>', 'the sweep, as named under sweeps: in research.yaml')
    .addOption(engineOption('where each point\'s kernel runs: in a container', { local: 'on this machine' }))
    .option('-j, --jobs <n>', 'points at once', '1')
    .addOption(new Option('--on <target>', 'where the points run').choices([...sweepTargets]).default('local'))
    .option('--status', 'show each point (done, failed, missing) and run nothing')
    .option('--resume', 're-run only the points that failed or never ran')
    .option('--out <dir>', 'write the summary under this folder (<dir>/<sweep outputs>) instead of into the project')
    .option('--verify', 'run every point into a fresh run folder and compare the summary with the committed one, as repro verify does')
    .option('--dry-run', 'with --on kubernetes: print the Indexed Job instead of running anything')
    .option('--image <ref>', 'with --on kubernetes: the image reference the cluster pulls (default the project\'s tag)')
    .option('--claim <name>', 'with --on kubernetes: the PersistentVolumeClaim for data and results (default repro-sweep-NAME)')
    .action(async (name: string, options: SweepCommandOptions, command: Command) => {
      const project = await loadProject(command);
      const jobs = parseJobs(options.jobs);
      if (options.dryRun && options.on !== 'kubernetes') throw new UsageError('--dry-run goes with --on kubernetes', `repro sweep ${name} --on kubernetes --dry-run`);
      if (options.status && options.resume) throw new UsageError('--status shows the points and --resume runs them: give one', `repro sweep ${name} --status`);
      if (options.status) return printStatus(project, name);
      if (options.on === 'kubernetes') {
        if (!options.dryRun) throw new UsageError('repro does not submit to Kubernetes itself', `Print the Indexed Job and apply it: repro sweep ${name} --on kubernetes --dry-run | kubectl apply -f -`);
        return printKubernetes(project, name, jobs, options);
      }
      const progress = createProgress({ quiet: project.quiet });
      const plan = sweepPlan(project.root, project.loaded, name); // bad names, grids and references fail before any build
      await readSweepReference(project.root, project.loaded, name, plan.sweep);
      if (options.verify && (options.out !== undefined || options.resume)) {
        throw new UsageError('--verify runs every point into a run folder of its own: it goes without --out and --resume', `repro sweep ${name} --verify`);
      }
      if (options.verify) options.out = await freshRunFolder(project.root, name);
      if (options.out !== undefined) {
        const { assertRunFolderApart } = await import('../files/run-folder.ts');
        await assertRunFolderApart({
          projectDir: project.root,
          outputs: [plan.outputs, ...project.manifest.entrypoints.map((entry) => entry.outputs)],
          runFolder: resolve(options.out),
          given: `--out ${options.out}`,
          hint: 'Write the summary elsewhere, e.g. --out /tmp/sweep; it replaces the committed summary only without --out.',
        });
      }
      const { chooseExecutor } = await import('../sweep/executors.ts');
      const { runSweep } = await import('../sweep/run.ts');
      const chosen = await chooseExecutor({ on: options.on, engine: options.engine, projectDir: project.root, loaded: project.loaded, progress });
      const report = await withInterrupts((signal) =>
        runSweep({ projectDir: project.root, loaded: project.loaded, name: plan.name, executor: chosen.executor, image: chosen.image, jobs, resume: Boolean(options.resume), progress, signal, ...(options.out === undefined ? {} : { outDir: resolve(options.out) }) }),
      );
      if (!report.complete) {
        const bad = report.statuses.filter((status) => status.state !== 'done');
        const first = bad.find((status) => status.result?.message)?.result?.message;
        throw new ReproError(
          `${bad.length} of ${report.statuses.length} points of sweep ${name} did not finish${first ? `; the first: ${first.split('\n')[0]}` : ''}`,
          { exitCode: ExitCode.difference, hint: `See each with: repro sweep ${name} --status; re-run only those with: repro sweep ${name} --resume` },
        );
      }
      if (options.verify && options.out !== undefined) await verifySummary(project, plan.outputs, resolve(options.out), progress);
    });
}

/** .repro/runs/<time>-sweep-<name>: where `--verify` re-runs the sweep, beside repro verify's run folders. */
async function freshRunFolder(projectDir: string, name: string): Promise<string> {
  const { mkdir } = await import('node:fs/promises');
  const id = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z') + `-${process.pid}-sweep-${name}`;
  const folder = join(projectDir, '.repro', 'runs', id);
  await mkdir(folder, { recursive: true });
  return relative(process.cwd(), folder) || folder;
}

/** The re-run summary against the committed one, with repro verify's comparers, table, report and exit code. */
async function verifySummary(project: Project, outputs: string, runFolder: string, progress: ReturnType<typeof createProgress>): Promise<void> {
  const { formatSummary, verifyRunFolder } = await import('../verify/index.ts');
  progress.update('comparing the sweep\'s summary with the committed one…');
  const outcome = await verifyRunFolder({ projectDir: project.root, runFolder, outputs: [outputs], rules: project.manifest.verify });
  progress.done();
  process.stdout.write(formatSummary(outcome.files, { color: Boolean(process.stdout.isTTY), onlyProblems: project.quiet }));
  progress.log(`report: ${relative(process.cwd(), outcome.reportPath) || outcome.reportPath}`);
  if (!outcome.passed) {
    const failing = outcome.record.files.filter((file) => file.fails).length;
    throw new DiffError(
      `${failing} file${failing === 1 ? '' : 's'} of ${outputs} differ${failing === 1 ? 's' : ''} from the committed summary beyond tolerance`,
      `See ${outcome.reportPath}. If the new summary is right, run the sweep without --verify and commit ${outputs}.`,
    );
  }
}

function parseJobs(text: string): number {
  const jobs = Number(text);
  if (!/^\d+$/.test(text) || jobs < 1 || jobs > 1024) throw new UsageError(`-j ${text}: must be a whole number of points at once, 1 to 1024`, 'For example: -j 4');
  return jobs;
}

async function printStatus(project: Project, name: string): Promise<void> {
  const plan = sweepPlan(project.root, project.loaded, name);
  // The plan names no image (--status builds nothing): a point run in the project's image counts as it would.
  const statuses = await pointStatuses(plan, { anyImage: true });
  // A sweep that went to Slurm also shows what Slurm says of each point's latest task.
  const slurm = await (await import('../cluster/submissions.ts')).slurmStatusLines(plan.stateRoot);
  const lines = [['point', 'state', 'time', ...(slurm ? ['slurm'] : []), 'error']];
  for (const { plan: point, state, result } of statuses) {
    const error = result?.status === 'failed' ? `${result.cellIndex === undefined ? '' : `cell ${result.cellIndex}: `}${result.ename ?? ''}: ${(result.evalue ?? '').split('\n')[0]}` : '';
    lines.push([point.id, state, result ? formatDuration(result.elapsedMs) : '', ...(slurm ? [slurm.get(point.id) ?? ''] : []), error]);
  }
  const widths = lines[0].map((_, column) => Math.max(...lines.map((line) => line[column].length)));
  for (const line of lines) process.stdout.write(line.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd() + '\n');
  const count = (state: string) => statuses.filter((status) => status.state === state).length;
  process.stdout.write(`${count('done')} done, ${count('failed')} failed, ${count('missing')} missing of ${statuses.length} (${relative(project.root, plan.stateRoot)})\n`);
}

async function printKubernetes(project: Project, name: string, jobs: number, options: SweepCommandOptions): Promise<void> {
  const { kubernetesManifests, kubernetesName } = await import('../sweep/kubernetes.ts');
  const { planProjectImage } = await import('../render/index.ts');
  // The specs name the project's own tag, as a local sweep's do: the points' folders copied back from the claim
  // count as done for `repro sweep NAME --resume`. The pods pull --image (the same image, pushed to a registry).
  const tag = (await planProjectImage(project.root, project.loaded)).tag;
  const plan = sweepPlan(project.root, project.loaded, name, tag);
  const image = options.image ?? tag;
  process.stdout.write(kubernetesManifests(project.manifest, plan.points, { sweepName: name, image, parallelism: jobs, claim: options.claim ?? kubernetesName(name) }));
}
