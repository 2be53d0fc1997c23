// Choosing and reaching an engine: podman's socket by the environment, what rootless podman gets beyond the Docker
// API, build logs of both engines, and the errors of an engine that does not answer (exit 3, naming the fix).
import { describe, expect, it } from 'vitest';
import { connectEngine, noEngineHint } from '../../src/engine/index.ts';
import { StepTracker } from '../../src/engine/build.ts';
import { dockerAddress } from '../../src/engine/http.ts';
import { podmanAddress, podmanContainerSettings, podmanWarnings } from '../../src/engine/podman.ts';
import { EngineError } from '../../src/errors.ts';
import { engineEnv, requireEngine } from '../helpers/engine.ts';

const nowhere = { DOCKER_HOST: 'unix:///nonexistent/docker.sock', CONTAINER_HOST: 'unix:///nonexistent/podman.sock' };

describe('where podman answers', () => {
  it.each([
    [{ CONTAINER_HOST: 'unix:///srv/podman.sock', XDG_RUNTIME_DIR: '/run/user/1000' }, 1000, 'unix:///srv/podman.sock', { socketPath: '/srv/podman.sock' }],
    [{ XDG_RUNTIME_DIR: '/run/user/1000' }, 1000, 'unix:///run/user/1000/podman/podman.sock', { socketPath: '/run/user/1000/podman/podman.sock' }],
    [{}, 1234, 'unix:///run/user/1234/podman/podman.sock', { socketPath: '/run/user/1234/podman/podman.sock' }],
    [{ XDG_RUNTIME_DIR: '/run/user/0' }, 0, 'unix:///run/podman/podman.sock', { socketPath: '/run/podman/podman.sock' }],
    [{ CONTAINER_HOST: 'tcp://127.0.0.1:8080' }, 1000, 'tcp://127.0.0.1:8080', { host: '127.0.0.1', port: 8080, protocol: 'http' }],
  ])('%j as uid %i → %s', (env, uid, display, dockerode) => {
    const address = podmanAddress(env, uid);
    expect(address).toMatchObject({ kind: 'podman', display, dockerode });
  });

  it('refuses a CONTAINER_HOST it cannot reach (ssh), saying what to set instead (exit 3)', () => {
    const error = (() => {
      try {
        podmanAddress({ CONTAINER_HOST: 'ssh://core@example.org/run/podman/podman.sock' }, 1000);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).exitCode).toBe(3);
    expect((error as EngineError).message).toBe('CONTAINER_HOST=ssh://core@example.org/run/podman/podman.sock: repro reaches podman over a local socket (unix://) or plain tcp://, not this');
    expect((error as EngineError).hint).toContain('unset CONTAINER_HOST to use /run/user/1000/podman/podman.sock');
  });

  it('Docker stays where DOCKER_HOST says', () => {
    expect(dockerAddress({})).toMatchObject({ kind: 'docker', display: 'unix:///var/run/docker.sock', dockerode: { socketPath: '/var/run/docker.sock' } });
    expect(dockerAddress({ DOCKER_HOST: 'tcp://10.0.0.1:2376', DOCKER_TLS_VERIFY: '1' })).toEqual({ kind: 'docker', display: 'tcp://10.0.0.1:2376' });
  });
});

describe('what rootless podman gets beyond the Docker API', () => {
  const rootless = { rootless: true, cgroupVersion: 'v2' };
  it('maps the calling user to itself (keep-id) and runs a bridge as slirp4netns', () => {
    expect(podmanContainerSettings(rootless, 'none', 1000)).toEqual({ UsernsMode: 'keep-id' });
    expect(podmanContainerSettings(rootless, 'bridge', 1000)).toEqual({ UsernsMode: 'keep-id', NetworkMode: 'slirp4netns' });
    expect(podmanContainerSettings(rootless, 'host', 1000)).toEqual({ UsernsMode: 'keep-id' });
  });
  it('keeps the default mapping for root talking to a rootless podman, and changes nothing for rootful podman', () => {
    expect(podmanContainerSettings(rootless, 'none', 0)).toEqual({});
    expect(podmanContainerSettings({ rootless: false, cgroupVersion: 'v2' }, 'bridge', 1000)).toEqual({});
  });
  it('says when limits cannot be enforced: rootless on cgroup v1, confined containers only', () => {
    expect(podmanWarnings({ rootless: true, cgroupVersion: 'v1' }, true)).toEqual([
      'rootless podman on cgroup v1 cannot limit memory, CPUs or processes: the container runs without those limits (cgroup v2 enforces them)',
    ]);
    expect(podmanWarnings({ rootless: true, cgroupVersion: 'v1' }, false)).toEqual([]);
    expect(podmanWarnings({ rootless: true, cgroupVersion: 'v2' }, true)).toEqual([]);
    expect(podmanWarnings({ rootless: false, cgroupVersion: 'v1' }, true)).toEqual([]);
  });
});

describe('build logs of both engines', () => {
  const feed = (lines: string[]) => {
    const tracker = new StepTracker();
    const logged: string[] = [];
    for (const line of lines) tracker.take(line, { update() {}, log: (text) => void logged.push(text) });
    return { tracker, logged };
  };

  it('Docker: "Step n/m :" headers and " ---> Using cache"', () => {
    const { tracker, logged } = feed(['Step 1/3 : FROM debian:bookworm', ' ---> 6f1474b4422b', 'Step 2/3 : RUN echo hi', ' ---> Using cache', ' ---> 964964', 'Step 3/3 : RUN false', 'last words']);
    expect(logged).toEqual(['  step 1/3 (FROM debian:bookworm)', '  step 2/3 (RUN echo hi)', '  step 3/3 (RUN false)']);
    expect({ steps: tracker.steps, cached: tracker.cached, current: tracker.current, tail: tracker.tail }).toEqual({ steps: 2, cached: 1, current: 'step 3/3 (RUN false)', tail: ['last words'] });
  });

  it('podman (buildah): "[stage] STEP n/m:" headers, "--> Using cache <id>", COMMIT and ids not kept as output', () => {
    const { tracker, logged } = feed([
      '[1/2] STEP 1/2: FROM debian:bookworm AS node',
      '[1/2] STEP 2/2: RUN echo hi',
      `--> Using cache ${'a'.repeat(64)}`,
      '--> 964964',
      'STEP 1/2: FROM debian:bookworm',
      'STEP 2/2: RUN echo last words && false',
      'last words',
      'COMMIT docker.io/repro-test/x:1',
      'b'.repeat(64),
    ]);
    expect(logged).toEqual(['  stage 1/2 step 1/2 (FROM debian:bookworm AS node)', '  stage 1/2 step 2/2 (RUN echo hi)', '  step 1/2 (FROM debian:bookworm)', '  step 2/2 (RUN echo last words && false)']);
    expect({ steps: tracker.steps, cached: tracker.cached, tail: tracker.tail }).toEqual({ steps: 2, cached: 1, tail: ['last words'] });
  });
});

describe('an engine that does not answer (exit 3, naming the fix)', () => {
  it('auto: names both engines and both ways to start one', async () => {
    const error = await connectEngine({ env: nowhere, timeoutMs: 2000 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).exitCode).toBe(3);
    expect((error as EngineError).message).toMatch(
      /^no Docker engine answers at unix:\/\/\/nonexistent\/docker\.sock \(.*ENOENT.*\), and no podman API answers at unix:\/\/\/nonexistent\/podman\.sock \(.*ENOENT.*\)$/,
    );
    expect((error as EngineError).hint).toBe(noEngineHint('auto'));
    expect(noEngineHint('auto')).toContain('dockerd');
    expect(noEngineHint('auto')).toContain('`podman system service --time=0 &`');
  });

  it('--engine podman: only podman is asked, and the hint starts its API', async () => {
    const error = await connectEngine({ engine: 'podman', env: { DOCKER_HOST: process.env.DOCKER_HOST, CONTAINER_HOST: nowhere.CONTAINER_HOST }, timeoutMs: 2000 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).message).toMatch(/^no podman API answers at unix:\/\/\/nonexistent\/podman\.sock \(/);
    expect((error as EngineError).hint).toBe("start podman's API as yourself: `podman system service --time=0 &` (it serves $XDG_RUNTIME_DIR/podman/podman.sock), or use --engine local");
  });

  it('--engine docker: only Docker is asked', async () => {
    const error = await connectEngine({ engine: 'docker', env: nowhere, timeoutMs: 2000 }).catch((caught: unknown) => caught);
    expect((error as EngineError).message).toMatch(/^no Docker engine answers at unix:\/\/\/nonexistent\/docker\.sock \(/);
    expect((error as EngineError).hint).toBe('start one: dockerd (e.g. `dockerd &` as root, or `systemctl start docker`), or use --engine local');
  });

  it('auto with an unusable CONTAINER_HOST: the reason is one of the two', async () => {
    const error = await connectEngine({ env: { DOCKER_HOST: nowhere.DOCKER_HOST, CONTAINER_HOST: 'ssh://x/y' }, timeoutMs: 2000 }).catch((caught: unknown) => caught);
    expect((error as EngineError).message).toContain(', and no podman API (CONTAINER_HOST=ssh://x/y: repro reaches podman over a local socket');
  });
});

describe('auto-detection against the real podman', async () => {
  const podman = await requireEngine('podman');
  it.runIf(podman)('picks podman when Docker does not answer', async () => {
    const engine = await connectEngine({ env: { ...engineEnv('podman'), DOCKER_HOST: nowhere.DOCKER_HOST } });
    expect(engine.kind).toBe('podman');
    expect(engine.address).toBe(engineEnv('podman').CONTAINER_HOST);
  });
});
