// `repro run [notebook…]`: execute entrypoints in the container (default) or with a local kernel, and print a summary.
import { constants } from 'node:fs';
import { access, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { UsageError } from '../errors.ts';
import { chooseEngine } from '../run/choose-engine.ts';
import { runEntrypoints, type NotebookResult } from '../run/index.ts';
import { parseParameter } from '../run/parameters.ts';
import { buildRunRecord, writeRunRecord } from '../verify/run-record.ts';
import { loadProject } from './context.ts';
import { createProgress, formatDuration } from './progress.ts';

interface RunCommandOptions {
  engine: 'docker' | 'local';
  param: string[];
  out?: string;
  failedDir?: string;
  summary?: string;
}

export function register(program: Command): void {
  program
    .command('run')
    .description('execute the entrypoint notebooks (all, or the ones named) and write their outputs')
    .argument('[notebooks...]', 'notebooks to run, as listed under entrypoints in research.yaml')
    .addOption(new Option('--engine <engine>', 'where the kernel runs').choices(['docker', 'local']).default('docker'))
    .option('-p, --param <key=value>', 'override a value of the cell tagged "parameters" (JSON, else a string); repeatable', collect, [])
    .option('--out <dir>', 'write outputs under this folder (<dir>/<entrypoint outputs>) instead of into the project')
    // For the container run: the project inside is read-only, so failed notebooks go beside /out.
    .addOption(new Option('--failed-dir <dir>').hideHelp())
    .addOption(new Option('--summary <file>', 'write per-notebook results as JSON').hideHelp())
    .action(async (notebooks: string[], options: RunCommandOptions, command: Command) => {
      const project = await loadProject(command);
      const progress = createProgress({ quiet: project.quiet });
      const parameters = Object.fromEntries(options.param.map(parseParameter));
      if (options.param.length > 0 && options.out === undefined) {
        throw new UsageError(
          'overridden parameters would replace the committed results with outputs of other settings',
          'Write them elsewhere: repro run -p key=value --out DIR',
        );
      }
      const engine = await chooseEngine(options.engine, progress);
      let outDir = options.out === undefined ? undefined : resolve(options.out);
      let failedDir = options.failedDir === undefined ? undefined : resolve(options.failedDir);
      // The image's default command runs in a read-only /project: outputs then go under /tmp, and we say where.
      if (engine === 'local' && outDir === undefined && !(await writable(project.root))) {
        outDir = join(tmpdir(), 'repro-out');
        failedDir ??= join(outDir, '.repro', 'failed');
        progress.log(`${project.root} is read-only here: outputs go under ${outDir}/ (choose with --out DIR)`);
      }
      const results = await runEntrypoints({ projectDir: project.root, loaded: project.loaded, engine, outDir, notebooks, parameters, progress, failedDir });
      if (options.summary) await writeFile(options.summary, JSON.stringify(results.map(summaryOf), null, 1) + '\n');
      // A run folder of its own says which notebooks succeeded, for `repro accept --from DIR` and `verify --no-run DIR`.
      if (options.out !== undefined && outDir !== undefined) await writeRunRecord(outDir, buildRunRecord(results, engine));
      for (const result of results) {
        const where = result.status === 'ok' ? `→ ${result.outputs}` : (result.cellIndex === undefined ? 'failed' : `failed at cell ${result.cellIndex}`);
        // The warnings themselves were printed as the notebook finished; the summary counts them.
        const warned = result.warnings?.length ? `, ${result.warnings.length === 1 ? '1 warning' : `${result.warnings.length} warnings`}` : '';
        progress.log(`${result.status === 'ok' ? '✓' : '✗'} ${result.notebook} ${where} (${formatDuration(result.elapsedMs)}${warned})`);
      }
      const failed = results.find((result) => result.status === 'failed');
      if (failed?.error) throw failed.error;
    });
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

/** What crosses the container boundary: plain JSON, the error as its parts. */
export function summaryOf(result: NotebookResult): Record<string, unknown> {
  const { error, ...rest } = result;
  return { ...rest, message: error?.message, hint: error?.hint };
}
