// The scratch copy --discover runs notebooks in: the files the image would hold (those git tracks; every file outside
// git), plus the data files init found, which the image holds once pinned. Never committed results: a re-run in the
// container has none either.
import { chmod, copyFile, mkdir, mkdtemp, readdir, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { RepoFile } from './files.ts';

export interface Scratch {
  /** The copy of the project. */
  project: string;
  /** A folder beside it for run outputs. */
  work: string;
  remove(): Promise<void>;
}

export async function makeScratch(root: string, files: readonly RepoFile[], data: readonly string[]): Promise<Scratch> {
  const base = await mkdtemp(join(tmpdir(), 'repro-init-'));
  const project = join(base, 'project');
  const work = join(base, 'work');
  await mkdir(project);
  await mkdir(work);
  const wanted = new Set(data);
  for (const file of files) {
    if (file.git !== undefined && file.git !== 'tracked' && !wanted.has(file.path)) continue;
    await mkdir(join(project, dirname(file.path)), { recursive: true });
    await copyFile(join(root, file.path), join(project, file.path));
  }
  return { project, work, remove: () => rm(base, { recursive: true, force: true }) };
}

/**
 * The project's npm packages where the notebooks look for them: a link from the scratch copy's npm folder to
 * node_modules elsewhere (the project's own on this machine, or the image's /project/… in the container).
 */
export async function linkNodeModules(project: string, npmDir: string, target: string): Promise<void> {
  await mkdir(join(project, npmDir), { recursive: true });
  await symlink(target, join(project, npmDir, 'node_modules')).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
}

/** Everyone may write: the container's user is not us when we are root. */
export async function openToAll(dir: string): Promise<void> {
  await chmod(dir, 0o777);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await openToAll(path);
    else if (entry.isFile()) await chmod(path, (await stat(path)).mode | 0o666);
  }
}
