// .repro/ holds what repro keeps for itself in a project (run folders, failed notebooks, sweeps, image archives):
// none of it is for git. A .gitignore inside it says so, as pytest and mypy do for their caches, so that
// `git add -A` after `repro accept` commits results/ and not a run folder's report and copies.
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const reproFolderIgnore = '# Written by repro: run folders, failed notebooks and sweeps are not for git.\n*\n';

/** Writes <project>/.repro/.gitignore when .repro exists without one; never fails (a read-only project is fine). */
export async function ignoreReproFolder(projectDir: string): Promise<void> {
  const folder = join(projectDir, '.repro');
  try {
    if (!(await stat(folder)).isDirectory()) return;
    await writeFile(join(folder, '.gitignore'), reproFolderIgnore, { flag: 'wx' });
  } catch {
    // No .repro yet, a .gitignore already there (the user's, kept as it is), or a project we may not write.
  }
}
