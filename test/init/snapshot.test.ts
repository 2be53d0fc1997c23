// Which files a run wrote: a tree before and after.
import { rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffSnapshots, snapshotTree } from '../../src/init/snapshot.ts';
import { tree } from './helpers.ts';

describe('snapshotTree and diffSnapshots', () => {
  it('new files, changed files and files rewritten with the same bytes are written; removed ones deleted; caches and research.* are not looked at', async () => {
    const root = await tree({ 'a.csv': '1\n', 'b.csv': '2\n', 'same.csv': 's\n', 'gone.csv': 'g\n', 'untouched.csv': 'u\n' });
    const before = await snapshotTree(root);
    await writeFile(join(root, 'b.csv'), '3\n');
    await writeFile(join(root, 'same.csv'), 's\n');
    await utimes(join(root, 'same.csv'), new Date(), new Date(Date.now() + 5000));
    await rm(join(root, 'gone.csv'));
    for (const path of ['new/x.png', 'notebooks/__pycache__/m.cpython-311.pyc', 'm.pyc', '.Rhistory', 'research.lock', '.ipynb_checkpoints/a.ipynb']) {
      await import('node:fs/promises').then((fs) => fs.mkdir(join(root, path, '..'), { recursive: true }));
      await writeFile(join(root, path), 'x');
    }
    expect(diffSnapshots(before, await snapshotTree(root))).toEqual({ written: ['b.csv', 'new/x.png', 'same.csv'], deleted: ['gone.csv'] });
  });
});
