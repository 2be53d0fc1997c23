// `repro lock`: resolve research.yaml into research.lock (base image, Debian package versions, Node.js, hashes).
import type { Command } from 'commander';
import { connectEngine } from '../engine/index.ts';
import { engineOption, type EngineFlag } from './options.ts';
import { lockFileName, readLock, resolveLock, serializeLock, writeLock } from '../lock/index.ts';
import { loadProject } from './context.ts';
import { createProgress, formatDuration } from './progress.ts';

export function register(program: Command): void {
  program
    .command('lock')
    .description('resolve research.yaml into research.lock: base image, exact Debian package versions, Node.js and npm tarballs, lockfile and data hashes')
    .option('--json', 'print the lock as JSON on stdout')
    .addOption(engineOption('the engine that holds the base image'))
    .addHelpText('after', '\nExample:\n  $ repro lock && git add research.lock')
    .action(async (options: { json?: boolean; engine?: Exclude<EngineFlag, 'local'> }, command: Command) => {
      const project = await loadProject(command);
      const progress = createProgress({ quiet: project.quiet || options.json });
      const started = Date.now();
      const engine = await connectEngine({ engine: options.engine });
      const previous = await readLock(project.root).catch(() => undefined);
      const lock = await resolveLock({ loaded: project.loaded, engine, progress });
      const unchanged = previous !== undefined && serializeLock({ ...lock, sourceDateEpoch: previous.sourceDateEpoch }) === serializeLock(previous);
      const final = unchanged && previous ? previous : lock;
      await writeLock(project.root, final);
      progress.done();
      if (options.json) {
        process.stdout.write(serializeLock(final));
        return;
      }
      const apt = Object.keys(final.apt).length;
      const verb = unchanged ? 'is up to date' : previous ? 'updated' : 'written';
      if (!project.quiet) {
        process.stdout.write(
          `${lockFileName} ${verb} (${formatDuration(Date.now() - started)}): ${final.base.ref} ${final.base.imageId.slice(7, 19)}, ` +
            `Node.js ${final.node.version}, npm ${final.npm.version}, ${apt} Debian package${apt === 1 ? '' : 's'}, ${final.data.length} data file${final.data.length === 1 ? '' : 's'}\n`,
        );
      }
    });
}
