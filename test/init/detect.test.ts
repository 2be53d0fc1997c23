// Every detector together, on the sample repositories: what init proposes without running anything.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinIndex } from '../../src/init/debian.ts';
import { detectProject, projectName } from '../../src/init/detect.ts';
import { loadManifest } from '../../src/manifest/load.ts';
import { repoRoot } from '../manifest/helpers.ts';
import { gitCommit, notebook, tree } from './helpers.ts';

const sample = (name: string) => join(repoRoot, 'test', 'fixtures', 'repos', name);

describe('detectProject on the sample repositories', () => {
  it.each(['tslab', 'jslab', 'python', 'r', 'minimal'])('%s: the kernels, Debian packages, lockfile and outputs its own research.yaml names', async (name) => {
    const { proposal } = await detectProject(sample(name), { debian: builtinIndex });
    const { manifest } = await loadManifest(sample(name));
    expect(proposal.kernels).toEqual(manifest.environment.kernels);
    expect(proposal.entrypoints.map((entry) => [entry.notebook, entry.outputs])).toEqual(manifest.entrypoints.map((entry) => [entry.notebook, entry.outputs]));
    // Every package the author listed is proposed (init may add what is implied, such as numpy beside pandas).
    expect(proposal.apt.map((item) => item.package)).toEqual(expect.arrayContaining(manifest.environment.apt));
    expect(proposal.lockfile).toBe(manifest.environment.lockfile);
    expect(proposal.aptTodo).toEqual([]);
  });

  it('python: the data folder file, hashed, to pin', async () => {
    const { proposal } = await detectProject(sample('python'), { debian: builtinIndex });
    expect(proposal.data.map((file) => [file.path, file.why])).toEqual([['data/temperatures.csv', ['in data/']]]);
    expect(proposal.apt.map((item) => `${item.package}: ${item.why}`)).toEqual([
      'python3-matplotlib: matplotlib (imported in notebooks/temperature.ipynb)',
      'python3-numpy: numpy (imported in notebooks/temperature.ipynb)',
      'python3-pandas: pandas (imported in notebooks/temperature.ipynb)',
    ]);
  });
});

describe('detectProject', () => {
  it('a dependency Debian lacks is a TODO with the reason; a figure-drawing R notebook gets a font', async () => {
    const root = await tree({
      'requirements.txt': 'pandas==2.1\npolars\n',
      'a.ipynb': notebook('python3', 'import pandas'),
      'b.ipynb': notebook('ir', 'library(ggplot2)\nlibrary(notonbookworm)\npng("x.png")'),
    });
    const { proposal } = await detectProject(root, { debian: builtinIndex });
    expect(proposal.kernels).toEqual(['ir', 'python3']);
    expect(proposal.apt.map((item) => item.package)).toEqual(['python3-pandas', 'r-cran-ggplot2', 'fonts-dejavu-core']);
    expect(proposal.aptTodo).toEqual([
      `polars (requirements.txt): no Debian package python3-polars (${builtinIndex.describe})`,
      `notonbookworm (loaded in b.ipynb): no Debian package r-cran-notonbookworm (${builtinIndex.describe})`,
    ]);
  });

  it("names the project after its folder, as research.yaml's name allows", () => {
    expect(projectName('/home/me/My Study (2024)')).toBe('my-study-2024');
    expect(projectName('/tmp/_x')).toBe('x');
    expect(projectName('/tmp/---')).toBe('analysis');
  });

  it('in a git repository: a TODO for a notebook git does not track (the image holds tracked files only), and a note to commit research.yaml', async () => {
    const root = await tree({ 'a.ipynb': notebook('jslab', 'let x = 1;'), 'b.ipynb': notebook('jslab', 'let y = 2;') });
    gitCommit(root, ['a.ipynb']);
    const { proposal, git } = await detectProject(root, { debian: builtinIndex });
    expect(git).toBe(true);
    expect(proposal.entrypoints.map((entry) => entry.todo.filter((line) => line.startsWith('git')))).toEqual([
      [],
      ['git does not track this notebook, and the image holds only the files git tracks: git add b.ipynb'],
    ]);
    expect(proposal.notes).toEqual(['The image holds the files git tracks: commit research.yaml, and every file the notebooks read, before `repro build`.']);
  });
});
