// `repro accept [notebook…]`: take the last run's outputs (.repro/runs/last) as the new committed results, per
// notebook: those the run record says succeeded (all, or the ones named), and list what changed.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../errors.ts';
import { assertRunFolderApart } from '../files/run-folder.ts';
import { acceptRun, changesIn, outputsPresent, planAccept } from '../verify/accept.ts';
import { refusalError, selectAccepted, type AcceptSelection } from '../verify/accept-select.ts';
import { readRunRecord } from '../verify/run-record.ts';
import type { AcceptPlan } from '../verify/accept.ts';
import { loadProject } from './context.ts';

interface AcceptCommandOptions {
  from?: string;
  dryRun?: boolean;
}

export function register(program: Command): void {
  program
    .command('accept')
    .description("copy the last run's outputs into the committed results, per notebook that succeeded (each outputs folder replaced atomically)")
    .argument('[notebooks...]', 'accept only these entrypoints (default: every one that succeeded in the run)')
    .option('--from <dir>', 'the run folder to accept (default: .repro/runs/last)')
    .option('-n, --dry-run', 'list what would change, change nothing')
    .addHelpText('after', '\nExamples:\n  repro verify; repro accept\n  repro accept --dry-run\n  repro accept notebooks/starcraft.ipynb')
    .action(async (notebooks: string[], options: AcceptCommandOptions, command: Command) => {
      const project = await loadProject(command);
      const runFolder = options.from ? path.resolve(options.from) : path.join(project.root, '.repro', 'runs', 'last');
      const info = await stat(runFolder).catch(() => undefined);
      if (!info?.isDirectory()) {
        throw new UsageError(`no run to accept: ${runFolder} does not exist`, 'Run `repro verify` first; it runs every entrypoint into .repro/runs/<id>/.');
      }
      const { entrypoints } = project.manifest;
      const hint = 'Accept a folder a run wrote: run `repro verify`, then `repro accept`.';
      await assertRunFolderApart({ projectDir: project.root, outputs: entrypoints.map((e) => e.outputs), runFolder, given: options.from ? `--from ${options.from}` : runFolder, hint });
      const selection = selectAccepted({
        entrypoints,
        record: await readRunRecord(runFolder),
        present: await outputsPresent(runFolder, entrypoints.map((e) => e.outputs)),
        requested: notebooks,
      });
      const refusal = refusalError(selection, path.relative(process.cwd(), runFolder) || '.', notebooks.length > 0);
      if (refusal) throw refusal;
      const plan = await planAccept(project.root, runFolder, selection.accepted.map((a) => a.outputs));
      if (!options.dryRun) await acceptRun(project.root, runFolder, plan);
      process.stdout.write(acceptReport(selection, plan, Boolean(options.dryRun)));
    });
}

/**
 * The listing: one line per changed file, one per notebook taken ("accepted notebooks/a.ipynb → results/a (3 files
 * changed)") and one per notebook not taken, then what to do next.
 */
export function acceptReport(selection: AcceptSelection, plan: AcceptPlan, dryRun: boolean): string {
  const lines = plan.changes.map((change) => `${change.change.padEnd(8)} ${change.path}`);
  for (const target of selection.accepted) {
    const count = changesIn(plan, target.outputs).length;
    const changed = count === 0 ? 'no changes' : `${count} file${count === 1 ? '' : 's'} changed`;
    lines.push(`${dryRun ? 'would accept' : 'accepted'} ${target.notebook} → ${target.outputs} (${changed})`);
  }
  for (const refused of selection.refused) lines.push(`not accepted: ${refused.notebook} ${refused.reason}`);
  const changedFolders = selection.accepted.filter((target) => changesIn(plan, target.outputs).length > 0).map((target) => target.outputs);
  if (changedFolders.length === 0) lines.push('nothing to change: the accepted outputs match the committed results byte for byte');
  else if (dryRun) lines.push(`(dry run) ${plan.changes.length} change${plan.changes.length === 1 ? '' : 's'} not applied`);
  else lines.push(`review and commit ${changedFolders.join(', ')}`);
  return lines.join('\n') + '\n';
}
