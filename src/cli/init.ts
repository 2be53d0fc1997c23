// `repro init`: write a commented research.yaml for an existing repository, never over one (--force replaces it,
// --print shows it and writes nothing); --discover runs each notebook twice in a scratch copy to see what it writes.
import { randomBytes } from 'node:crypto';
import { rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ExitCode, ReproError, UsageError } from '../errors.ts';
import { manifestFileName, parseManifest } from '../manifest/load.ts';
import { detectProject, type Proposal } from '../init/detect.ts';
import type { Discovery } from '../init/discover.ts';
import { renderManifest } from '../init/write-yaml.ts';
import { chooseEngine } from '../run/choose-engine.ts';
import { isNetworkFailure, noNetworkHint } from '../run/network-failure.ts';
import { globalOptions } from './context.ts';
import { engineOption, type EngineFlag } from './options.ts';
import { createProgress } from './progress.ts';

interface InitOptions {
  discover?: boolean;
  engine?: EngineFlag;
  force?: boolean;
  print?: boolean;
}

export function register(program: Command): void {
  program
    .command('init')
    .description('write a commented research.yaml for an existing repository: its notebooks and kernels, Debian packages, npm lockfile, data files and outputs')
    .option('--discover', 'run each notebook twice in a scratch copy of the repository (in the container) to see which files it writes and which change between runs')
    .addOption(engineOption('where --discover runs the notebooks: in a container', { local: 'on this machine, for code you trust' }))
    .option('--force', 'replace an existing research.yaml')
    .option('--print', 'print the research.yaml on stdout and write nothing')
    .addHelpText('after', '\nExamples:\n  $ repro init --print\n  $ repro init --discover && repro lock && repro build && repro verify')
    .action(async (options: InitOptions, command: Command) => {
      const { root, quiet } = globalOptions(command);
      const file = join(root, manifestFileName);
      if (!(await stat(root).then((info) => info.isDirectory(), () => false))) throw new UsageError(`${root} is not a folder`, 'Name the repository with -C DIR.');
      if (options.engine !== undefined && !options.discover) throw new UsageError('--engine says where --discover runs the notebooks, and --discover was not given', 'Add --discover, or leave --engine out.');
      const exists = await stat(file).then(() => true, () => false);
      if (exists && !options.force && !options.print) {
        throw new UsageError(`${manifestFileName} already exists in ${root}; repro init never overwrites it`, 'See what init would write with `repro init --print`, or replace the file with `repro init --force`.');
      }
      const progress = createProgress({ quiet });
      const engine = options.discover ? await chooseEngine(options.engine, progress) : undefined;
      if (engine === 'local') progress.log('repro init --discover --engine local: every notebook runs twice on this machine, with your rights and no container: only for code you trust');

      progress.update('looking at the repository');
      const detection = await detectProject(root);
      let proposal = detection.proposal;
      let discovery: Discovery | undefined;
      if (engine) {
        // Running notebooks loads the run, kernel and verify stacks: only for --discover.
        const [{ discover }, { applyDiscovery }] = await Promise.all([import('../init/discover.ts'), import('../init/apply-discovery.ts')]);
        discovery = await discover(root, detection, { engine, progress });
        proposal = applyDiscovery(proposal, discovery, detection.files.map((item) => item.path));
      }
      const text = renderManifest(proposal);
      assertLoads(text, file);
      progress.done();

      if (options.print) process.stdout.write(text);
      else await writeAtomically(file, text);
      const summary = summarize(proposal, text, options.print ? undefined : exists ? 'replaced' : 'written', detection.git);
      if (options.print) {
        for (const line of summary) progress.log(line);
      } else if (!quiet) process.stdout.write(summary.join('\n') + '\n');
      const failed = discovery?.notebooks.filter((item) => item.status === 'failed') ?? [];
      if (failed.length > 0) {
        throw new ReproError(`--discover: ${failed.map((item) => `${item.notebook} failed at ${item.failure}`).join('; ')}`, {
          exitCode: ExitCode.difference,
          hint:
            `${options.print ? 'The research.yaml above' : `${manifestFileName}`} holds what could be found without it. ` +
            (failed.some((item) => isNetworkFailure({ evalue: item.failure })) ? `${noNetworkHint}. ` : '') +
            'Fix the notebook (or, if the error is intended, tag the cell `raises-exception` or set `allowErrors: true` on its entrypoint), then run `repro init --discover --force` again.',
        });
      }
    });
}

/** The written file must load as every other command will load it; one that does not is init's bug. */
function assertLoads(text: string, file: string): void {
  try {
    parseManifest(text, file);
  } catch (error) {
    throw new Error(`repro init wrote a ${manifestFileName} that does not validate:\n${error instanceof Error ? error.message : String(error)}\n${text}`, { cause: error });
  }
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const temporary = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, text);
    await rename(temporary, file);
  } finally {
    await rm(temporary, { force: true });
  }
}

function summarize(proposal: Proposal, text: string, verb: 'written' | 'replaced' | undefined, git: boolean): string[] {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const kernels = [...new Set(proposal.entrypoints.map((entry) => entry.kernel))].sort();
  const todos = (text.match(/\bTODO:/g) ?? []).length;
  const lines = [
    `${manifestFileName} ${verb ?? 'proposed'}: ${plural(proposal.entrypoints.length, 'notebook')}${kernels.length > 0 ? ` (${kernels.join(', ')})` : ''}, ` +
      `${plural(proposal.apt.length, 'Debian package')}, ${proposal.lockfile ? `npm lockfile ${proposal.lockfile}, ` : ''}` +
      `${plural(proposal.data.length, 'data file')} to pin, ${plural(proposal.verify.length, 'verify rule')}`,
    ...proposal.entrypoints.map((entry) => `  ${entry.notebook} → ${entry.outputs}`),
  ];
  if (todos > 0) lines.push(`${plural(todos, 'TODO')} for you in ${manifestFileName}.`);
  if (proposal.unusable.length > 0) lines.push(`${plural(proposal.unusable.length, 'notebook')} repro cannot run as ${proposal.unusable.length === 1 ? 'it is' : 'they are'}: ${proposal.unusable.map((item) => item.path).join(', ')}`);
  if (verb) lines.push(`Next: read it, then ${git ? 'git add research.yaml && ' : ''}repro lock && repro build && repro verify`);
  return lines;
}
