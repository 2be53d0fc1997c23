// The engine API against each real engine, Docker and rootless podman (the same tests, the conformance of both):
// containers (exit codes, output, confinement, cleanup, ports) and builds (a failing one names its step and shows
// its log tail). Uses only the base image, bootstrapped into the engine when it lacks it.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Engine, EngineKind } from '../../src/engine/index.ts';
import { EngineError } from '../../src/errors.ts';
import { connectTestEngine, engineClient, engineKinds, requireEngine } from '../helpers/engine.ts';

const base = 'debian:bookworm';

async function containersLabelled(kind: EngineKind, label: string): Promise<number> {
  return (await engineClient(kind).listContainers({ all: true, filters: { label: [label] } })).length;
}

describe.each(engineKinds)('engine: %s', (kind) => {
  let engine: Engine | undefined;

  beforeAll(async () => {
    if (!(await requireEngine(kind))) return;
    engine = await connectTestEngine(kind);
    expect(engine.kind).toBe(kind);
    await engine.ensureBaseImage(base, { progress: { update() {}, log: (line) => console.log(line) } });
  }, 10 * 60_000);

  it('runs a confined container, returns its exit code and output, and removes it', async (context) => {
    if (!engine) return context.skip();
    const label = `org.repro.test=${process.pid}-run`;
    let stdout = '';
    let stderr = '';
    const code = await engine.runContainer({
      image: base,
      cmd: ['sh', '-c', 'id -u; touch /etc/x 2>/dev/null || echo read-only >&2; echo $GREETING > /tmp/g && cat /tmp/g; exit 7'],
      user: '1000',
      readOnly: true,
      tmpfs: { '/tmp': 'rw' },
      env: { GREETING: 'hello' },
      labels: { 'org.repro.test': `${process.pid}-run` },
      onOutput: (chunk, stream) => (stream === 'stdout' ? (stdout += chunk) : (stderr += chunk)),
    });
    expect(code).toBe(7);
    expect(stdout).toBe('1000\nhello\n');
    expect(stderr).toBe('read-only\n');
    expect(await containersLabelled(kind, label)).toBe(0);
  });

  it('reports the limits it cannot enforce: none on Docker; on rootless podman only under cgroup v1', async (context) => {
    if (!engine) return context.skip();
    const running = await engine.startContainer({ image: base, cmd: ['true'], confined: { memoryBytes: 256 * 2 ** 20, cpus: 1, pids: 64 } });
    expect(await running.wait()).toBe(0);
    const { existsSync } = await import('node:fs');
    const cgroupV1 = !existsSync('/sys/fs/cgroup/cgroup.controllers');
    expect(running.warnings).toEqual(
      kind === 'podman' && cgroupV1 ? ['rootless podman on cgroup v1 cannot limit memory, CPUs or processes: the container runs without those limits (cgroup v2 enforces them)'] : [],
    );
  });

  it('publishes ports on 127.0.0.1 only and stops a running container on request', async (context) => {
    if (!engine) return context.skip();
    const running = await engine.startContainer({ image: base, cmd: ['sleep', '300'], network: 'bridge', ports: [{ container: 5000 }], labels: { 'org.repro.test': `${process.pid}-svc` } });
    expect(running.ports[5000]).toBeGreaterThan(0);
    const published = (await engineClient(kind).getContainer(running.id).inspect()).NetworkSettings.Ports['5000/tcp'];
    expect(published).toEqual([{ HostIp: '127.0.0.1', HostPort: String(running.ports[5000]) }]);
    await running.stop(1);
    expect(await running.wait()).not.toBe(0);
    expect(await containersLabelled(kind, `org.repro.test=${process.pid}-svc`)).toBe(0);
  });

  it('names the failing step of a build and shows the tail of its log', async (context) => {
    if (!engine) return context.skip();
    const tag = `repro-test/failing:${process.pid}`;
    const build = engine.buildImage({ tag, dockerfile: `FROM ${base}\nRUN echo first line && echo last words && false\n`, contextFiles: [] });
    await expect(build).rejects.toBeInstanceOf(EngineError);
    const error = (await build.catch((caught: unknown) => caught)) as EngineError;
    expect(error.exitCode).toBe(3);
    expect(error.message).toContain('image build failed at step 2/2 (RUN echo first line && echo last words && false)');
    expect(error.message).toContain('  | last words');
    expect(await engine.imageExists(tag)).toBe(false);
  });

  it('builds a context of files, literal contents and empty folders, and skips a tag that exists', async (context) => {
    if (!engine) return context.skip();
    const tag = `repro-test/context:${process.pid}`;
    try {
      const dockerfile = `FROM ${base}\nCOPY . /ctx/\nRUN ls -R /ctx && cat /ctx/a/b.txt && test -x /ctx/run.sh\n`;
      const contextFiles = [
        { path: 'a/b.txt', content: 'bee\n' },
        { path: 'run.sh', content: '#!/bin/sh\n', mode: 0o755 },
        { path: 'empty', emptyDirectory: true as const },
      ];
      const first = await engine.buildImage({ tag, dockerfile, contextFiles });
      expect(first.built).toBe(true);
      const second = await engine.buildImage({ tag, dockerfile, contextFiles });
      expect(second).toMatchObject({ built: false, imageId: first.imageId });
    } finally {
      await engine.removeImage(tag, { force: true });
    }
  });
});
