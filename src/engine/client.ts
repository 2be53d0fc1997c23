// The Docker engine behind one narrow interface: the rest of repro asks for images and containers in plain values.
// This file and its siblings are the only code that imports dockerode.
import Docker from 'dockerode';
import { EngineError } from '../errors.ts';
import { ensureBaseImage, type BaseImageOptions } from './base.ts';
import { buildImage } from './build.ts';
import { runContainer, startContainer } from './run.ts';
import type { BuildOptions, BuildResult, ContainerOptions, ImageInfo, RunningContainer } from './types.ts';

export interface Engine {
  /** Where the engine answers (socket path or URL), for messages. */
  readonly address: string;
  imageExists(ref: string): Promise<boolean>;
  /** undefined when no such image. */
  inspectImage(ref: string): Promise<ImageInfo | undefined>;
  removeImage(ref: string, options?: { force?: boolean }): Promise<void>;
  /** The base image by reference: present → used; else pulled; else bootstrapped with debootstrap and kept. */
  ensureBaseImage(ref: string, options?: BaseImageOptions): Promise<ImageInfo>;
  /** Build `tag` from a Dockerfile and context files; a no-op when `tag` exists. */
  buildImage(options: BuildOptions): Promise<BuildResult>;
  /** Start a container and return a handle (for services that keep running). */
  startContainer(options: ContainerOptions): Promise<RunningContainer>;
  /** Run a container to completion and return its exit code; the container is always removed. */
  runContainer(options: ContainerOptions): Promise<number>;
}

const noEngineHint = 'start one: dockerd (e.g. `dockerd &` as root, or `systemctl start docker`), or use --engine local';

/** Connect to the engine named by DOCKER_HOST (default: the local socket) and check that it answers. */
export async function connectEngine(options: { timeoutMs?: number } = {}): Promise<Engine> {
  const docker = new Docker();
  const address = describeAddress();
  try {
    await withDeadline(docker.ping(), options.timeoutMs ?? 5000, 'no answer');
  } catch (error) {
    throw new EngineError(`no Docker engine answers at ${address} (${reason(error)})`, { hint: noEngineHint, cause: error });
  }
  return new DockerEngine(docker, address);
}

class DockerEngine implements Engine {
  constructor(
    private readonly docker: Docker,
    readonly address: string,
  ) {}

  async imageExists(ref: string): Promise<boolean> {
    return (await this.inspectImage(ref)) !== undefined;
  }

  async inspectImage(ref: string): Promise<ImageInfo | undefined> {
    return inspectImage(this.docker, ref);
  }

  async removeImage(ref: string, options: { force?: boolean } = {}): Promise<void> {
    try {
      await this.docker.getImage(ref).remove({ force: options.force ?? false });
    } catch (error) {
      if (statusCode(error) === 404) return;
      throw new EngineError(`cannot remove image ${ref}: ${reason(error)}`, { cause: error });
    }
  }

  ensureBaseImage(ref: string, options: BaseImageOptions = {}): Promise<ImageInfo> {
    return ensureBaseImage(this.docker, ref, options);
  }

  buildImage(options: BuildOptions): Promise<BuildResult> {
    return buildImage(this.docker, options);
  }

  startContainer(options: ContainerOptions): Promise<RunningContainer> {
    return startContainer(this.docker, options);
  }

  runContainer(options: ContainerOptions): Promise<number> {
    return runContainer(this.docker, options);
  }
}

export async function inspectImage(docker: Docker, ref: string): Promise<ImageInfo | undefined> {
  try {
    const info = await docker.getImage(ref).inspect();
    return {
      id: info.Id,
      tags: info.RepoTags ?? [],
      labels: info.Config?.Labels ?? {},
      size: info.Size,
      created: info.Created,
    };
  } catch (error) {
    if (statusCode(error) === 404) return undefined;
    throw new EngineError(`cannot inspect image ${ref}: ${reason(error)}`, { cause: error });
  }
}

function describeAddress(): string {
  return process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
}

export function statusCode(error: unknown): number | undefined {
  return error && typeof error === 'object' && 'statusCode' in error ? Number(error.statusCode) : undefined;
}

/** The engine's own words when it gave any, else the error's message. */
export function reason(error: unknown): string {
  if (error && typeof error === 'object' && 'json' in error) {
    const json = (error as { json?: { message?: string } }).json;
    if (json?.message) return json.message;
  }
  if (error instanceof Error) return error.message.replace(/^\(HTTP code \d+\) [^-]*- /, '').trim();
  return String(error);
}

export function withDeadline<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
