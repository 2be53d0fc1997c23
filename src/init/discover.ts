// `repro init --discover`: run each notebook twice in a scratch copy of the repository and record what it wrote:
// files under REPRO_OUTPUTS (which repro keeps, in the entrypoint's outputs folder), files at paths of its own
// (which repro does not keep), and files whose content changed between the two runs (verify rules).
import { access, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import type { Progress } from '../cli/progress.ts';
import type { Tolerance } from '../manifest/schema.ts';
import type { RunEngine } from '../run/types.ts';
import { listFiles } from '../verify/tree.ts';
import type { Detection } from './detect.ts';
import { makeScratch, linkNodeModules, openToAll, type Scratch } from './scratch.ts';
import { diffSnapshots, snapshotTree } from './snapshot.ts';
import { containerRunner, localRunner, prepareImage, type TrialOutcome, type TrialRunner } from './trial-run.ts';
import { proposeVariation, type CellProposal } from './cell-variation.ts';
import { renderManifest } from './write-yaml.ts';

export interface NotebookDiscovery {
  notebook: string;
  /** The outputs folder the trial runs used (the proposal's). */
  outputs: string;
  status: 'ok' | 'failed';
  failure?: string;
  /** The cell a failed run stopped at (0-based, markdown cells count) and its error's name. */
  failedCell?: number;
  failedError?: string;
  /** Where the failed run's executed notebook is kept in the repository (`.repro/failed/init/…`), when it was written. */
  keptFailed?: string;
  /** Files under REPRO_OUTPUTS, relative to the outputs folder, without the executed notebook repro adds. */
  outputsWritten: string[];
  /** Repository paths written outside REPRO_OUTPUTS. */
  ownPaths: string[];
  /** Repository paths of files there before the run and gone after it. */
  deleted: string[];
  /** Output files (repository paths) whose content differed between the two runs, with the rule that covers it. */
  variations: Array<{ path: string; rule: Tolerance; why: string; cells?: CellProposal[] }>;
  /** Output files (repository paths) written by one run only. */
  onlyOnce: string[];
}

export interface Discovery {
  /** Where the notebooks ran. */
  where: string;
  notebooks: NotebookDiscovery[];
  /** Debian packages `repro lock` refused (not in the base image's Debian). */
  droppedApt: Array<{ package: string; message: string }>;
}

export interface DiscoverOptions {
  engine: RunEngine;
  progress: Progress;
}

export async function discover(root: string, detection: Detection, options: DiscoverOptions): Promise<Discovery> {
  const { proposal } = detection;
  const { progress } = options;
  const scratch = await makeScratch(root, detection.files, proposal.data.map((file) => file.path));
  try {
    const npmDir = proposal.lockfile ? posix.dirname(proposal.lockfile) : undefined;
    let runner: TrialRunner;
    let droppedApt: Discovery['droppedApt'] = [];
    if (options.engine === 'local') {
      if (npmDir !== undefined) await linkNodeModules(scratch.project, npmDir, join(root, npmDir, 'node_modules'));
      await writeFile(join(scratch.project, 'research.yaml'), renderManifest({ ...proposal, verify: [] }));
      runner = localRunner(scratch.project, progress);
    } else {
      const { connectEngine } = await import('../engine/index.ts');
      const engine = await connectEngine({ engine: options.engine });
      const image = await prepareImage(scratch.project, engine, progress, (dropped) =>
        renderManifest({ ...proposal, verify: [], apt: proposal.apt.filter((item) => !dropped.has(item.package)) }),
      );
      droppedApt = image.dropped;
      // The image's npm packages are under /project; the scratch copy is mounted beside it.
      if (npmDir !== undefined) await linkNodeModules(scratch.project, npmDir, posix.join('/project', npmDir, 'node_modules'));
      await openToAll(scratch.project);
      runner = containerRunner(scratch.project, engine, image, progress);
    }
    const notebooks: NotebookDiscovery[] = [];
    for (const [i, entry] of proposal.entrypoints.entries()) {
      const seen = await discoverNotebook(scratch, runner, entry.notebook, entry.outputs, i, progress);
      notebooks.push(await keepFailedNotebook(root, seen, join(scratch.work, `${i}`), progress));
    }
    return { where: runner.describe, notebooks, droppedApt };
  } finally {
    await scratch.remove();
  }
}

/** Where init keeps the executed notebook of a failed trial run, under the project. */
export const initFailedDir = posix.join('.repro', 'failed', 'init');

/**
 * A failed trial leaves its executed notebook (outputs up to the failing cell) in the scratch copy, which goes when
 * init ends: it is copied to .repro/failed/init/<notebook path> so that the user can open it, and said so, since the
 * run's own messages name the scratch copy.
 */
async function keepFailedNotebook(root: string, seen: NotebookDiscovery, work: string, progress: Progress): Promise<NotebookDiscovery> {
  if (seen.status !== 'failed' && seen.failure === undefined) return seen;
  const name = posix.basename(seen.notebook);
  const kept = posix.join(initFailedDir, seen.notebook);
  for (const attempt of ['run2', 'run1']) {
    const from = join(work, attempt, 'out', '.failed', name);
    if (!(await access(from).then(() => true, () => false))) continue;
    await mkdir(dirname(join(root, kept)), { recursive: true });
    await copyFile(from, join(root, kept));
    progress.log(`--discover: ${seen.notebook} failed; the executed notebook, as far as it ran, is kept in ${kept} (a path above in a scratch copy is gone when init ends)`);
    return { ...seen, keptFailed: kept };
  }
  return seen;
}

interface Trial extends TrialOutcome {
  /** Where this trial's REPRO_OUTPUTS files ended up: <outRoot>/<outputs>. */
  outRoot: string;
  /** Copies of the files written outside REPRO_OUTPUTS, by repository path. */
  ownRoot: string;
  ownPaths: string[];
  deleted: string[];
}

async function discoverNotebook(scratch: Scratch, runner: TrialRunner, notebook: string, outputs: string, index: number, progress: Progress): Promise<NotebookDiscovery> {
  const trials: Trial[] = [];
  for (const attempt of [1, 2]) {
    progress.log(`--discover: ${notebook}, run ${attempt} of 2, ${runner.describe}`);
    const before = await snapshotTree(scratch.project);
    const outRoot = join(scratch.work, `${index}`, `run${attempt}`, 'out');
    const ownRoot = join(scratch.work, `${index}`, `run${attempt}`, 'own');
    const outcome = await runner.run(notebook, outRoot);
    const changes = diffSnapshots(before, await snapshotTree(scratch.project));
    for (const path of changes.written) {
      await mkdir(dirname(join(ownRoot, path)), { recursive: true });
      await copyFile(join(scratch.project, path), join(ownRoot, path));
    }
    trials.push({ ...outcome, outRoot, ownRoot, ownPaths: changes.written, deleted: changes.deleted });
    if (outcome.status === 'failed') break;
  }
  const [first, second] = trials;
  const executed = posix.join(outputs, posix.basename(notebook));
  const written = first.status === 'ok' ? await listFiles(first.outRoot, outputs) : [];
  const result: NotebookDiscovery = {
    notebook,
    outputs,
    status: first.status,
    failure: first.failure,
    ...(first.status === 'failed' ? { failedCell: first.cellIndex, failedError: first.ename } : {}),
    outputsWritten: written.filter((path) => path !== executed).map((path) => posix.relative(outputs, path)),
    ownPaths: first.ownPaths,
    deleted: first.deleted,
    variations: [],
    onlyOnce: [],
  };
  if (!second || second.status !== 'ok') {
    if (second?.failure) result.failure = `the second run failed at ${second.failure}`;
    return result;
  }
  const again = await listFiles(second.outRoot, outputs);
  result.onlyOnce = [...written.filter((path) => !again.includes(path)), ...again.filter((path) => !written.includes(path))].sort();
  for (const path of written.filter((file) => again.includes(file))) {
    const rule = await proposeVariation(path, await readFile(join(first.outRoot, path)), await readFile(join(second.outRoot, path)));
    if (rule) result.variations.push({ path, ...rule });
  }
  return result;
}
