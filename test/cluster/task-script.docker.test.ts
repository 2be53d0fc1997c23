// The task script with the real engine: on a node that lacks the image, it loads the shared `docker save` archive
// (by image id) and runs the point's container, which writes the point's result; the next task finds it loaded.
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureImageArchive } from '../../src/cluster/image-archive.ts';
import { pointDirMarker, renderTaskScript } from '../../src/cluster/task-script.ts';
import { connectEngine } from '../../src/engine/index.ts';
import { requireEngine } from '../helpers/engine.ts';

const run = promisify(execFile);
let ready = false;
let dir: string;
let imageId: string;

describe('the task script on a node without the image (real engine)', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    ready = await requireEngine();
    if (!ready) return;
    dir = await mkdtemp(join(tmpdir(), 'repro-task-docker-'));
    // An image of our own (a label on the base no other test uses), so removing it disturbs nothing else.
    const tag = `repro-test/task-load:${process.pid}`;
    await writeFile(join(dir, 'Dockerfile'), `FROM debian:bookworm\nLABEL org.repro.test=task-load-${process.pid}-${Date.now()}\n`);
    await run('docker', ['build', '-q', '-t', tag, dir]);
    imageId = (await run('docker', ['image', 'inspect', '--format', '{{.Id}}', tag])).stdout.trim();
    const engine = await connectEngine({ engine: 'docker' });
    await ensureImageArchive(dir, imageId, (ref) => engine.saveImage(ref));
    await run('docker', ['image', 'rm', tag]);
  }, 120_000);

  afterAll(async () => {
    if (!ready) return;
    await run('docker', ['image', 'rm', '-f', imageId]).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  it('loads the archive once, runs each point by image id, and records whether this task loaded it', async (context) => {
    if (!ready) return context.skip();
    await expect(run('docker', ['image', 'inspect', imageId])).rejects.toThrow();
    const points = [0, 1].map((index) => ({ index, id: `p${index}`, dir: join(dir, 'points', `p${index}`) }));
    for (const point of points) {
      await mkdir(point.dir, { recursive: true });
      await chmod(point.dir, 0o777);
    }
    const script = join(dir, 'task.sh');
    const argv = ['docker', 'run', '--rm', '--network', 'none', '--volume', `${pointDirMarker}:/out:rw`, imageId, 'sh', '-c', 'echo "{\\"point\\": \\"$(cat /etc/debian_version)\\"}" > /out/result.json'];
    await writeFile(script, renderTaskScript({ sweep: 'load', imageId, imageArchive: join(dir, '.repro/images', `${imageId.slice(7)}.tar`), points, containerArgv: argv }));
    const env = { ...process.env, TMPDIR: dir, SLURM_ARRAY_JOB_ID: '7', SLURM_JOB_ID: '8', SLURMD_NODENAME: 'node1' };
    const first = await run('bash', [script], { env: { ...env, SLURM_ARRAY_TASK_ID: '0' } });
    expect(first.stdout).toContain(`repro: loading ${imageId} on node1`);
    const second = await run('bash', [script], { env: { ...env, SLURM_ARRAY_TASK_ID: '1' } });
    expect(second.stdout).not.toContain('loading');
    const accounting = await Promise.all(points.map(async (point) => JSON.parse(await readFile(join(point.dir, 'slurm.json'), 'utf8')) as Record<string, unknown>));
    expect(accounting.map((record) => [record.point, record.exitCode, record.imageLoaded])).toEqual([
      ['p0', 0, true],
      ['p1', 0, false],
    ]);
    expect(JSON.parse(await readFile(join(points[1].dir, 'result.json'), 'utf8'))).toEqual({ point: expect.stringMatching(/^12\./) });
    expect((await run('docker', ['image', 'inspect', '--format', '{{.Id}}', imageId])).stdout.trim()).toBe(imageId);
  });
});
