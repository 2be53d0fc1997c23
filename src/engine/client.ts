// The Docker engine behind one narrow interface: the rest of repro asks for images and containers in plain values.
// This file and its siblings are the only code that imports dockerode; it is loaded on first real use, because
// `repro build` with nothing to do must answer in well under a second and dockerode brings a gRPC stack.
import type Docker from 'dockerode';
import { EngineError } from '../errors.ts';
import type { BaseImageOptions, BootstrapOptions, BootstrapTimes } from './base.ts';
import { engineAddress, engineGet, type EngineAddress } from './http.ts';
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
  /** debootstrap `ref` (debian:<suite>) and import it, always (see BootstrapOptions: e.g. from a pack's packages). */
  bootstrapBase(ref: string, options?: BootstrapOptions): Promise<BootstrapTimes>;
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
  const address = engineAddress();
  const engine = new DockerEngine(address);
  try {
    await withDeadline(engine.ping(), options.timeoutMs ?? 5000, 'no answer');
  } catch (error) {
    throw new EngineError(`no Docker engine answers at ${address.display} (${reason(error)})`, { hint: noEngineHint, cause: error });
  }
  return engine;
}

class DockerEngine implements Engine {
  private docker?: Promise<Docker>;

  constructor(private readonly where: EngineAddress) {}

  get address(): string {
    return this.where.display;
  }

  /** dockerode, loaded and connected on first use. */
  private client(): Promise<Docker> {
    this.docker ??= import('dockerode').then(({ default: Dockerode }) => new Dockerode());
    return this.docker;
  }

  async ping(): Promise<void> {
    if (!this.where.http) {
      await (await this.client()).ping();
      return;
    }
    const answer = await engineGet(this.where.http, '/_ping', 5000);
    if (answer.status !== 200) throw new Error(`the engine answered ${answer.status} ${answer.body.trim()}`);
  }

  async imageExists(ref: string): Promise<boolean> {
    return (await this.inspectImage(ref)) !== undefined;
  }

  async inspectImage(ref: string): Promise<ImageInfo | undefined> {
    if (!this.where.http) return inspectImage(await this.client(), ref);
    const answer = await engineGet(this.where.http, `/images/${ref}/json`).catch((error: unknown) => {
      throw new EngineError(`cannot inspect image ${ref}: ${reason(error)}`, { cause: error });
    });
    if (answer.status === 404) return undefined;
    if (answer.status !== 200) throw new EngineError(`cannot inspect image ${ref}: the engine answered ${answer.status} ${answer.body.trim()}`);
    return imageInfo(JSON.parse(answer.body) as Docker.ImageInspectInfo);
  }

  async removeImage(ref: string, options: { force?: boolean } = {}): Promise<void> {
    try {
      await (await this.client()).getImage(ref).remove({ force: options.force ?? false });
    } catch (error) {
      if (statusCode(error) === 404) return;
      throw new EngineError(`cannot remove image ${ref}: ${reason(error)}`, { cause: error });
    }
  }

  async ensureBaseImage(ref: string, options: BaseImageOptions = {}): Promise<ImageInfo> {
    const { ensureBaseImage } = await import('./base.ts');
    return ensureBaseImage(await this.client(), ref, options);
  }

  async bootstrapBase(ref: string, options: BootstrapOptions = {}): Promise<BootstrapTimes> {
    const { bootstrapBase } = await import('./base.ts');
    return bootstrapBase(await this.client(), ref, options);
  }

  async buildImage(options: BuildOptions): Promise<BuildResult> {
    const { buildImage } = await import('./build.ts');
    return buildImage(await this.client(), options);
  }

  async startContainer(options: ContainerOptions): Promise<RunningContainer> {
    const { startContainer } = await import('./run.ts');
    return startContainer(await this.client(), options);
  }

  async runContainer(options: ContainerOptions): Promise<number> {
    const { runContainer } = await import('./run.ts');
    return runContainer(await this.client(), options);
  }
}

export async function inspectImage(docker: Docker, ref: string): Promise<ImageInfo | undefined> {
  try {
    return imageInfo(await docker.getImage(ref).inspect());
  } catch (error) {
    if (statusCode(error) === 404) return undefined;
    throw new EngineError(`cannot inspect image ${ref}: ${reason(error)}`, { cause: error });
  }
}

function imageInfo(info: Docker.ImageInspectInfo): ImageInfo {
  return { id: info.Id, tags: info.RepoTags ?? [], labels: info.Config?.Labels ?? {}, size: info.Size, created: info.Created };
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
