// `repro serve` in containers, against the real engine: games from the original games.h5 answers the documented
// request; the image is small and not rebuilt when unchanged; a command service (the echo.py pattern) runs too.
// Fails in CI without an engine (requireEngine), never skips there.
import { createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { beforeAll, describe, expect, it } from 'vitest';
import { cpuPlacement, type CgroupFacts } from '../../src/engine/cpu-share.ts';
import { requireEngine } from '../helpers/engine.ts';
import { repoRoot } from '../model/data-files.ts';
import { freePort, startRepro } from './cli-process.ts';

const buildTimeout = 900_000;
let engine = false;

beforeAll(async () => {
  engine = await requireEngine();
});

/** Image size from the tag `repro serve` printed ("built|using <tag> (225.5 MB)"). */
async function imageSize(stderr: string): Promise<number> {
  const tag = /(?:built|using) (repro-service\/\S+)/.exec(stderr)?.[1];
  expect(tag).toBeDefined();
  return (await new Docker().getImage(tag as string).inspect()).Size;
}

describe('repro serve in a container', () => {
  it('games (data/games.h5) answers GET /predict?g1=1&… within 1e-4 of 2.160104e-16, from an image under 120 MB with no shell', async (context) => {
    if (!engine) return context.skip();
    const port = await freePort();
    const repro = startRepro(['serve', 'games', '--port', String(port)]);
    const url = await repro.answering(buildTimeout);
    expect(url).toBe(`http://127.0.0.1:${port}`);
    const response = await fetch(`${url}/predict?g1=1&g2=0&g3=0&g4=0&g5=0&g6=0&g7=0&g8=0&g9=0&g10=0`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { prediction: string; success: boolean };
    expect(body.success).toBe(true);
    expect(Math.abs(Number(body.prediction) - 2.160104e-16) / 2.160104e-16).toBeLessThan(1e-4);
    const bad = await fetch(`${url}/predict?g1=1`);
    expect(bad.status).toBe(400);
    const tag = /(?:built|using) (repro-service\/\S+)/.exec(repro.stderr())?.[1] as string;
    expect(await imageSize(repro.stderr())).toBeLessThan(120e6);
    // Nothing but the server: no shell to start.
    const shell = await new Docker().run(tag, ['/bin/sh', '-c', 'true'], [], { HostConfig: { AutoRemove: true } }).catch((error: Error) => error);
    expect(String(shell)).toMatch(/no such file or directory|executable file not found/);

    // On the host's network stack (no port proxy), listening on 127.0.0.1 only: another address of this machine
    // does not answer.
    const containers = await new Docker().listContainers();
    const ours = containers.find((container) => container.Image === tag);
    expect(ours?.HostConfig.NetworkMode).toBe('host');
    const external = Object.values(networkInterfaces()).flat().find((address) => address && address.family === 'IPv4' && !address.internal);
    if (external) await expect(fetch(`http://${external.address}:${port}/health`)).rejects.toThrow();
    const workers = Number(/"event":"listening".*"workers":(\d+)/.exec(repro.stdout())?.[1]);
    expect(workers).toBeGreaterThanOrEqual(1);
    // Its workers compete for the cores as host processes would (beside them, with their share), where the engine
    // places containers in one group with the share of one process.
    const inspected = await new Docker().getContainer(ours?.Id as string).inspect();
    const expected = cpuPlacement((await new Docker().info()) as CgroupFacts, workers);
    expect({ CgroupParent: inspected.HostConfig.CgroupParent || undefined, CpuShares: inspected.HostConfig.CpuShares || undefined }).toEqual({
      CgroupParent: expected.CgroupParent,
      CpuShares: expected.CpuShares,
    });

    // SIGTERM to repro stops the container gracefully: the service logs its shutdown, the container is removed.
    repro.child.kill('SIGTERM');
    expect((await repro.exited).code).toBe(0);
    expect(repro.stdout()).toContain('"event":"closed"');
    // The request log reached this terminal (over repro's log socket, not the engine): both requests, whole lines.
    const requests = repro.stdout().split('\n').filter((line) => line.includes('"path":"/predict"')).map((line) => (JSON.parse(line) as { status: number }).status);
    expect(requests.sort()).toEqual([200, 400]);
    expect((await new Docker().listContainers({ all: true })).some((container) => container.Id === ours?.Id)).toBe(false);

    // Unchanged: the second start uses the same image.
    const again = startRepro(['serve', 'games', '--port', String(port)]);
    await again.answering(buildTimeout);
    expect(again.stderr()).toMatch(/using repro-service\//);
    again.child.kill('SIGTERM');
    await again.exited;

    // The port taken by something else: said before any container starts (exit 2).
    const taken = createServer().listen(port, '127.0.0.1');
    await new Promise((resolve) => taken.once('listening', resolve));
    const refused = startRepro(['serve', 'games', '--port', String(port)]);
    const { code } = await refused.exited;
    taken.close();
    expect(code).toBe(2);
    expect(refused.stderr()).toContain(`port ${port} on 127.0.0.1 is in use`);
  }, buildTimeout * 2);

  it('a command service runs its own command from its own files', async (context) => {
    if (!engine) return context.skip();
    const port = await freePort();
    const repro = startRepro(['-C', join(repoRoot, 'test/fixtures/serve/command-project'), 'serve', 'hello', '--port', String(port)]);
    const url = await repro.answering(buildTimeout);
    expect(await (await fetch(`${url}/predict?msg=Hi`)).json()).toEqual({ response: 'Hi', success: true });
    repro.child.kill('SIGTERM');
    await repro.exited;
  }, buildTimeout);
});
