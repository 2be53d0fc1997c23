// What podman needs beyond the Docker API it serves: where its socket is, whether it runs rootless, and how a
// container's files come back owned by the person who ran repro. Everything else is the same API (see client.ts).
import { EngineError } from '../errors.ts';
import { engineGet, parseHost, type EngineAddress } from './http.ts';

/** The command that starts podman's API for the calling user, for hints. */
export const podmanServiceCommand = 'podman system service --time=0 &';

/**
 * CONTAINER_HOST, else the socket `podman system service` serves by default: $XDG_RUNTIME_DIR/podman/podman.sock
 * for a user (/run/user/UID/… when XDG_RUNTIME_DIR is unset, as under su or sudo), /run/podman/podman.sock for root.
 */
export function podmanAddress(env: NodeJS.ProcessEnv = process.env, uid: number = process.getuid?.() ?? 0): EngineAddress {
  const host = env.CONTAINER_HOST || `unix://${defaultSocket(env, uid)}`;
  const address: EngineAddress = { kind: 'podman', ...parseHost(host) };
  if (!address.dockerode) {
    throw new EngineError(`CONTAINER_HOST=${host}: repro reaches podman over a local socket (unix://) or plain tcp://, not this`, {
      hint: `unset CONTAINER_HOST to use ${defaultSocket(env, uid)}, or start the API with \`${podmanServiceCommand}\``,
    });
  }
  return address;
}

function defaultSocket(env: NodeJS.ProcessEnv, uid: number): string {
  if (uid === 0) return '/run/podman/podman.sock';
  return `${env.XDG_RUNTIME_DIR || `/run/user/${uid}`}/podman/podman.sock`;
}

/** What repro asks podman about itself, once per connection (libpod's own /info; the Docker one does not say). */
export interface PodmanHost {
  rootless: boolean;
  /** 'v1' or 'v2'. Rootless podman on cgroup v1 cannot limit memory, CPUs or processes. */
  cgroupVersion: string;
}

interface LibpodInfo {
  host?: { security?: { rootless?: boolean }; cgroupVersion?: string };
}

export async function podmanHost(address: EngineAddress): Promise<PodmanHost> {
  if (!address.http) return { rootless: false, cgroupVersion: 'v2' };
  const answer = await engineGet(address.http, '/v4.0.0/libpod/info');
  if (answer.status !== 200) throw new EngineError(`podman at ${address.display} did not describe itself: ${answer.status} ${answer.body.trim()}`);
  const info = JSON.parse(answer.body) as LibpodInfo;
  return { rootless: info.host?.security?.rootless ?? false, cgroupVersion: info.host?.cgroupVersion ?? 'v2' };
}

/** The parts of a container's HostConfig podman needs and Docker has no use for. */
export interface PodmanContainerSettings {
  /** keep-id: the calling user's uid and gid are the same inside and out, so what the container writes is theirs. */
  UsernsMode?: string;
  /** slirp4netns for Docker's bridge: rootless podman's own network, with ports published on the host. */
  NetworkMode?: string;
}

/**
 * Rootless podman maps container uid 0 to the user and every other uid into their subordinate range, so a notebook
 * running as the caller's uid inside would write files the caller cannot delete. keep-id maps the caller to itself.
 * Root talking to a rootless podman (tests do) is not the podman user: it keeps the default mapping.
 * Docker's `bridge` is a network of podman's (netavark) that rootless podman reaches through a namespace of its own,
 * which needs more of the host than slirp4netns, rootless podman's default: a bridge asked for gets slirp4netns.
 */
export function podmanContainerSettings(host: PodmanHost, network: string | undefined, callerUid: number = process.getuid?.() ?? 0): PodmanContainerSettings {
  if (!host.rootless) return {};
  return { ...(callerUid !== 0 ? { UsernsMode: 'keep-id' } : {}), ...(network === 'bridge' ? { NetworkMode: 'slirp4netns' } : {}) };
}

/** What the engine could not do as asked, for the person running repro. */
export function podmanWarnings(host: PodmanHost, confined: boolean): string[] {
  if (confined && host.rootless && host.cgroupVersion === 'v1') {
    return ['rootless podman on cgroup v1 cannot limit memory, CPUs or processes: the container runs without those limits (cgroup v2 enforces them)'];
  }
  return [];
}
