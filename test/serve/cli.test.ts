// `repro serve` without Docker: --engine local serves in-process and stops with exit 0 on SIGTERM; a command
// service runs the user's command; no engine in docker mode is exit 3 with the hint to use --engine local.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../model/data-files.ts';
import { freePort, startRepro } from './cli-process.ts';

describe('repro serve --engine local', () => {
  it('serves games from research.yaml (data/games.h5 put in place from the mirror) and stops gracefully', async () => {
    const port = await freePort();
    const repro = startRepro(['serve', 'games', '--engine', 'local', '--port', String(port)]);
    const url = await repro.answering(120_000);
    expect(url).toBe(`http://127.0.0.1:${port}`);
    const response = await fetch(`${url}/predict?g1=1&g2=0&g3=0&g4=0&g5=0&g6=0&g7=0&g8=0&g9=0&g10=0`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ prediction: '2.160104e-16', success: true });
    repro.child.kill('SIGTERM');
    expect((await repro.exited).code).toBe(0);
    const lines = repro.stdout().trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toContainEqual(expect.objectContaining({ method: 'GET', path: '/predict', status: 200 }));
    expect(lines.at(-1)).toMatchObject({ event: 'closed' });
  });

  it('runs a command service (the echo.py pattern) with PORT set and passes SIGTERM on', async () => {
    const port = await freePort();
    const repro = startRepro(['-C', join(repoRoot, 'test/fixtures/serve/command-project'), 'serve', 'hello', '--engine', 'local', '--port', String(port)]);
    const url = await repro.answering(60_000);
    expect(await (await fetch(`${url}/predict?msg=Hi`)).json()).toEqual({ response: 'Hi', success: true });
    repro.child.kill('SIGTERM');
    expect((await repro.exited).code).toBe(0);
  });

  it('names the services when asked for one research.yaml does not have (exit 2)', async () => {
    const repro = startRepro(['serve', 'nope', '--engine', 'local']);
    expect((await repro.exited).code).toBe(2);
    expect(repro.stderr()).toMatch(/no service "nope"[\s\S]*Services: echo, games/);
  });
});

describe('repro serve with no Docker engine', () => {
  it('exits 3 and says to use --engine local', async () => {
    const repro = startRepro(['serve', 'echo'], { env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
    expect((await repro.exited).code).toBe(3);
    expect(repro.stderr()).toMatch(/no Docker engine answers/);
    expect(repro.stderr()).toMatch(/--engine local/);
  });
});
