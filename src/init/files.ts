// What is in the repository `repro init` looks at: every file with its size and what git thinks of it, skipping
// tooling state, dependencies, committed results and Jupyter's checkpoints.
import { execFile } from 'node:child_process';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Folders never looked into, at any depth: not the analysis itself. */
export const skippedFolders = new Set(['.git', 'node_modules', '.repro', 'results', '.ipynb_checkpoints', 'checkpoints', '__pycache__']);

/** tracked: in git's index; untracked: new, not ignored; ignored: .gitignore says so; undefined: not a git work tree. */
export type GitState = 'tracked' | 'untracked' | 'ignored';

export interface RepoFile {
  /** Relative to the project folder, with forward slashes. */
  path: string;
  bytes: number;
  git?: GitState;
}

export interface RepoFiles {
  files: RepoFile[];
  /** Whether the project folder is (inside) a git work tree. */
  git: boolean;
}

/** Every regular file under root outside the skipped folders, sorted by path. */
export async function listRepoFiles(root: string): Promise<RepoFiles> {
  const paths = await walk(root, '');
  const states = await gitStates(root);
  const files = paths.map((file) => ({ ...file, git: states ? (states.get(file.path) ?? 'ignored') : undefined }));
  return { files: files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)), git: states !== undefined };
}

async function walk(root: string, prefix: string): Promise<Array<{ path: string; bytes: number }>> {
  const found: Array<{ path: string; bytes: number }> = [];
  for (const entry of await readdir(join(root, prefix), { withFileTypes: true })) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (!skippedFolders.has(entry.name)) found.push(...(await walk(root, path)));
    } else if (entry.isFile()) {
      found.push({ path, bytes: (await lstat(join(root, path))).size });
    }
  }
  return found;
}

/** git's view of the files under root (relative to it), or undefined outside a git work tree. */
async function gitStates(root: string): Promise<Map<string, GitState> | undefined> {
  const list = async (...args: string[]) => {
    const { stdout } = await run('git', ['ls-files', '-z', ...args], { cwd: root, maxBuffer: 256 * 1024 * 1024 });
    return stdout.split('\0').filter(Boolean);
  };
  try {
    const states = new Map<string, GitState>();
    for (const path of await list('--others', '--exclude-standard')) states.set(path, 'untracked');
    for (const path of await list('--cached')) states.set(path, 'tracked');
    return states;
  } catch {
    return undefined;
  }
}
