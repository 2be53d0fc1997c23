// `repro verify`: run every entrypoint into a fresh run folder (or take one with --no-run), compare it with the
// committed results, print the summary table, write report.html and verify.json; exit 1 on any difference.
import { mkdir, rename, rm, stat, symlink } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { DiffError, UsageError, type NotebookError } from '../errors.ts';
import { assertRunFolderApart } from '../files/run-folder.ts';
import { chooseEngine } from '../run/choose-engine.ts';
import { formatSummary, verifyRunFolder } from '../verify/index.ts';
import { buildRunRecord, readRunRecord, writeRunRecord, type NotebookOutcome } from '../verify/run-record.ts';
import { globalOptions, loadProject, type Project } from './context.ts';
import { engineOption, type EngineFlag } from './options.ts';
import { createProgress, formatDuration, type Progress } from './progress.ts';

interface VerifyCommandOptions {
  run: boolean | string;
  engine?: EngineFlag;
  report?: string;
  json?: boolean;
  pack?: string;
}

export function register(program: Command): void {
  program
    .command('verify')
    .description('re-run every entrypoint and compare its outputs with the committed results (exit 1 on any difference)')
    .option('--no-run <dir>', 'compare an existing run folder (it mirrors the repository: DIR/results/...) instead of running')
    .addOption(engineOption('where the notebooks run: in a container', { local: 'on this machine, only when asked' }))
    .option('--report <dir>', 'where report.html, verify.json and diff images go (default: the run folder)')
    .option('--json', 'print verify.json to stdout (the table goes to stderr), e.g. repro verify --json | jq .')
    .option('--pack <file>', 'verify an archive `repro pack` wrote, offline: load its image, run every entrypoint in it, compare with its results')
    .addHelpText('after', '\nExamples:\n  repro verify\n  repro verify --engine local\n  repro verify --engine podman\n  repro verify --no-run .repro/runs/last\n  repro verify --pack analyses-1a2b3c4d5e6f.repro.tar')
    .action(async (options: VerifyCommandOptions, command: Command) => {
      const packed = options.pack === undefined ? undefined : await openPackProject(options, command);
      const project = packed?.project ?? (await loadProject(command));
      // With --json, stdout is verify.json alone: everything for people goes to stderr.
      const progress = createProgress({ quiet: project.quiet });
      const outputs = project.manifest.entrypoints.map((e) => e.outputs);
      if (outputs.length === 0) throw new UsageError(`${project.loaded.file} has no entrypoints: there is nothing to verify`);
      const startedAt = new Date();
      const run: RunOutcome = packed
        ? await packed.run()
        : typeof options.run === 'string'
          ? await existingRun(project.root, options.run, outputs)
          : await runIntoFreshFolder(project, options.engine, progress);
      progress.update('comparing outputs with the committed results…');
      const outcome = await verifyRunFolder({
        projectDir: project.root,
        runFolder: run.runFolder,
        engine: run.engine,
        imageId: run.imageId,
        notebooks: run.notebooks,
        outputs,
        rules: project.manifest.verify,
        reportDir: options.report === undefined ? undefined : path.resolve(options.report),
        startedAt,
      });
      progress.done();
      const table = options.json ? process.stderr : process.stdout;
      if (!(options.json && project.quiet)) table.write(formatSummary(outcome.files, { color: Boolean(table.isTTY), onlyProblems: project.quiet }));
      if (options.json) process.stdout.write(JSON.stringify(outcome.record, null, 2) + '\n');
      progress.log(`compared in ${formatDuration(outcome.diffMs)}; report: ${path.relative(process.cwd(), outcome.reportPath) || outcome.reportPath}`);
      // A failed notebook is the cause of its missing outputs: report it rather than the diff.
      if (run.failure) throw run.failure;
      if (!outcome.passed) {
        const failing = outcome.record.files.filter((f) => f.fails).length;
        throw new DiffError(
          `${failing} file${failing === 1 ? '' : 's'} differ${failing === 1 ? 's' : ''} from the committed results beyond tolerance`,
          `See ${outcome.reportPath}. If the new outputs are right, run \`repro accept\` and commit results/.`,
        );
      }
    });
}

