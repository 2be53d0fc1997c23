// `repro accept`: the last run's outputs become the committed results, one entrypoint outputs folder at a time,
// each copied to a temporary sibling and renamed into place, so a folder is never left half-written.
import { swapFolder } from '../files/swap.ts';
import { cp, mkdir, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UnsafePathError, UsageError } from '../errors.ts';
import { describeSpecial, listTree, readRegularFile } from '../files/special.ts';

export interface AcceptChange {
  path: string;
  change: 'added' | 'changed' | 'removed';
}

export interface AcceptPlan {
  /** Outputs folders (repository-relative) to replace. */
  outputs: string[];
  changes: AcceptChange[];
}

/**
 * What accepting would change; throws UsageError (exit 2) when the run lacks an outputs folder, and UnsafePathError
 * (exit 2) when it holds a link, FIFO, socket or device: those never become results.
 */
export async function planAccept(projectDir: string, runFolder: string, outputs: string[]): Promise<AcceptPlan> {
  const folders = outputs.map((o) => o.replace(/\/+$/, ''));
  const absent: string[] = [];
  for (const folder of folders) {
    const info = await stat(join(runFolder, folder)).catch(() => undefined);
    if (!info?.isDirectory()) absent.push(folder);
  }
  if (absent.length > 0) {
    throw new UsageError(
      `the run in ${runFolder} has no outputs for ${absent.join(', ')} (did a notebook fail?); nothing was accepted`,
      'Fix the notebook and run `repro verify` again; accept takes only complete runs.',
    );
  }
  const changes: AcceptChange[] = [];
  const special = (await Promise.all(folders.map((folder) => listTree(runFolder, folder)))).flat().filter((entry) => entry.kind !== 'file');
  if (special.length > 0) {
    throw new UnsafePathError(
      `the run in ${runFolder} holds ${special.map((entry) => `${entry.path} (${describeSpecial(entry)})`).join(', ')}; nothing was accepted`,
      'Links, FIFOs, sockets and devices never become results: fix the notebook to write regular files, then run `repro verify` again.',
    );
  }
  for (const folder of folders) {
    const committed = new Map((await listTree(projectDir, folder)).map((entry) => [entry.path, entry]));
    const rerun = (await listTree(runFolder, folder)).map((entry) => entry.path);
    const rerunSet = new Set(rerun);
    for (const path of rerun) {
      const before = committed.get(path);
      if (!before) changes.push({ path, change: 'added' });
      // A committed link or special file is replaced, never read.
      else if (before.kind !== 'file' || !(await sameBytes(projectDir, runFolder, path))) changes.push({ path, change: 'changed' });
    }
    for (const path of committed.keys()) if (!rerunSet.has(path)) changes.push({ path, change: 'removed' });
  }
  changes.sort((a, b) => a.path.localeCompare(b.path));
  return { outputs: folders, changes };
}

/** The outputs folders (repository-relative, no trailing slash) the run folder holds as real folders. */
export async function outputsPresent(runFolder: string, outputs: readonly string[]): Promise<Set<string>> {
  const present = new Set<string>();
  for (const folder of outputs.map((o) => o.replace(/\/+$/, ''))) {
    const info = await stat(join(runFolder, folder)).catch(() => undefined);
    if (info?.isDirectory()) present.add(folder);
  }
  return present;
}

/** The planned changes inside one outputs folder. */
export function changesIn(plan: AcceptPlan, folder: string): AcceptChange[] {
  const prefix = folder.replace(/\/+$/, '') + '/';
  return plan.changes.filter((change) => change.path.startsWith(prefix));
}

/** Replaces each outputs folder with the run's copy; a folder with no changes is left alone. */
export async function acceptRun(projectDir: string, runFolder: string, plan: AcceptPlan): Promise<void> {
  for (const folder of plan.outputs) {
    if (changesIn(plan, folder).length === 0) continue;
    const target = join(projectDir, folder);
    const incoming = join(dirname(target), `.${basename(target)}.accept-${process.pid}-${Date.now()}`);
    await mkdir(dirname(target), { recursive: true });
    // The copy lands beside the target (same file system) so that the swap below is a pair of renames.
    await cp(join(runFolder, folder), incoming, { recursive: true });
    try {
      await swapFolder(incoming, target);
    } finally {
      await rm(incoming, { recursive: true, force: true });
    }
  }
}

async function sameBytes(committedRoot: string, runRoot: string, path: string): Promise<boolean> {
  const [x, y] = await Promise.all([readRegularFile(committedRoot, path), readRegularFile(runRoot, path)]);
  return 'content' in x && 'content' in y && x.content.equals(y.content);
}
