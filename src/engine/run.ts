// Run containers: create, attach output, start, wait, and always remove; Ctrl-C or an abort stops the container
// first so nothing is left running behind the user's back.
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { EngineError } from '../errors.ts';
import { reason, statusCode } from './client.ts';
import { availableParallelism } from 'node:os';
import type { ContainerOptions, Limits, RunningContainer } from './types.ts';

/** What one engine adds to every container (podman: its user namespace) and what it could not do as asked. */
export interface EngineSettings {
  hostConfig: Docker.HostConfig;
  warnings: string[];
}

const noSettings: EngineSettings = { hostConfig: {}, warnings: [] };

export async function runContainer(docker: Docker, options: ContainerOptions, settings: EngineSettings = noSettings): Promise<number> {
  const container = await startContainer(docker, options, settings);
  return container.wait();
}

export async function startContainer(docker: Docker, options: ContainerOptions, settings: EngineSettings = noSettings): Promise<RunningContainer> {
  let container: Docker.Container;
  try {
    const create = createOptions(options);
    container = await docker.createContainer({ ...create, HostConfig: { ...create.HostConfig, ...settings.hostConfig } });
  } catch (error) {
    const missing = statusCode(error) === 404;
    throw new EngineError(`cannot create a container from ${options.image}: ${reason(error)}`, {
      hint: missing ? 'build the image first: repro build' : undefined,
      cause: error,
    });
  }
  const removeOnce = once(() => container.remove({ force: true }).catch(ignoreGone));
  // The id the engine resolved the image reference to when it created the container: a tag may be moved to another
  // image by a build while this one runs, the container's image cannot.
  const imageId = await container.inspect().then(
    (info) => info.Image,
    async (error: unknown) => {
      await removeOnce();
      throw new EngineError(`cannot inspect the container created from ${options.image}: ${reason(error)}`, { cause: error });
    },
  );
  // An object, not a bare promise: awaiting attachOutput must not wait for the output to end. Podman prepares the
  // container (its network, too) when it is attached: a failure here is the engine's, and the container goes.
  const { done: outputDone } = await attachOutput(docker, container, options).catch(async (error: unknown) => {
    await removeOnce();
    throw new EngineError(`cannot attach to a container from ${options.image}: ${reason(error)}`, { cause: error });
  });
  try {
    await container.start();
  } catch (error) {
    await removeOnce();
    throw new EngineError(`cannot start a container from ${options.image}: ${reason(error)}`, { cause: error });
  }

  const stop = once(async (graceSeconds: number = 10) => {
    await container.stop({ t: graceSeconds }).catch(ignoreGone);
  });
  let exited: Promise<number> | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    // Stop the container and wait until it is removed, then let the signal do what it would have done without us.
    void stop(2)
      .then(() => exited?.catch(() => {}))
      .finally(() => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        process.kill(process.pid, signal);
      });
  };
  if (options.stopOnSignal ?? true) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  const onAbort = () => void stop(2);
  options.signal?.addEventListener('abort', onAbort, { once: true });

  exited = (async () => {
    try {
      const result = (await container.wait()) as { StatusCode: number };
      await outputDone;
      return result.StatusCode;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      options.signal?.removeEventListener('abort', onAbort);
      await removeOnce();
    }
  })();
  // A caller that only calls stop() must not see an unhandled rejection from the waiter.
  exited.catch(() => {});

  const ports = options.ports?.length ? await publishedPorts(container) : {};
  return {
    id: container.id,
    imageId,
    ports,
    warnings: settings.warnings,
    wait: () => exited,
    stop: async (graceSeconds?: number) => {
      await stop(graceSeconds);
      await exited.catch(() => {});
    },
  };
}

function createOptions(options: ContainerOptions): Docker.ContainerCreateOptions {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const port of options.ports ?? []) {
    exposed[`${port.container}/tcp`] = {};
    bindings[`${port.container}/tcp`] = [{ HostIp: '127.0.0.1', HostPort: port.host ? String(port.host) : '' }];
  }
  return {
    Image: options.image,
    Cmd: options.cmd,
    User: options.user,
    WorkingDir: options.workdir,
    Env: Object.entries(options.env ?? {}).map(([key, value]) => `${key}=${value}`),
    Labels: options.labels,
    ExposedPorts: exposed,
    name: options.name,
    Tty: false,
    AttachStdout: true,
    AttachStderr: true,
    HostConfig: {
      NetworkMode: options.network ?? 'none',
      ReadonlyRootfs: options.readOnly ?? false,
      Tmpfs: options.tmpfs,
      Binds: (options.mounts ?? []).map((m) => `${m.host}:${m.container}:${m.readOnly ? 'ro' : 'rw'}`),
      PortBindings: bindings,
      AutoRemove: false,
      ...(options.engineLog === false ? { LogConfig: { Type: 'none', Config: {} } } : {}),
      ...(options.confined ? confinement(options.confined) : {}),
    },
  };
}

/** Drop every capability, forbid gaining privileges (setuid binaries, file capabilities), cap memory, CPUs and processes. */
function confinement(limits: Limits): Docker.HostConfig {
  const cpus = Math.min(limits.cpus, availableParallelism());
  return {
    CapDrop: ['ALL'],
    SecurityOpt: ['no-new-privileges'],
    Memory: limits.memoryBytes,
    // Swap would let a notebook run far past its memory limit, slowly; the limit is the limit.
    MemorySwap: limits.memoryBytes,
    NanoCpus: Math.round(cpus * 1e9),
    PidsLimit: limits.pids,
  };
}

/** Attach before start so no early output is lost; resolves when the output stream ends. */
async function attachOutput(docker: Docker, container: Docker.Container, options: ContainerOptions): Promise<{ done: Promise<void> }> {
  const stream = await container.attach({ stream: true, stdout: true, stderr: true, hijack: true });
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', (chunk: Buffer) => options.onOutput?.(chunk, 'stdout'));
  stderr.on('data', (chunk: Buffer) => options.onOutput?.(chunk, 'stderr'));
  docker.modem.demuxStream(stream, stdout, stderr);
  const done = new Promise<void>((resolve) => {
    stream.on('end', () => resolve());
    stream.on('close', () => resolve());
    stream.on('error', () => resolve());
  });
  return { done };
}

async function publishedPorts(container: Docker.Container): Promise<Record<number, number>> {
  const info = await container.inspect();
  const ports: Record<number, number> = {};
  for (const [key, bindings] of Object.entries(info.NetworkSettings.Ports ?? {})) {
    const hostPort = bindings?.[0]?.HostPort;
    if (hostPort) ports[Number.parseInt(key, 10)] = Number(hostPort);
  }
  return ports;
}

function ignoreGone(error: unknown): void {
  const code = statusCode(error);
  // 304: already stopped; 404: already removed; 409: removal already in progress.
  if (code === 304 || code === 404 || code === 409) return;
  throw error;
}

function once<A extends unknown[], T>(fn: (...args: A) => Promise<T>): (...args: A) => Promise<T> {
  let result: Promise<T> | undefined;
  return (...args: A) => (result ??= fn(...args));
}
