// The engine's plain-value vocabulary: what callers pass in and get back. No dockerode types leak past src/engine/.

/** The engines repro speaks to: both serve the Docker API, podman.ts holds what podman needs beyond it. */
export type EngineKind = 'docker' | 'podman';

/** Where the engine reports long-running work; src/cli/progress.ts's Progress satisfies it. */
export interface EngineProgress {
  /** Replace the current status line. */
  update(text: string): void;
  /** Print a line that stays. */
  log(text: string): void;
}

export const silentProgress: EngineProgress = { update() {}, log() {} };

export interface ImageInfo {
  /** sha256:… image id. */
  id: string;
  tags: string[];
  labels: Record<string, string>;
  /** Bytes. */
  size: number;
  created: string;
}

/**
 * A file placed in a build context: copied from the host, a literal content, a symlink (its target as written, never
 * followed), a whole host folder, or an empty folder.
 */
export type ContextFile =
  | { path: string; source: string; mode?: number }
  | { path: string; content: string | Uint8Array; mode?: number }
  | { path: string; symlink: string }
  | { path: string; directory: string }
  | { path: string; emptyDirectory: true };

export interface BuildOptions {
  /** Files of the build context; the Dockerfile is added as `Dockerfile`. */
  contextFiles: ContextFile[];
  /** Dockerfile text. */
  dockerfile: string;
  /** Image reference to tag, e.g. repro/analyses:3f2a…; the build is skipped when it exists. */
  tag: string;
  labels?: Record<string, string>;
  /** Unix seconds stamped on every context file, so the same files give the same layer cache keys. */
  mtime?: number;
  progress?: EngineProgress;
  signal?: AbortSignal;
  /** Ignore the engine's layer cache (benchmarks of a truly cold build). */
  noCache?: boolean;
  /** The network of the build's RUN steps (default: the engine's, which reaches Debian's mirror); 'none' for a build from a pack. */
  network?: string;
}

export interface BuildResult {
  tag: string;
  imageId: string;
  /** False when the tag already existed and nothing was built. */
  built: boolean;
  /** Wall time in milliseconds. */
  durationMs: number;
  /** Dockerfile steps other than FROM, and how many of them the layer cache answered (both 0 when nothing was built). */
  steps: number;
  cachedSteps: number;
}

export interface Mount {
  host: string;
  container: string;
  readOnly?: boolean;
}

export interface PortBinding {
  /** Port inside the container. */
  container: number;
  /** Port on 127.0.0.1; 0 or absent lets the engine choose a free one. */
  host?: number;
}

export interface ContainerOptions {
  image: string;
  /** Command (argv); the image's CMD when absent. */
  cmd?: string[];
  /** user or uid[:gid]; the image's USER when absent. */
  user?: string;
  /** Docker network mode: none, bridge, host … Default none: notebooks get no network unless asked. */
  network?: string;
  readOnly?: boolean;
  /** Container path → mount options, e.g. { '/tmp': 'rw,exec,size=1g' }. */
  tmpfs?: Record<string, string>;
  mounts?: Mount[];
  env?: Record<string, string>;
  /** Published on 127.0.0.1 only: a service is for this machine unless the user forwards it. */
  ports?: PortBinding[];
  workdir?: string;
  /** Receives stdout and stderr as they arrive. */
  onOutput?: (chunk: Buffer, stream: 'stdout' | 'stderr') => void;
  /** Aborting stops (and removes) the container. */
  signal?: AbortSignal;
  /** Keep the engine's own log of the output (default true); the output still reaches onOutput. */
  engineLog?: boolean;
  /** Stop the container when this process gets SIGINT/SIGTERM (default true). */
  stopOnSignal?: boolean;
  name?: string;
  labels?: Record<string, string>;
  /** Untrusted code inside: no capabilities, no privilege gain (setuid), and these limits. */
  confined?: Limits;
  /**
   * Compete for the CPU with the share of this many host processes (a service's workers), where the engine would
   * otherwise give all its containers together the share of one (cpu-share.ts).
   */
  cpuShareOf?: number;
}

export interface Limits {
  memoryBytes: number;
  /** CPUs, e.g. 1.5; more than the machine has is cut to what it has. */
  cpus: number;
  /** Processes and threads at once. */
  pids: number;
}

export interface RunningContainer {
  id: string;
  /** sha256:… id of the image the container was created from: what ran, whatever its tag names later. */
  imageId: string;
  /** Container port → host port on 127.0.0.1. */
  ports: Record<number, number>;
  /** What the engine could not do as asked (e.g. limits rootless podman on cgroup v1 cannot enforce), for the user. */
  warnings: string[];
  /** Resolves with the exit code once the container has stopped and been removed. */
  wait(): Promise<number>;
  /** Stop (SIGTERM, then SIGKILL after the grace period) and remove. */
  stop(graceSeconds?: number): Promise<void>;
}
