// `repro build`: the project's image, named by the content hash of everything in it; a no-op when it exists.
import type { Command } from 'commander';
import { connectEngine } from '../engine/index.ts';
import { engineOption, type EngineFlag } from './options.ts';
import { buildProjectImage, planProjectImage } from '../render/index.ts';
import { loadProject } from './context.ts';
import { createProgress, formatDuration } from './progress.ts';

export function register(program: Command): void {
  program
    .command('build')
    .description('render the Dockerfile from Dockerfile.template and research.lock, and build the image (a no-op when nothing changed); prints the image tag')
    .option('--json', 'print { tag, built, durationMs } as JSON on stdout')
    .addOption(engineOption('the engine that builds it'))
    .addHelpText('after', '\nExample:\n  $ repro build\n  $ docker run --rm "$(repro build -q)"\n  $ repro build --engine podman')
    .action(async (options: { json?: boolean; engine?: Exclude<EngineFlag, 'local'> }, command: Command) => {
      const project = await loadProject(command);
      const progress = createProgress({ quiet: project.quiet || options.json });
      // Bad input (a stale lock, a broken template) is reported before asking for an engine.
      const plan = await planProjectImage(project.root, project.loaded);
      const engine = await connectEngine({ engine: options.engine });
      const result = await buildProjectImage({ projectDir: project.root, loaded: project.loaded, engine, progress, plan });
      progress.done();
      if (options.json) {
        process.stdout.write(JSON.stringify({ tag: result.tag, built: result.built, durationMs: result.durationMs }) + '\n');
      } else if (project.quiet) {
        process.stdout.write(result.tag + '\n');
      } else {
        const how = result.built ? `built in ${formatDuration(result.durationMs)}` : 'up to date, nothing built';
        process.stdout.write(`${result.tag} (${how})\n`);
      }
    });
}
