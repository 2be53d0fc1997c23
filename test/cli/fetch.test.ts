// `repro fetch` through the real command line, on a copy of this repository's research.yaml, with the
// shared mirror laid out as in CI (REPRO_DATA_MIRROR=../shared/data, relative to the project root).
import { copyFile, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runRepro, tempDir } from '../manifest/helpers.ts';

const sharedData = path.resolve(repoRoot, '../shared/data');

async function projectLikeThisOne() {
  const root = await tempDir();
  const project = path.join(root, 'main');
  await mkdir(path.join(root, 'shared'), { recursive: true });
  await symlink(sharedData, path.join(root, 'shared', 'data'));
  await mkdir(project);
  await copyFile(path.join(repoRoot, 'research.yaml'), path.join(project, 'research.yaml'));
  const env = { REPRO_DATA_MIRROR: '../shared/data', REPRO_CACHE: path.join(root, 'cache') };
  return { project, env };
}

describe('repro fetch', () => {
  it('puts every file in place from the mirror, one line each and a summary; a second run finds them in place', async () => {
    const { project, env } = await projectLikeThisOne();
    const first = await runRepro(['-C', project, 'fetch'], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(
      [
        'data/scmPvT_Protoss_Mid.csv  247.2 kB  from mirror ../shared/data/scmPvT_Protoss_Mid.csv',
        'data/games-expand.csv        526.9 kB  from mirror ../shared/data/games-expand.csv',
        'data/games.h5                100.5 kB  from mirror ../shared/data/games.h5',
        '3 data files ready (874.6 kB): 3 from mirrors.',
        '',
      ].join('\n'),
    );
    expect(await readFile(path.join(project, 'data/games.h5'))).toEqual(await readFile(path.join(sharedData, 'games.h5')));

    const second = await runRepro(['-C', project, 'fetch', '--quiet'], env);
    expect(second.code).toBe(0);
    expect(second.stdout).toBe('3 data files ready (874.6 kB): 3 already in place.\n');
  });

  it('takes files from the cache with no mirror and --offline, and fetches only the paths named', async () => {
    const { project, env } = await projectLikeThisOne();
    expect((await runRepro(['-C', project, 'fetch', 'data/games.h5'], env)).code).toBe(0);
    await rm(path.join(project, 'data'), { recursive: true });
    const result = await runRepro(['-C', project, 'fetch', '--offline', 'data/games.h5'], { ...env, REPRO_DATA_MIRROR: '' });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('data/games.h5  100.5 kB  from the cache\n1 data file ready (100.5 kB): 1 from the cache.\n');
  });

  it('refuses a wrong file in place: exit 2, both hashes, the file untouched, no stack trace', async () => {
    const { project, env } = await projectLikeThisOne();
    await mkdir(path.join(project, 'data'));
    await writeFile(path.join(project, 'data/games.h5'), 'edited\n');
    const result = await runRepro(['-C', project, 'fetch'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('repro: data/games.h5 is already there but is not the pinned file; refusing to overwrite it.');
    expect(result.stderr).toContain('expected sha256 5fa96c40e7c745d3bcce5a0947201a82c910bb8887f6fb230c8797baae934c6e (research.yaml)');
    expect(result.stderr).toContain('actual   sha256 ');
    expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(await readFile(path.join(project, 'data/games.h5'), 'utf8')).toBe('edited\n');
    // The other files were still put in place.
    expect(result.stdout).toContain('data/games-expand.csv');
  });

  it('an unknown data path is a usage error (exit 2) listing the known ones', async () => {
    const { project, env } = await projectLikeThisOne();
    const result = await runRepro(['-C', project, 'fetch', 'data/nope.csv'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('repro: not a data path in research.yaml: data/nope.csv');
    expect(result.stderr).toContain('Data paths: data/scmPvT_Protoss_Mid.csv, data/games-expand.csv, data/games.h5');
  });
});
