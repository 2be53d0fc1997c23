// Compares a run folder with the committed results, entrypoint outputs folder by folder: every file on either
// side gets a verdict; a committed file the re-run lacks and a file only the re-run wrote are differences. Both
// trees are walked with lstat and never through a link: a link, FIFO, socket or device on either side is a
// `special` verdict, never opened (a FIFO or /dev/zero would hang the read or fill memory).
import { describeSpecial, listTree, readRegularFile, type TreeEntry } from '../files/special.ts';
import { sha256 } from './comparers/binary.ts';
import { unreadable } from './comparers/collect.ts';
import { compareFile, kindOf } from './comparers/index.ts';
import { resolveTolerance, type ToleranceRules } from './tolerance.ts';
import { fails, type FigureDiff, type FileVerdict } from './types.ts';

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
  let committed: Buffer | undefined;
  let rerun: Buffer | undefined;
  try {
    const committedRead = pair.committed && (await readRegularFile(options.committedRoot, path));
    // A file swapped for a link or a FIFO since the listing is caught when it is opened.
    if (committedRead && 'special' in committedRead) return special(path, kind, committedRead.special, pair.rerun);
    committed = committedRead?.content;
    const rerunRead = pair.rerun && (await readRegularFile(options.rerunRoot, path));
    if (rerunRead && 'special' in rerunRead) return special(path, kind, pair.committed, rerunRead.special);
    rerun = rerunRead?.content;
  } catch (error) {
    // An unreadable file is a failing verdict, not a crash of the whole verification.
    return { path, kind, informational, ...unreadable(committed === undefined && pair.committed ? 'committed' : 're-run', (error as Error).message) };
  }
  const hashes = { committedSha256: committed && sha256(committed), rerunSha256: rerun && sha256(rerun) };
  if (committed === undefined || rerun === undefined) {
    const missing = committed !== undefined;
    const figures: FigureDiff[] = kind === 'png' ? [{ label: '', committed, rerun }] : [];
    const note = missing ? 'committed file missing from the re-run' : 'extra file: the re-run wrote it, results/ has no such file';
    return {
      path,
      kind,
      informational,
      verdict: missing ? 'missing' : 'extra',
      largest: { text: missing ? 'missing from the re-run' : 'not in the committed results', where: 'file', score: Infinity },
      notes: [note],
      findings: [],
      findingCount: 0,
      figures,
      ...hashes,
    };
  }
  const comparison = await compareFile(path, committed, rerun, tolerance);
  return { path, kind, informational, ...comparison, ...hashes };
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
