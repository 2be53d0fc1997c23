// The command line: one file per command registers itself; this is the one place that catches errors.
import path from 'node:path';
import { Command } from 'commander';
import { ignoreReproFolder } from '../files/repro-folder.ts';
import { ReproError } from '../errors.ts';
import { toolkitVersion } from '../version.ts';
import { withoutEscapes } from '../escapes.ts';
import type { Command as CommandType } from 'commander';

interface CommandModule {
  register(program: CommandType): void;
}

// Each command loads only its own module: the analysis, verify and serve stacks are heavy, and
// `repro build` with nothing to do must answer in well under a second.
const commandModules: Record<string, () => Promise<CommandModule>> = {
  lock: () => import('./lock.ts'),
  fetch: () => import('./fetch.ts'),
  build: () => import('./build.ts'),
  run: () => import('./run.ts'),
  verify: () => import('./verify.ts'),
  accept: () => import('./accept.ts'),
  serve: () => import('./serve.ts'),
  lab: () => import('./lab.ts'),
  init: () => import('./init.ts'),
  sweep: () => import('./sweep.ts'),
  pack: () => import('./pack.ts'),
};

/** The command named on the command line, skipping global options (and -C's value). */
export function commandName(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '-C' || arg === '--project') {
      i++;
      continue;
    }
    if (arg.startsWith('-')) continue;
    return arg;
  }
  return undefined;
}

/** The program with the named commands registered (all of them when `only` is undefined or unknown). */
export async function createProgram(only?: string): Promise<Command> {
  const program = new Command('repro')
    .description('Re-run research notebooks in a pinned container and verify every output against committed results.')
    .version(toolkitVersion, '-V, --version')
    .option('-C, --project <dir>', 'the project folder (holding research.yaml)', '.')
    .option('-q, --quiet', 'print only errors and the final summary')
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError()
    // Before the commands are added: they inherit it, so their bad arguments reach reportError (exit 2), not exit(1).
    .exitOverride();
  const names = only !== undefined && only in commandModules ? [only] : Object.keys(commandModules);
  for (const module of await Promise.all(names.map((name) => commandModules[name]()))) module.register(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = await createProgram(commandName(argv.slice(2)));
  try {
    await program.parseAsync(argv);
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (error) {
    return reportError(error);
  } finally {
    // Whatever the command put in .repro/ (a run folder, a failed notebook), git is told to leave it alone.
    await ignoreReproFolder(path.resolve(program.opts<{ project?: string }>().project ?? '.'));
  }
}

/** Prints the error for people (a failed cell's traceback plain unless `stream` is a terminal) and returns the exit code. */
export function reportError(error: unknown, stream: NodeJS.WriteStream = process.stderr): number {
  if (error instanceof ReproError) {
    const plain = (text: string) => (stream.isTTY ? text : withoutEscapes(text));
    stream.write(plain(`repro: ${error.message}\n`));
    if (error.hint) stream.write(plain(`  ${error.hint}\n`));
    return error.exitCode;
  }
  // commander's own exits (help, version, bad arguments) arrive here through exitOverride.
  if (error && typeof error === 'object' && 'code' in error && String(error.code).startsWith('commander.')) {
    const exitCode = (error as { exitCode?: number }).exitCode ?? 2;
    return exitCode === 0 ? 0 : 2;
  }
  stream.write(`repro: internal error (a bug; please report it)\n${error instanceof Error ? error.stack : String(error)}\n`);
  return 70;
}

const isEntry = process.argv[1] !== undefined && /(?:bin[\\/]repro(?:\.js)?|cli[\\/]main\.ts)$/.test(process.argv[1]);
if (isEntry) {
  process.exitCode = await main(process.argv);
}
