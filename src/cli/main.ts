// The command line: one file per command registers itself; this is the one place that catches errors.
import { Command } from 'commander';
import { ReproError } from '../errors.ts';
import { toolkitVersion } from '../version.ts';
import * as accept from './accept.ts';
import * as build from './build.ts';
import * as fetch from './fetch.ts';
import * as lab from './lab.ts';
import * as lock from './lock.ts';
import * as run from './run.ts';
import * as serve from './serve.ts';
import * as verify from './verify.ts';

export function createProgram(): Command {
  const program = new Command('repro')
    .description('Re-run research notebooks in a pinned container and verify every output against committed results.')
    .version(toolkitVersion, '-V, --version')
    .option('-C, --project <dir>', 'the project folder (holding research.yaml)', '.')
    .option('-q, --quiet', 'print only errors and the final summary')
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError();
  for (const command of [lock, fetch, build, run, verify, accept, serve, lab]) command.register(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = createProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv);
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (error) {
    return reportError(error);
  }
}

function reportError(error: unknown): number {
  if (error instanceof ReproError) {
    process.stderr.write(`repro: ${error.message}\n`);
    if (error.hint) process.stderr.write(`  ${error.hint}\n`);
    return error.exitCode;
  }
  // commander's own exits (help, version, bad arguments) arrive here through exitOverride.
  if (error && typeof error === 'object' && 'code' in error && String(error.code).startsWith('commander.')) {
    const exitCode = (error as { exitCode?: number }).exitCode ?? 2;
    return exitCode === 0 ? 0 : 2;
  }
  process.stderr.write(`repro: internal error (a bug; please report it)\n${error instanceof Error ? error.stack : String(error)}\n`);
  return 70;
}

const isEntry = process.argv[1] !== undefined && /(?:bin[\\/]repro(?:\.js)?|cli[\\/]main\.ts)$/.test(process.argv[1]);
if (isEntry) {
  process.exitCode = await main(process.argv);
}
