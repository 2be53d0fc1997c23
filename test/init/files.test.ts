// The repository walk: which files init looks at, and what git thinks of each.
import { describe, expect, it } from 'vitest';
import { listRepoFiles } from '../../src/init/files.ts';
import { gitCommit, tree } from './helpers.ts';

describe('listRepoFiles', () => {
  it('skips tooling, dependencies, committed results and checkpoints, at any depth', async () => {
    const root = await tree({
      'a.ipynb': '{}',
      'notebooks/b.ipynb': '{}',
      'notebooks/.ipynb_checkpoints/b-checkpoint.ipynb': '{}',
      'notebooks/checkpoints/c.ipynb': '{}',
      'node_modules/x/index.js': '',
      'results/b/b.ipynb': '{}',
      'sub/results/old.ipynb': '{}',
      '.repro/runs/last/x.csv': '',
      'data/x.csv': 'a,b\n',
    });
    const { files, git } = await listRepoFiles(root);
    expect(git).toBe(false);
    expect(files).toEqual([
      { path: 'a.ipynb', bytes: 2, git: undefined },
      { path: 'data/x.csv', bytes: 4, git: undefined },
      { path: 'notebooks/b.ipynb', bytes: 2, git: undefined },
    ]);
  });

  it("records git's view: tracked, untracked, ignored", async () => {
    const root = await tree({ 'a.ipynb': '{}', '.gitignore': 'big.csv\n', 'big.csv': 'x', 'new.csv': 'y' });
    gitCommit(root, ['a.ipynb', '.gitignore']);
    const { files, git } = await listRepoFiles(root);
    expect(git).toBe(true);
    expect(Object.fromEntries(files.map((file) => [file.path, file.git]))).toEqual({ '.gitignore': 'tracked', 'a.ipynb': 'tracked', 'big.csv': 'ignored', 'new.csv': 'untracked' });
  });
});
