// Which files a notebook wrote: the scratch tree's files (hash, size, modification time) before and after a run;
// a file is written when it is new, or when its content or its modification time changed.
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface FileState {
  sha256: string;
  bytes: number;
  mtimeMs: number;
}

export type Snapshot = Map<string, FileState>;

/** Folders whose changes are not the notebook's outputs: tooling, caches, Jupyter's and Python's litter. */
const ignoredFolders = new Set(['.git', 'node_modules', '.repro', '__pycache__', '.ipynb_checkpoints', '.cache', '.config', '.local', '.ipython', '.jupyter']);
const ignoredFiles = new Set(['.Rhistory', '.RData', '.DS_Store', 'research.yaml', 'research.lock']);

export async function snapshotTree(root: string): Promise<Snapshot> {
  const snapshot: Snapshot = new Map();
  const visit = async (prefix: string): Promise<void> => {
    for (const entry of await readdir(join(root, prefix), { withFileTypes: true })) {
      const path = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!ignoredFolders.has(entry.name)) await visit(path);
      } else if (entry.isFile() && !ignoredFiles.has(entry.name) && !entry.name.endsWith('.pyc')) {
        const file = join(root, path);
        const [content, info] = await Promise.all([readFile(file), stat(file)]);
        snapshot.set(path, { sha256: createHash('sha256').update(content).digest('hex'), bytes: info.size, mtimeMs: info.mtimeMs });
      }
    }
  };
  await visit('');
  return snapshot;
}

export interface TreeChanges {
  /** New or rewritten files, sorted. */
  written: string[];
  /** Files that were there before and are gone. */
  deleted: string[];
}

export function diffSnapshots(before: Snapshot, after: Snapshot): TreeChanges {
  const written = [...after]
    .filter(([path, state]) => {
      const old = before.get(path);
      return !old || old.sha256 !== state.sha256 || old.mtimeMs !== state.mtimeMs;
    })
    .map(([path]) => path)
    .sort();
  const deleted = [...before.keys()].filter((path) => !after.has(path)).sort();
  return { written, deleted };
}
