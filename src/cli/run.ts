// `repro run [notebook…]`: execute entrypoints in the container (default) or with a local kernel, and print a summary.
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { UsageError } from '../errors.ts';
import { chooseEngine } from '../run/choose-engine.ts';
import { runEntrypoints, type NotebookResult } from '../run/index.ts';
import { runSpecsLocally } from '../run/local.ts';
import { defaultFailedDir } from '../run/types.ts';
import { parseParameter } from '../run/parameters.ts';
import { toRunResult } from '../run/results.ts';
import { readRunSpecs, writeRunResults } from '../run/spec.ts';
import { buildRunRecord, writeRunRecord } from '../verify/run-record.ts';
import { loadProject } from './context.ts';
import { engineOption, type EngineFlag } from './options.ts';
import { createProgress, formatDuration, type Progress } from './progress.ts';
import { withInterrupts } from './signals.ts';

interface RunCommandOptions {
  engine?: EngineFlag;
  param: string[];
  out?: string;
  spec?: string;
  result?: string;
}

export function register(program: Command): void {
  program
    .command('run')
    .description('execute the entrypoint notebooks (all, or the ones named) and write their outputs')
    .argument('[notebooks...]', 'notebooks to run, as listed under entrypoints in research.yaml')
    .addOption(engineOption('where the kernels run: in a container', { local: 'on this machine, only when asked' }))
    .option('-p, --param <key=value>', 'override a value of the cell tagged "parameters" (JSON, else a string); repeatable', collect, [])
    .option('--out <dir>', 'write outputs under this folder (<dir>/<entrypoint outputs>) instead of into the project')
    // The host-to-container (and sweep point) contract: run a run-specification file here, write its result file.
    .addOption(new Option('--spec <file>', 'run the notebooks a run specification file names, with local kernels').hideHelp())
    .addOption(new Option('--result <file>', 'with --spec: write the run result file here').hideHelp())
    .action(async (notebooks: string[], options: RunCommandOptions, command: Command) => {
      const project = await loadProject(command);
      const progress = createProgress({ quiet: project.quiet });
      if (options.spec !== undefined || options.result !== undefined) {
        if (options.spec === undefined || options.result === undefined || notebooks.length > 0 || options.param.length > 0 || options.out !== undefined) {
          throw new UsageError('--spec and --result go together, with no notebooks, -p or --out (the spec says them)', 'repro run --spec FILE --result FILE');
        }
        const results = await runSpecFile(project.root, project.loaded, progress, options.spec, options.result);
        report(results, progress);
        const failed = results.find((result) => result.status === 'failed');
        if (failed?.error) throw failed.error;
        return;
      }
      const parameters = Object.fromEntries(options.param.map(parseParameter));
      if (options.param.length > 0 && options.out === undefined) {
        throw new UsageError(
          'overridden parameters would replace the committed results with outputs of other settings',
          'Write them elsewhere: repro run -p key=value --out DIR',
        );
      }
      const engine = await chooseEngine(options.engine, progress);
      let outDir = options.out === undefined ? undefined : resolve(options.out);
      let failedDir: string | undefined;
      // The image's default command runs in a read-only /project: outputs then go under /tmp/repro-out (a destination
      // users mount, written through a staging folder per notebook; failed notebooks in a folder of this run's own).
      if (engine === 'local' && outDir === undefined && !(await writable(project.root))) {
        outDir = join(tmpdir(), 'repro-out');
        failedDir = defaultFailedDir(outDir);
        progress.log(`${project.root} is read-only here: outputs go under ${outDir}/ (choose with --out DIR)`);
      }
      const run = { projectDir: project.root, loaded: project.loaded, engine, outDir, notebooks, parameters, progress, failedDir };
      const results = await withInterrupts((signal) => runEntrypoints({ ...run, signal }));
      // A run folder of its own says which notebooks succeeded, for `repro accept --from DIR` and `verify --no-run DIR`.
      if (options.out !== undefined && outDir !== undefined) await writeRunRecord(outDir, buildRunRecord(results, engine));
      report(results, progress);
      const failed = results.find((result) => result.status === 'failed');
      if (failed?.error) throw failed.error;
    });
}

/** The inner run of a container or a sweep point: the spec's paths are relative to its file; the result always written. */
async function runSpecFile(projectDir: string, loaded: Parameters<typeof runSpecsLocally>[0]['loaded'], progress: Progress, specFile: string, resultFile: string): Promise<NotebookResult[]> {
  const specs = await readRunSpecs(resolve(specFile));
  const results = await runSpecsLocally({ projectDir, loaded, progress }, specs, dirname(resolve(specFile)));
  await writeRunResults(resolve(resultFile), results.map(toRunResult));
  return results;
}

function report(results: readonly NotebookResult[], progress: Progress): void {
  for (const result of results) {
    const where = result.status === 'ok' ? `→ ${result.outputs}` : (result.cellIndex === undefined ? 'failed' : `failed at cell ${result.cellIndex}`);
    // The warnings themselves were printed as the notebook finished; the summary counts them.
    const warned = result.warnings?.length ? `, ${result.warnings.length === 1 ? '1 warning' : `${result.warnings.length} warnings`}` : '';
    progress.log(`${result.status === 'ok' ? '✓' : '✗'} ${result.notebook} ${where} (${formatDuration(result.elapsedMs)}${warned})`);
  }
}

async function writable(dir: string): Promise<boolean> {
  return access(dir, constants.W_OK).then(
    () => true,
    () => false,
  );
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
