// Compares a run folder with the committed results, entrypoint outputs folder by folder: every file on either
// side gets a verdict; a committed file the re-run lacks and a file only the re-run wrote are differences. Both
// trees are walked with lstat and never through a link: a link, FIFO, socket or device on either side is a
// `special` verdict, never opened (a FIFO or /dev/zero would hang the read or fill memory).
import { describeSpecial, listTree, openRegularFile, type TreeEntry } from '../files/special.ts';
import { unreadable } from './comparers/collect.ts';
import { kindOf } from './comparers/index.ts';
import { compareOpenFiles, readAll, sha256OfFile, type FileHashes, type OpenFile } from './compare-files.ts';
import { wholeFileLimit } from './limits.ts';
import { resolveTolerance, type ToleranceRules } from './tolerance.ts';
import { fails, type Comparison, type FigureDiff, type FileVerdict } from './types.ts';

export interface CompareTreesOptions {
  /** The repository root, holding the committed outputs. */
  committedRoot: string;
  /** The run folder, mirroring the repository layout. */
  rerunRoot: string;
  /** Entrypoint outputs folders, relative to the repository, e.g. results/starcraft. */
  outputs: string[];
  /** research.yaml `verify`. */
  rules: ToleranceRules;
}

export interface TreeComparison {
  files: FileVerdict[];
  /** True when no file fails (informational files never do). */
  passed: boolean;
}

export async function compareTrees(options: CompareTreesOptions): Promise<TreeComparison> {
  const pairs: Pair[] = [];
  for (const folder of options.outputs.map((o) => o.replace(/\/+$/, ''))) {
    const committed = new Map((await listTree(options.committedRoot, folder)).map((entry) => [entry.path, entry]));
    const rerun = new Map((await listTree(options.rerunRoot, folder)).map((entry) => [entry.path, entry]));
    for (const path of [...new Set([...committed.keys(), ...rerun.keys()])].sort()) pairs.push({ path, committed: committed.get(path), rerun: rerun.get(path) });
  }
  // A few files at once: SVG renders run off the main thread while PNGs and tables are compared on it.
  const files: FileVerdict[] = new Array(pairs.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < pairs.length; i = next++) files[i] = await compareOne(pairs[i], options);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, pairs.length) }, worker));
  return { files, passed: !files.some(fails) };
}

const concurrency = 4;

/** One path and what it is on each side (absent: undefined). */
interface Pair {
  path: string;
  committed?: TreeEntry;
  rerun?: TreeEntry;
}

async function compareOne(pair: Pair, options: CompareTreesOptions): Promise<FileVerdict> {
  const { path } = pair;
  const tolerance = resolveTolerance(options.rules, path);
  const kind = kindOf(path);
  const informational = tolerance.informational ?? false;
  if (pair.committed?.kind !== undefined && pair.committed.kind !== 'file') return special(path, kind, pair.committed, pair.rerun);
  if (pair.rerun?.kind !== undefined && pair.rerun.kind !== 'file') return special(path, kind, pair.committed, pair.rerun);
  let committed: OpenFile | undefined;
  let rerun: OpenFile | undefined;
  try {
    try {
      const committedOpen = pair.committed && (await openRegularFile(options.committedRoot, path));
      // A file swapped for a link or a FIFO since the listing is caught when it is opened.
      if (committedOpen && 'special' in committedOpen) return special(path, kind, committedOpen.special, pair.rerun);
      committed = committedOpen;
      const rerunOpen = pair.rerun && (await openRegularFile(options.rerunRoot, path));
      if (rerunOpen && 'special' in rerunOpen) return special(path, kind, pair.committed, rerunOpen.special);
      rerun = rerunOpen;
    } catch (error) {
      // An unreadable file is a failing verdict, not a crash of the whole verification.
      return { path, kind, informational, ...unreadable(committed === undefined && pair.committed ? 'committed' : 're-run', (error as Error).message) };
    }
    if (committed === undefined || rerun === undefined) return { path, kind, informational, ...(await onlyOneSide(kind, committed, rerun)) };
    // Read a chunk at a time past a size, and within the rule's time limit (compare-files.ts).
    const comparison = await compareOpenFiles(path, committed, rerun, tolerance).catch((error: Error) => unreadable('both', error.message));
    return { path, kind, informational, ...comparison };
  } finally {
    await committed?.handle.close();
    await rerun?.handle.close();
  }
}

/** A committed file the re-run lacks, or a file only the re-run wrote. */
async function onlyOneSide(kind: FileVerdict['kind'], committed: OpenFile | undefined, rerun: OpenFile | undefined): Promise<Comparison & FileHashes> {
  const missing = committed !== undefined;
  const present = (committed ?? rerun)!;
  const hash = await sha256OfFile(present);
  // The report shows the figure that is there, when it is small enough to hold.
  const bytes = kind === 'png' && present.size <= wholeFileLimit ? await readAll(present) : undefined;
  const figures: FigureDiff[] = bytes ? [{ label: '', committed: missing ? bytes : undefined, rerun: missing ? undefined : bytes }] : [];
  return {
    verdict: missing ? 'missing' : 'extra',
    largest: { text: missing ? 'missing from the re-run' : 'not in the committed results', where: 'file', score: Infinity },
    notes: [missing ? 'committed file missing from the re-run' : 'extra file: the re-run wrote it, results/ has no such file'],
    findings: [],
    findingCount: 0,
    figures,
    committedSha256: missing ? hash : undefined,
    rerunSha256: missing ? undefined : hash,
  };
}

/**
 * A link, FIFO, socket or device on either side: a failing verdict naming what it is, even under an informational
 * rule (it is not a number that may drift but a result that was never computed here), and never read.
 */
function special(path: string, kind: FileVerdict['kind'], committed: TreeEntry | undefined, rerun: TreeEntry | undefined): FileVerdict {
  const sides = (
    [
      ['committed', committed],
      ['re-run', rerun],
    ] as const
  ).filter((side): side is readonly ['committed' | 're-run', TreeEntry] => side[1] !== undefined && side[1].kind !== 'file');
  const what = sides.map(([, entry]) => describeSpecial(entry)).join('; ');
  const notes = sides.map(([side, entry]) => `the ${side} ${entry.path} is a ${describeSpecial(entry)}, not a regular file: links, FIFOs, sockets and devices are never followed or read`);
  return {
    path,
    kind,
    informational: false,
    verdict: 'special',
    largest: { text: what, where: sides.length === 2 ? 'both' : sides[0][0], score: Infinity },
    notes,
    findings: [],
    findingCount: 0,
    figures: [],
  };
}

/** Files and special entries under root/folder, as repository paths with forward slashes; a folder that does not exist has none. */
export async function listFiles(root: string, folder: string): Promise<string[]> {
  return (await listTree(root, folder)).map((entry) => entry.path);
}
