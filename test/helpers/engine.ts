// Tests against the real engines, Docker and rootless podman: run when the engine answers, fail in CI when it does
// not, skip elsewhere with the reason. Podman here is the test user's (scripts/podman-user.sh makes it): the tests
// run as root, and podman as root is not what users run.
import { execFileSync } from 'node:child_process';
import Docker from 'dockerode';
import { connectEngine, type Engine, type EngineKind } from '../../src/engine/index.ts';

export const engineKinds: readonly EngineKind[] = ['docker', 'podman'];

/** The user rootless podman runs as in tests (scripts/podman-user.sh's default). */
export const podmanTestUser = process.env.REPRO_PODMAN_USER ?? 'reprotest';

/** uid and gid of the podman test user; undefined when there is no such user. */
export function podmanTestIds(): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', podmanTestUser], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    const gid = Number(execFileSync('id', ['-g', podmanTestUser], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

/**
 * The environment that points repro at an engine: DOCKER_HOST as set (or Docker's default), or CONTAINER_HOST =
 * the podman test user's socket (as root), or this user's own podman socket.
 */
export function engineEnv(kind: EngineKind): NodeJS.ProcessEnv {
  if (kind === 'docker') return process.env;
  if (process.env.CONTAINER_HOST) return process.env;
  if (process.getuid?.() !== 0) return process.env;
  const ids = podmanTestIds();
  return { ...process.env, CONTAINER_HOST: `unix:///run/user/${ids?.uid ?? 'NO-SUCH-USER'}/podman/podman.sock` };
}

/** The engine as the tests reach it. */
export function connectTestEngine(kind: EngineKind): Promise<Engine> {
  return connectEngine({ engine: kind, env: engineEnv(kind) });
}

/** dockerode on the same socket, for what the tests check behind repro's back (containers left, published ports). */
export function engineClient(kind: EngineKind): Docker {
  const host = kind === 'docker' ? process.env.DOCKER_HOST : engineEnv(kind).CONTAINER_HOST;
  return host?.startsWith('unix://') ? new Docker({ socketPath: host.slice('unix://'.length) }) : new Docker();
}

export async function engineAnswers(kind: EngineKind = 'docker'): Promise<boolean> {
  try {
    await connectTestEngine(kind);
    return true;
  } catch {
    return false;
  }
}

const howToStart: Record<EngineKind, string> = {
  docker: 'start dockerd (see .ci/run)',
  podman: `run scripts/podman-user.sh as root (it makes the user ${podmanTestUser} and starts its podman API; see .ci/run)`,
};

/**
 * Resolves to true when the engine's tests should run. In CI (CI set) with no such engine it throws, so the suite
 * fails instead of passing having tested nothing.
 */
export async function requireEngine(kind: EngineKind = 'docker'): Promise<boolean> {
  if (await engineAnswers(kind)) return true;
  const name = kind === 'docker' ? 'Docker engine' : 'podman API';
  if (process.env.CI) throw new Error(`CI is set but no ${name} answers: ${howToStart[kind]}.`);
  console.warn(`skipping ${kind} tests: no ${name} answers (${howToStart[kind]} to run them)`);
  return false;
}
