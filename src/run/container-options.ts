// How a run container is made, as data: the one description both the engine API (repro run, local sweeps) and a
// `docker run`/`podman run` command line (a Slurm task on a node) are built from, so they cannot drift apart.
import type { ContainerOptions } from '../engine/types.ts';
import type { Manifest } from '../manifest/schema.ts';
import { passedEnvironment } from './environment.ts';

/** Where the project is baked into every image `repro build` makes. */
export const projectInImage = '/project';
/** Where the run folder (spec.json, result.json, outputs, failed notebooks) is mounted in the container. */
export const runFolderInContainer = '/out';

export interface RunContainerRequest {
  image: string;
  manifest: Manifest;
  /** Host folder mounted read-write at /out: it holds spec.json and receives result.json and the outputs. */
  runFolder: string;
  /** Data files (host path → project-relative path), mounted read-only into the project. */
  data: ReadonlyArray<{ file: string; path: string }>;
  /** uid:gid or a user name; see containerUser(). */
  user: string;
  /** Tests and benchmarks: the project bind-mounted (read-only) at this path instead of the copy in the image. */
  mountProject?: { host: string; at: string };
  /** The caller's environment, of which only research.yaml's run.env names cross over. */
  env?: NodeJS.ProcessEnv;
}

/** The inner command: the image's repro runs the spec file and writes the result file, both in the run folder. */
export function innerRunCommand(projectDir: string): string[] {
  return ['repro', '-C', projectDir, 'run', '--spec', `${runFolderInContainer}/spec.json`, '--result', `${runFolderInContainer}/result.json`];
}

/** No network (unless research.yaml says otherwise), read-only root, tmpfs /tmp, no capabilities, research.yaml's limits. */
export function runContainerOptions(request: RunContainerRequest): ContainerOptions {
  const inside = request.mountProject?.at ?? projectInImage;
  const { manifest } = request;
  return {
    image: request.image,
    cmd: innerRunCommand(inside),
    user: request.user,
    network: manifest.run.network,
    readOnly: true,
    tmpfs: { '/tmp': 'rw,exec,size=2g' },
    workdir: inside,
    mounts: [
      ...(request.mountProject ? [{ host: request.mountProject.host, container: inside, readOnly: true }] : []),
      ...request.data.map((file) => ({ host: file.file, container: `${inside}/${file.path}`, readOnly: true })),
      { host: request.runFolder, container: runFolderInContainer },
    ],
    // Only what research.yaml's run.env names crosses over; the repro inside allow-lists the kernel's environment again.
    env: { ...passedEnvironment(request.env ?? process.env, manifest.run.env), HOME: '/tmp/home' },
    confined: { memoryBytes: manifest.run.memory, cpus: manifest.run.cpus, pids: manifest.run.pids },
  };
}

/**
 * The same container as a command line (argv), for a scheduler's task script: `docker run --rm …` or `podman run
 * --rm …`. Environment values are passed by name only (`-e NAME`), so secrets never appear in a script or `ps`.
 */
export function containerCommandLine(options: ContainerOptions, runtime: 'docker' | 'podman' = 'docker'): string[] {
  const argv = [runtime, 'run', '--rm', '--network', options.network ?? 'none'];
  if (options.user) argv.push('--user', options.user);
  if (options.readOnly) argv.push('--read-only');
  for (const [path, mode] of Object.entries(options.tmpfs ?? {})) argv.push('--tmpfs', `${path}:${mode}`);
  if (options.workdir) argv.push('--workdir', options.workdir);
  for (const mount of options.mounts ?? []) argv.push('--volume', `${mount.host}:${mount.container}:${mount.readOnly ? 'ro' : 'rw'}`);
  for (const [name, value] of Object.entries(options.env ?? {})) argv.push('--env', name === 'HOME' ? `HOME=${value}` : name);
  if (options.confined) {
    const { memoryBytes, cpus, pids } = options.confined;
    argv.push('--cap-drop', 'ALL', '--security-opt', 'no-new-privileges', '--memory', String(memoryBytes), '--memory-swap', String(memoryBytes));
    argv.push('--cpus', String(cpus), '--pids-limit', String(pids));
  }
  argv.push(options.image, ...(options.cmd ?? []));
  return argv;
}
