// Commands that must refuse before running anything: repro lab without Jupyter, repro run -p without --out, run and verify with no engine.
import { spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { fixtureProject, repoRoot } from './project.ts';

it('asks for environment.jupyter: true before touching the engine', async () => {
  const project = await fixtureProject(['outputs.ipynb']);
  try {
    const cli = spawnSync(process.execPath, [join(repoRoot, 'bin', 'repro.js'), '-C', project.dir, 'lab'], { encoding: 'utf8' });
    expect(cli.status).toBe(2);
    expect(cli.stderr).toContain('repro lab needs Jupyter in the image');
    expect(cli.stderr).toContain('`jupyter: true` under environment:');
  } finally {
    await project.remove();
  }
});

it('repro run -p without --out refuses (exit 2) and leaves the committed results as they were', async () => {
  const project = await fixtureProject(['outputs.ipynb']);
  try {
    const committed = join(project.dir, 'results', 'outputs');
    await mkdir(committed, { recursive: true });
    await writeFile(join(committed, 'kept.txt'), 'committed');
    const cli = spawnSync(process.execPath, [join(repoRoot, 'bin', 'repro.js'), '-C', project.dir, 'run', '--engine', 'local', '-p', 'seed=7'], {
      encoding: 'utf8',
    });
    expect(cli.status).toBe(2);
    expect(cli.stderr).toContain('overridden parameters would replace the committed results');
    expect(cli.stderr).toContain('--out DIR');
    expect(await readdir(committed)).toEqual(['kept.txt']);
    expect(await readFile(join(committed, 'kept.txt'), 'utf8')).toBe('committed');
  } finally {
    await project.remove();
  }
});

it.each(['run', 'verify'])('repro %s with no engine answering exits 3 with the fix, and never runs the notebooks on the host', async (command) => {
  const project = await fixtureProject(['outputs.ipynb']);
  try {
    const cli = spawnSync(process.execPath, [join(repoRoot, 'bin', 'repro.js'), '-C', project.dir, command], {
      encoding: 'utf8',
      env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
    });
    expect(cli.status).toBe(3);
    expect(cli.stderr).toContain('repro: no Docker engine answers at unix:///nonexistent/docker.sock');
    expect(cli.stderr).toContain('--engine local: only for code you trust');
    // Nothing ran: no outputs, no run folder with results.
    await expect(readdir(join(project.dir, 'results'))).rejects.toThrow();
    expect(cli.stdout + cli.stderr).not.toContain('outputs.ipynb [');
  } finally {
    await project.remove();
  }
});
