// `repro lab` refuses, with the fix, when research.yaml does not put Jupyter in the image.
import { spawnSync } from 'node:child_process';
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
