// `repro accept`: take the last run's outputs (.repro/runs/last) as the new committed results and list what changed.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../errors.ts';
import { assertRunFolderApart } from '../files/run-folder.ts';
import { acceptRun, planAccept } from '../verify/accept.ts';
import { loadProject } from './context.ts';

interface AcceptCommandOptions {
  from?: string;
  dryRun?: boolean;
}

export function register(program: Command): void {
  program
    .command('accept')
    .description("copy the last run's outputs into the committed results (each outputs folder replaced atomically)")
    .option('--from <dir>', 'the run folder to accept (default: .repro/runs/last)')
    .option('-n, --dry-run', 'list what would change, change nothing')
    .addHelpText('after', '\nExamples:\n  repro verify && repro accept\n  repro accept --dry-run')
    .action(async (options: AcceptCommandOptions, command: Command) => {
      const project = await loadProject(command);
      const runFolder = options.from ? path.resolve(options.from) : path.join(project.root, '.repro', 'runs', 'last');
      const info = await stat(runFolder).catch(() => undefined);
      if (!info?.isDirectory()) {
        throw new UsageError(`no run to accept: ${runFolder} does not exist`, 'Run `repro verify` first; it runs every entrypoint into .repro/runs/<id>/.');
      }
      const outputs = project.manifest.entrypoints.map((e) => e.outputs);
      const hint = 'Accept a folder a run wrote: run `repro verify`, then `repro accept`.';
      await assertRunFolderApart({ projectDir: project.root, outputs, runFolder, given: options.from ? `--from ${options.from}` : runFolder, hint });
      const plan = await planAccept(project.root, runFolder, outputs);
      for (const change of plan.changes) process.stdout.write(`${change.change.padEnd(8)} ${change.path}\n`);
      if (plan.changes.length === 0) {
        process.stdout.write('nothing to accept: the run matches the committed results byte for byte\n');
        return;
      }
      if (options.dryRun) {
        process.stdout.write(`(dry run) ${plan.changes.length} change(s) not applied\n`);
        return;
      }
      await acceptRun(project.root, runFolder, plan);
      const counts = (['added', 'changed', 'removed'] as const).map((kind) => `${plan.changes.filter((c) => c.change === kind).length} ${kind}`);
      process.stdout.write(`accepted ${counts.join(', ')}; review and commit ${plan.outputs.join(', ')}\n`);
    });
}
