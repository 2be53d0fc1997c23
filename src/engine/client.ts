// The container engine behind one narrow interface: the rest of repro asks for images and containers in plain values.
// Docker and podman speak the same API; podman.ts holds what differs. This file and its siblings are the only code
// that imports dockerode; it is loaded on first real use, because `repro build` with nothing to do must answer in
// well under a second and dockerode brings a gRPC stack.
import type Docker from 'dockerode';
import type { CgroupFacts } from './cpu-share.ts';
import { EngineError } from '../errors.ts';
import type { BaseImageOptions, BootstrapOptions, BootstrapTimes } from './base.ts';
import { dockerAddress, engineGet, type EngineAddress } from './http.ts';
import { podmanAddress, podmanContainerSettings, podmanHost, podmanServiceCommand, podmanWarnings, type PodmanHost } from './podman.ts';
import type { BuildOptions, BuildResult, ContainerOptions, EngineKind, ImageInfo, RunningContainer } from './types.ts';

export interface Engine {
  readonly kind: EngineKind;
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
  /** The image as `docker save` writes it (manifest.json, the config, one layer.tar per layer). */
  saveImage(ref: string): Promise<NodeJS.ReadableStream>;
  /** Load such an archive; returns the engine's lines ("Loaded image: …"). */
  loadImage(archive: NodeJS.ReadableStream): Promise<string[]>;
}

/** --engine: one engine by name, or auto (Docker when it answers, else podman). */
export type EngineChoice = EngineKind | 'auto';

export const engineChoices: readonly EngineChoice[] = ['auto', 'docker', 'podman'];

const dockerHint = 'dockerd (e.g. `dockerd &` as root, or `systemctl start docker`)';
const podmanHint = `podman's API as yourself: \`${podmanServiceCommand}\` (it serves $XDG_RUNTIME_DIR/podman/podman.sock)`;
const hints: Record<EngineChoice, string> = {
  docker: `start one: ${dockerHint}, or use --engine local`,
  podman: `start ${podmanHint}, or use --engine local`,
  auto: `start one: ${dockerHint}, or ${podmanHint}; or use --engine local`,
};

/** Hint for an engine that does not answer, by what was asked for. */
export function noEngineHint(choice: EngineChoice): string {
  return hints[choice];
}

/**
 * Connect to the engine asked for and check that it answers. docker: DOCKER_HOST (default: the local socket).
 * podman: CONTAINER_HOST (default: the calling user's podman socket). auto: Docker if it answers, else podman.
 */
export async function connectEngine(options: { engine?: EngineChoice; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<Engine> {
  const choice = options.engine ?? 'auto';
  const timeoutMs = options.timeoutMs ?? 5000;
  const env = options.env ?? process.env;
  const tried: string[] = [];
  for (const kind of choice === 'auto' ? (['docker', 'podman'] as const) : [choice]) {
    let address: EngineAddress;
    try {
      address = kind === 'docker' ? dockerAddress(env) : podmanAddress(env);
    } catch (error) {
      // A CONTAINER_HOST repro cannot use: said as it is when podman was asked for, one reason among two otherwise.
      if (choice !== 'auto' || !(error instanceof EngineError)) throw error;
      tried.push(`no podman API (${error.message})`);
      continue;
    }
    const engine = new ApiEngine(address);
    try {
      await withDeadline(engine.ping(), timeoutMs, 'no answer');
      return engine;
    } catch (error) {
      tried.push(`no ${kind === 'docker' ? 'Docker engine answers' : 'podman API answers'} at ${address.display} (${reason(error)})`);
      if (choice !== 'auto') throw new EngineError(tried[0], { hint: hints[choice], cause: error });
    }
  }
  throw new EngineError(tried.join(', and '), { hint: hints.auto });
}

class ApiEngine implements Engine {
  private docker?: Promise<Docker>;
  private podman?: Promise<PodmanHost>;

  constructor(private readonly where: EngineAddress) {}

  get kind(): EngineKind {
    return this.where.kind;
  }

  get address(): string {
    return this.where.display;
  }

  /** dockerode, loaded and connected on first use. */
  private client(): Promise<Docker> {
    const connect = this.where.dockerode;
    this.docker ??= import('dockerode').then(({ default: Dockerode }) => (connect ? new Dockerode(connect) : new Dockerode()));
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
    return ensureBaseImage(await this.client(), ref, options, this.kind);
  }

  async bootstrapBase(ref: string, options: BootstrapOptions = {}): Promise<BootstrapTimes> {
    const { bootstrapBase } = await import('./base.ts');
    return bootstrapBase(await this.client(), ref, { kind: this.kind, ...options });
  }

  async buildImage(options: BuildOptions): Promise<BuildResult> {
    const { buildImage } = await import('./build.ts');
    return buildImage(await this.client(), options);
  }

  async startContainer(options: ContainerOptions): Promise<RunningContainer> {
    const { startContainer } = await import('./run.ts');
    return startContainer(await this.client(), options, await this.containerSettings(options));
  }

  async runContainer(options: ContainerOptions): Promise<number> {
    const { runContainer } = await import('./run.ts');
    return runContainer(await this.client(), options, await this.containerSettings(options));
  }

  async saveImage(ref: string): Promise<NodeJS.ReadableStream> {
    const { saveImage } = await import('./archive.ts');
    return saveImage(await this.client(), ref);
  }

  async loadImage(archive: NodeJS.ReadableStream): Promise<string[]> {
    const { loadImage } = await import('./archive.ts');
    return loadImage(await this.client(), archive);
  }

  /**
   * Docker needs nothing beyond the options but a service's CPU share (cpu-share.ts); podman may need a user
   * namespace, and may not enforce limits.
   */
  private async containerSettings(options: ContainerOptions): Promise<{ hostConfig: Docker.HostConfig; warnings: string[] }> {
    if (this.kind !== 'podman') {
      if (options.cpuShareOf === undefined) return { hostConfig: {}, warnings: [] };
      const { cpuPlacement } = await import('./cpu-share.ts');
      return { hostConfig: cpuPlacement((await (await this.client()).info()) as CgroupFacts, options.cpuShareOf), warnings: [] };
    }
    this.podman ??= podmanHost(this.where);
    const host = await this.podman;
    return { hostConfig: podmanContainerSettings(host, options.network), warnings: podmanWarnings(host, options.confined !== undefined) };
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
