// `repro build`: the project's image, named by the content hash of everything in it; a no-op when it exists.
// `repro build --from-pack FILE`: the same image made again from a pack's build inputs alone (src/pack/rebuild.ts).
import type { Command } from 'commander';
import { connectEngine } from '../engine/index.ts';
import { UsageError } from '../errors.ts';
import { engineOption, type EngineFlag } from './options.ts';
import { buildProjectImage, planProjectImage } from '../render/index.ts';
import { globalOptions, loadProject } from './context.ts';
import { createProgress, formatDuration } from './progress.ts';

interface BuildCommandOptions {
  json?: boolean;
  fromPack?: string;
  into?: string;
  engine?: Exclude<EngineFlag, 'local'>;
}

export function register(program: Command): void {
  program
    .command('build')
    .description('render the Dockerfile from Dockerfile.template and research.lock, and build the image (a no-op when nothing changed); prints the image tag')
    .option('--json', 'print { tag, built, durationMs } as JSON on stdout')
    .addOption(engineOption('the engine that builds it'))
    .option('--from-pack <file>', 'build the image of a pack from its packed inputs alone (no mirror, no registry, no network), to the pack\'s tag')
    .option('--into <dir>', 'with --from-pack: unpack the project into this new folder and keep it (e.g. to `repro -C DIR verify` after)')
    .addHelpText('after', '\nExamples:\n  $ repro build\n  $ docker run --rm "$(repro build -q)"\n  $ repro build --engine podman\n  $ repro build --from-pack analyses-1a2b3c4d5e6f.repro.tar --into analyses')
    .action(async (options: BuildCommandOptions, command: Command) => {
      if (options.fromPack !== undefined) return buildFromPackCommand(options, command);
      if (options.into !== undefined) throw new UsageError('--into goes with --from-pack', 'repro build --from-pack FILE --into DIR');
      const project = await loadProject(command);
      const progress = createProgress({ quiet: project.quiet || options.json });
      // Bad input (a stale lock, a broken template) is reported before asking for an engine.
      const plan = await planProjectImage(project.root, project.loaded);
      const engine = await connectEngine({ engine: options.engine });
      const result = await buildProjectImage({ projectDir: project.root, loaded: project.loaded, engine, progress, plan });
      progress.done();
      print(options, project.quiet, result.tag, result.built, result.durationMs);
    });
}

async function buildFromPackCommand(options: BuildCommandOptions, command: Command): Promise<void> {
  const { quiet } = globalOptions(command);
  const progress = createProgress({ quiet: quiet || options.json });
  const { buildFromPack } = await import('../pack/rebuild.ts');
  const result = await buildFromPack({ packFile: options.fromPack as string, into: options.into, engine: options.engine, progress });
  progress.done();
  print(options, quiet, result.tag, result.built, result.times.totalMs, result.projectDir);
}

function print(options: BuildCommandOptions, quiet: boolean, tag: string, built: boolean, durationMs: number, projectDir?: string): void {
  if (options.json) {
    process.stdout.write(JSON.stringify({ tag, built, durationMs, ...(projectDir ? { projectDir } : {}) }) + '\n');
  } else if (quiet) {
    process.stdout.write(tag + '\n');
  } else {
    const how = built ? `built in ${formatDuration(durationMs)}` : 'up to date, nothing built';
    process.stdout.write(`${tag} (${how})\n`);
    if (projectDir) process.stdout.write(`project unpacked in ${projectDir}\n`);
  }
}
