// The scratch copy --discover runs in: what the image would hold, plus the data files init found.
import { lstat, readdir, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listRepoFiles } from '../../src/init/files.ts';
import { linkNodeModules, makeScratch, openToAll } from '../../src/init/scratch.ts';
import { gitCommit, tree } from './helpers.ts';

async function allFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await allFiles(dir, path)));
    else out.push(path);
  }
  return out.sort();
}

describe('makeScratch', () => {
  it('copies the tracked files and the data files, not untracked or ignored ones, nor results/', async () => {
    const root = await tree({ 'a.ipynb': '{}', 'data/big.csv': 'x', 'notes.txt': 'n', '.gitignore': 'data/\n', 'results/a/out.csv': 'r', 'new.py': '' });
    gitCommit(root, ['a.ipynb', '.gitignore', 'results/a/out.csv']);
    const scratch = await makeScratch(root, (await listRepoFiles(root)).files, ['data/big.csv']);
    try {
      expect(await allFiles(scratch.project)).toEqual(['.gitignore', 'a.ipynb', 'data/big.csv']);
      await linkNodeModules(scratch.project, 'app', '/project/app/node_modules');
      expect(await readlink(join(scratch.project, 'app/node_modules'))).toBe('/project/app/node_modules');
      await openToAll(scratch.project);
      expect((await stat(join(scratch.project, 'data'))).mode & 0o777).toBe(0o777);
      expect((await lstat(join(scratch.project, 'a.ipynb'))).mode & 0o666).toBe(0o666);
    } finally {
      await scratch.remove();
    }
    await expect(stat(scratch.project)).rejects.toThrow();
  });
});
