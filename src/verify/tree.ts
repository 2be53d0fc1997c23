// Compares a run folder with the committed results, entrypoint outputs folder by folder: every file on either
// side gets a verdict; a committed file the re-run lacks and a file only the re-run wrote are differences.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
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
  const pairs: Array<{ path: string; inCommitted: boolean; inRerun: boolean }> = [];
  for (const folder of options.outputs.map((o) => o.replace(/\/+$/, ''))) {
    const committed = new Set(await listFiles(options.committedRoot, folder));
    const rerun = new Set(await listFiles(options.rerunRoot, folder));
    for (const path of [...new Set([...committed, ...rerun])].sort()) pairs.push({ path, inCommitted: committed.has(path), inRerun: rerun.has(path) });
  }
  // A few files at once: SVG renders run off the main thread while PNGs and tables are compared on it.
  const files: FileVerdict[] = new Array(pairs.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < pairs.length; i = next++) files[i] = await compareOne(pairs[i].path, pairs[i].inCommitted, pairs[i].inRerun, options);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, pairs.length) }, worker));
  return { files, passed: !files.some(fails) };
}

const concurrency = 4;

async function compareOne(path: string, inCommitted: boolean, inRerun: boolean, options: CompareTreesOptions): Promise<FileVerdict> {
  const tolerance = resolveTolerance(options.rules, path);
  const kind = kindOf(path);
  const informational = tolerance.informational ?? false;
  let committed: Buffer | undefined;
  let rerun: Buffer | undefined;
  try {
    committed = inCommitted ? await readFile(join(options.committedRoot, path)) : undefined;
    rerun = inRerun ? await readFile(join(options.rerunRoot, path)) : undefined;
  } catch (error) {
    // A dangling link or an unreadable file is a failing verdict, not a crash of the whole verification.
    return { path, kind, informational, ...unreadable(committed === undefined && inCommitted ? 'committed' : 're-run', (error as Error).message) };
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

/** Files under root/folder, as repository paths with forward slashes; a folder that does not exist has none. */
export async function listFiles(root: string, folder: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(join(root, folder), { recursive: true, withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return entries
    // Links count too: a linked output must not escape comparison.
    .filter((entry) => entry.isFile() || entry.isSymbolicLink())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).replace(/\\/g, '/'))
    .sort();
}
