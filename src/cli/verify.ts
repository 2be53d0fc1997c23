// `repro verify`: run every entrypoint into a fresh run folder (or take one with --no-run), compare it with the
// committed results, print the summary table, write report.html and verify.json; exit 1 on any difference.
import { mkdir, rename, stat, symlink } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { DiffError, UsageError } from '../errors.ts';
import type { LoadedManifest } from '../manifest/load.ts';
import { formatSummary, verifyRunFolder } from '../verify/index.ts';
import { loadProject, type Project } from './context.ts';
import { createProgress, formatDuration, type Progress } from './progress.ts';

interface VerifyCommandOptions {
  run: boolean | string;
  engine: 'docker' | 'local';
  report?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('verify')
    .description('re-run every entrypoint and compare its outputs with the committed results (exit 1 on any difference)')
    .option('--no-run <dir>', 'compare an existing run folder (it mirrors the repository: DIR/results/...) instead of running')
    .option('--engine <engine>', 'where the notebooks run: docker or local', 'docker')
    .option('--report <dir>', 'where report.html, verify.json and diff images go (default: the run folder)')
    .option('--json', 'print verify.json to stdout instead of the table')
    .addHelpText('after', '\nExamples:\n  repro verify\n  repro verify --engine local\n  repro verify --no-run .repro/runs/last')
    .action(async (options: VerifyCommandOptions, command: Command) => {
      if (options.engine !== 'docker' && options.engine !== 'local') {
        throw new UsageError(`--engine must be docker or local (got ${options.engine})`);
      }
      const project = await loadProject(command);
      const progress = createProgress({ quiet: project.quiet || options.json });
      const outputs = project.manifest.entrypoints.map((e) => e.outputs);
      if (outputs.length === 0) throw new UsageError(`${project.loaded.file} has no entrypoints: there is nothing to verify`);
      const startedAt = new Date();
      let runFolder: string;
      if (typeof options.run === 'string') runFolder = await existingRunFolder(options.run, outputs);
      else runFolder = await runIntoFreshFolder(project, options.engine, progress);
      progress.update('comparing outputs with the committed results…');
      const outcome = await verifyRunFolder({
        projectDir: project.root,
        runFolder,
        outputs,
        rules: project.manifest.verify,
        reportDir: options.report === undefined ? undefined : path.resolve(options.report),
        startedAt,
      });
      progress.done();
      if (options.json) process.stdout.write(JSON.stringify(outcome.record, null, 2) + '\n');
      else process.stdout.write(formatSummary(outcome.files, { color: Boolean(process.stdout.isTTY), onlyProblems: project.quiet }));
      progress.log(`compared in ${formatDuration(outcome.diffMs)}; report: ${path.relative(process.cwd(), outcome.reportPath) || outcome.reportPath}`);
      if (!outcome.passed) {
        const failing = outcome.record.files.filter((f) => f.fails).length;
        throw new DiffError(
          `${failing} file${failing === 1 ? '' : 's'} differ${failing === 1 ? 's' : ''} from the committed results beyond tolerance`,
          `See ${outcome.reportPath}. If the new outputs are right, run \`repro accept\` and commit results/.`,
        );
      }
    });
}

/** --no-run DIR: must exist and hold at least one entrypoint's outputs folder, or the layout is wrong. */
async function existingRunFolder(dir: string, outputs: string[]): Promise<string> {
  const folder = path.resolve(dir);
  const info = await stat(folder).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`--no-run: ${dir} is not a folder`, 'Give a run folder, e.g. .repro/runs/last.');
  const present = await Promise.all(outputs.map((o) => stat(path.join(folder, o)).then((s) => s.isDirectory(), () => false)));
  if (!present.some(Boolean)) {
    throw new UsageError(
      `--no-run: ${dir} holds none of the entrypoint outputs (${outputs.join(', ')})`,
      `A run folder mirrors the repository layout: ${path.join(dir, outputs[0])}/…`,
    );
  }
  return folder;
}

/** The run stage's contract (docs/architecture.md, src/run/); loaded on demand so verify --no-run never needs it. */
interface RunEntrypoints {
  (options: { projectDir: string; loaded: LoadedManifest; engine: 'docker' | 'local'; outDir?: string; progress: Progress }): Promise<
    Array<{ notebook: string; status: 'ok' | 'failed'; error?: Error }>
  >;
}

async function runIntoFreshFolder(project: Project, engine: 'docker' | 'local', progress: Progress): Promise<string> {
  const runs = path.join(project.root, '.repro', 'runs');
  const id = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z') + '-' + process.pid;
  const runFolder = path.join(runs, id);
  await mkdir(runFolder, { recursive: true });
  await pointLastAt(runs, id);
  const runModule = '../run/index.ts';
  const { runEntrypoints } = (await import(runModule)) as { runEntrypoints: RunEntrypoints };
  const results = await runEntrypoints({ projectDir: project.root, loaded: project.loaded, engine, outDir: runFolder, progress });
  // A failed notebook leaves its outputs missing, so the comparison below reports them; say why here.
  for (const result of results) if (result.status === 'failed') progress.log(`repro: ${result.error?.message ?? `${result.notebook} failed`}`);
  return runFolder;
}

/** .repro/runs/last → <id>, replaced atomically (a new link renamed over the old). */
async function pointLastAt(runs: string, id: string): Promise<void> {
  const temporary = path.join(runs, `.last-${process.pid}`);
  await symlink(id, temporary);
  await rename(temporary, path.join(runs, 'last'));
}
