// `repro build` as a user meets it: a stale lock stops it with exit 2 before any engine is asked, and no engine
// answering is exit 3 with what to do. Neither needs a running engine.
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyFixtureWithThisToolkit } from '../helpers/fixture-project.ts';

const root = join(import.meta.dirname, '../..');
const fixture = join(root, 'test/fixtures/repos/minimal');
const noEngine = { ...process.env, DOCKER_HOST: 'unix:///nonexistent/docker.sock' };

function repro(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const result = spawnSync(process.execPath, [join(root, 'bin/repro.js'), ...args], { encoding: 'utf8', env });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function copyFixture(): Promise<string> {
  return copyFixtureWithThisToolkit(fixture);
}

describe('repro build on the command line', () => {
  it('stops with exit 2 and says to run repro lock when research.yaml changed', async () => {
    const dir = await copyFixture();
    const manifest = join(dir, 'research.yaml');
    await writeFile(manifest, (await readFile(manifest, 'utf8')).replace('outputs: results/hello', 'outputs: results/hi'));
    const before = await readFile(join(dir, 'research.lock'), 'utf8');
    const result = repro(['build', '-C', dir], noEngine);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('repro: research.lock is stale: research.yaml changed since the lock was written');
    expect(result.stderr).toContain('run `repro lock`');
    expect(result.stderr).not.toMatch(/at .*\.ts:\d+/);
    expect(await readFile(join(dir, 'research.lock'), 'utf8')).toBe(before);
  }, 60_000);

  it('stops with exit 2 when the npm lockfile changed', async () => {
    const dir = await copyFixture();
    await writeFile(join(dir, 'package-lock.json'), (await readFile(join(dir, 'package-lock.json'), 'utf8')).replace('"version": "1.0.0"', '"version": "1.0.1"'));
    const result = repro(['build', '-C', dir], noEngine);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('package-lock.json changed since the lock was written');
  }, 60_000);

  it('stops with exit 2 when there is no research.lock', async () => {
    const dir = await copyFixture();
    await writeFile(join(dir, 'research.lock'), '');
    const result = repro(['build', '-C', dir], noEngine);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('research.lock is not valid JSON');
  }, 60_000);

  it('stops with exit 2 naming the file when package.json is missing', async () => {
    const dir = await copyFixture();
    await rm(join(dir, 'package.json'));
    const result = repro(['build', '-C', dir], noEngine);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('repro: no package.json beside the npm lockfile package-lock.json');
    expect(result.stderr).not.toContain('internal error');
  }, 60_000);

  it('exits 3 with what to do when no engine answers', async () => {
    const result = repro(['build', '-C', await copyFixture()], noEngine);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('repro: no Docker engine answers at unix:///nonexistent/docker.sock');
    expect(result.stderr).toContain('start one: dockerd');
    expect(result.stderr).toContain('--engine local');
  }, 60_000);
});
