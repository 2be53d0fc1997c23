// Data files: in a data folder, over 1 MB, or data-like and untracked; each with its sha256.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dataReasons, detectData } from '../../src/init/data.ts';
import { listRepoFiles } from '../../src/init/files.ts';
import { gitCommit, notebook, tree } from './helpers.ts';

describe('dataReasons', () => {
  it.each([
    [{ path: 'data/x.csv', bytes: 10, git: 'tracked' as const }, ['in data/']],
    [{ path: 'study/input/raw.bin', bytes: 10 }, ['in study/input/']],
    [{ path: 'notebooks/big.parquet', bytes: 2_000_000, git: 'tracked' as const }, ['over 1 MB']],
    [{ path: 'notebooks/new.csv', bytes: 10, git: 'untracked' as const }, ['not tracked by git']],
    [{ path: 'data/huge.h5', bytes: 5_000_000, git: 'ignored' as const }, ['in data/', 'over 1 MB', 'ignored by git']],
    [{ path: 'data/README.md', bytes: 10 }, []],
    [{ path: 'data/load.py', bytes: 10 }, []],
    [{ path: 'notebooks/a.ipynb', bytes: 5_000_000 }, []],
    [{ path: 'notes.txt', bytes: 10, git: 'tracked' as const }, []],
    [{ path: 'scratch.py', bytes: 10, git: 'untracked' as const }, []],
    [{ path: 'requirements.txt', bytes: 10, git: 'untracked' as const }, []],
  ])('%o → %o', (file, reasons) => {
    expect(dataReasons(file)).toEqual(reasons);
  });
});

describe('detectData', () => {
  it('hashes each data file, and says what git thinks of it', async () => {
    const root = await tree({
      'a.ipynb': notebook('python3', 'x = 1'),
      'data/small.csv': 'a,b\n1,2\n',
      '.gitignore': 'cache.csv\n',
      'cache.csv': 'x\n',
      'notes.txt': 'hello\n',
    });
    gitCommit(root, ['a.ipynb', 'data/small.csv', '.gitignore', 'notes.txt']);
    const data = await detectData(root, (await listRepoFiles(root)).files);
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    expect(data).toEqual([
      { path: 'cache.csv', sha256: sha('x\n'), bytes: 2, why: ['ignored by git'], git: 'ignored' },
      { path: 'data/small.csv', sha256: sha('a,b\n1,2\n'), bytes: 8, why: ['in data/'], git: 'tracked' },
    ]);
  });
});