/** --pack FILE: the pack's own project (unpacked) and its loaded image, run by id; nothing is built. */
async function openPackProject(options: VerifyCommandOptions, command: Command): Promise<{ project: Project; run(): Promise<RunOutcome> }> {
  if (typeof options.run === 'string' || options.engine === 'local') {
    throw new UsageError('--pack runs the packed image in a container: it cannot be combined with --no-run or --engine local');
  }
  const { preparePack } = await import('../pack/verify.ts');
  const { quiet } = globalOptions(command);
  const prepared = await preparePack(options.pack ?? '', createProgress({ quiet }), { engine: options.engine });
  const { root, loaded } = prepared.project;
  return { project: { root, quiet, loaded, manifest: loaded.manifest }, run: prepared.run };
}

/** --no-run DIR: the folder, and what its run.json says about the run that wrote it (nothing when it has none). */
async function existingRun(projectDir: string, dir: string, outputs: string[]): Promise<RunOutcome> {
  const runFolder = await existingRunFolder(projectDir, dir, outputs);
  const record = await readRunRecord(runFolder);
  return { runFolder, engine: record?.engine ?? null, imageId: record?.imageId ?? null, notebooks: record?.notebooks ?? null };
}

/**
 * --no-run DIR: must exist, hold at least one entrypoint's outputs folder, and be neither the committed results
 * nor resolve into them (exit 2): the results compared with themselves would prove nothing.
 */
async function existingRunFolder(projectDir: string, dir: string, outputs: string[]): Promise<string> {
  const folder = path.resolve(dir);
  const info = await stat(folder).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`--no-run: ${dir} is not a folder`, 'Give a run folder, e.g. .repro/runs/last.');
  await assertRunFolderApart({
    projectDir,
    outputs,
    runFolder: folder,
    given: `--no-run ${dir}`,
    hint: 'Give a folder a run wrote, e.g. .repro/runs/last (`repro verify` makes one); never results/ or a link to it.',
  });
  const present = await Promise.all(outputs.map((o) => stat(path.join(folder, o)).then((s) => s.isDirectory(), () => false)));
  if (!present.some(Boolean)) {
    throw new UsageError(
      `--no-run: ${dir} holds none of the entrypoint outputs (${outputs.join(', ')})`,
      `A run folder mirrors the repository layout: ${path.join(dir, outputs[0])}/…`,
    );
  }
  return folder;
}

/** Runs every entrypoint into .repro/runs/<id>/ (building the image if needed) and points .repro/runs/last at it. */
async function runIntoFreshFolder(project: Project, requested: EngineFlag | undefined, progress: Progress): Promise<RunOutcome> {
  const runs = path.join(project.root, '.repro', 'runs');
  const id = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z') + '-' + process.pid;
  const runFolder = path.join(runs, id);
  await mkdir(runFolder, { recursive: true });
  await pointLastAt(runs, id);
  const engine = await chooseEngine(requested, progress);
  // Loaded here so that `verify --no-run` does not load the kernel client.
  const { runEntrypoints } = await import('../run/index.ts');
  const results = await runEntrypoints({ projectDir: project.root, loaded: project.loaded, engine, outDir: runFolder, progress });
  for (const result of results) {
    // One line per notebook, as `repro run` prints it; the failure itself (notebook, cell, error) is reported once, at the end.
    const where = result.status === 'ok' ? '' : result.cellIndex === undefined ? ' failed' : ` failed at cell ${result.cellIndex}`;
    const warned = result.warnings?.length ? `, ${result.warnings.length === 1 ? '1 warning' : `${result.warnings.length} warnings`}` : '';
    progress.log(`${result.status === 'ok' ? '✓' : '✗'} ${result.notebook}${where} (${formatDuration(result.elapsedMs)}${warned})`);
  }
  // Which notebooks succeeded, for `repro accept`, and the image the container was created from (not the one its tag
  // names now: a build may have moved the tag meanwhile).
  const record = buildRunRecord(results, engine);
  await writeRunRecord(runFolder, record);
  return { runFolder, engine, imageId: record.imageId, notebooks: record.notebooks, failure: results.find((r) => r.status === 'failed')?.error };
}

interface RunOutcome {
  runFolder: string;
  /** null: --no-run, how the folder was made is not known. */
  engine: EngineFlag | null;
  imageId: string | null;
  /** From the run (or the folder's run.json); null when not known. */
  notebooks: NotebookOutcome[] | null;
  failure?: NotebookError;
}

/** .repro/runs/last → <id>, replaced atomically (a new link renamed over the old). */
async function pointLastAt(runs: string, id: string): Promise<void> {
  const temporary = path.join(runs, `.last-${process.pid}`);
  await rm(temporary, { force: true }); // left by a crashed run that had our pid
  await symlink(id, temporary);
  await rename(temporary, path.join(runs, 'last'));
}
