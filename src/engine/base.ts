// The base image: used if present, else pulled, else bootstrapped from Debian packages (debootstrap minbase) and
// imported under the same reference, so it is kept and reused like a pulled image.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, statfs, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { EngineError } from '../errors.ts';
import { pickMirror, readHostSources, renderSourcesList, sourcesForSuite } from './apt-sources.ts';
import { inspectImage, reason } from './client.ts';
import { packageListDigest, parseDpkgStatus } from './dpkg.ts';
import { followJsonStream } from './stream.ts';
import { silentProgress, type EngineKind, type EngineProgress, type ImageInfo } from './types.ts';

export interface BaseImageOptions {
  progress?: EngineProgress;
  /** Try the registry before bootstrapping (default true). */
  pull?: boolean;
  /** Where debootstrap works; default /dev/shm when it has room (dpkg is twice as fast in memory), else $REPRO_CACHE/tmp. */
  workDir?: string;
}

/** Label on bootstrapped bases: the digest of their installed packages (see dpkg.ts). */
export const basePackagesLabel = 'org.repro.base.packages';

export async function ensureBaseImage(docker: Docker, ref: string, options: BaseImageOptions = {}, kind: EngineKind = 'docker'): Promise<ImageInfo> {
  const progress = options.progress ?? silentProgress;
  const present = await inspectImage(docker, ref);
  if (present) return present;
  if (options.pull ?? true) {
    progress.update(`pulling ${ref}`);
    try {
      await pullImage(docker, ref, progress);
      const pulled = await inspectImage(docker, ref);
      if (pulled) return pulled;
    } catch (error) {
      progress.log(`cannot pull ${ref} (${reason(error)}); bootstrapping it from Debian packages`);
    }
  }
  await bootstrapBase(docker, ref, { workDir: options.workDir, progress, kind });
  const made = await inspectImage(docker, ref);
  if (!made) throw new EngineError(`imported ${ref} but the engine does not list it`);
  return made;
}

async function pullImage(docker: Docker, ref: string, progress: EngineProgress): Promise<void> {
  const stream = await docker.pull(ref);
  await followJsonStream(stream, (event) => {
    if (event.status) progress.update(`pulling ${ref}: ${event.status}${event.progress ? ' ' + event.progress : ''}`);
  });
}

/** debian:<suite> only: that is what debootstrap can make. */
export function suiteOf(ref: string, kind: EngineKind = 'docker'): string {
  const match = /^(?:docker\.io\/)?(?:library\/)?debian:([a-z]+)$/.exec(ref);
  if (!match) {
    throw new EngineError(`base image ${ref} is not present and cannot be pulled; only debian:<suite> can be bootstrapped`, {
      hint: `load it with \`${kind} load\`, or use base: debian:bookworm in research.yaml`,
    });
  }
  return match[1];
}

export interface BootstrapOptions {
  workDir?: string;
  progress?: EngineProgress;
  /** Import under this reference instead of `ref` (a benchmark bootstraps cold without touching the real base). */
  importAs?: string;
  /** Where downloaded .deb files are kept between bootstraps; default $REPRO_CACHE/debootstrap. */
  packageCache?: string;
  /** The engine imported into, for hints. */
  kind?: EngineKind;
  /**
   * Bootstrap from this archive instead of the host's mirror (a `file://` folder laid out as a Debian mirror, e.g. a
   * pack's packages), without checking signatures (the caller checked every file), installing `include` besides the
   * required packages; the image's /etc/apt/sources.list is then `sourcesList`.
   */
  archive?: { mirror: string; include: string[]; sourcesList: string };
}

/** Timings of one bootstrap, in milliseconds. */
export interface BootstrapTimes {
  debootstrapMs: number;
  importMs: number;
  totalMs: number;
}

/**
 * debootstrap --variant=minbase from the host's mirror (signatures checked as always), then import. The .deb files are
 * kept in a package cache, named by package and version, so a second bootstrap downloads only what changed; dpkg
 * unpacks with unsafe I/O (no fsync per file) in a work folder in memory when there is room; Debian's documentation,
 * manual pages and translations are left out of the image (the installed package list, the locked digest, is unchanged).
 */
export async function bootstrapBase(docker: Docker, ref: string, options: BootstrapOptions = {}): Promise<BootstrapTimes> {
  const progress = options.progress ?? silentProgress;
  const kind = options.kind ?? 'docker';
  const suite = suiteOf(ref, kind);
  if (process.getuid?.() !== 0) {
    throw new EngineError(`bootstrapping ${ref} needs root (debootstrap creates device files and sets owners)`, {
      hint:
        kind === 'podman'
          ? `load a ${ref} image into your podman with \`podman load\` (e.g. \`docker save ${ref} | podman load\`), or run \`repro build --engine podman\` once as root with CONTAINER_HOST naming your podman socket`
          : `run \`repro build\` once as root, or load a ${ref} image with \`docker load\``,
    });
  }
  const hostSources = options.archive ? [] : await readHostSources();
  const mirror = options.archive?.mirror ?? pickMirror(hostSources, suite);
  const archiveArgs = options.archive ? ['--no-check-gpg', `--include=${options.archive.include.join(',')}`] : [];
  const workDir = options.workDir ?? (await defaultWorkDir());
  const packageCache = options.packageCache ?? join(cacheDir(), 'debootstrap', `${suite}-${process.arch}`);
  await mkdir(workDir, { recursive: true });
  await mkdir(packageCache, { recursive: true });
  const root = await mkdtemp(join(workDir, `base-${suite}-`));
  const started = Date.now();
  try {
    progress.log(`bootstrapping ${ref} with debootstrap --variant=minbase ${suite} from ${mirror}`);
    await mkdir(join(root, 'etc/dpkg/dpkg.cfg.d'), { recursive: true });
    await writeFile(join(root, unsafeIoFile), 'force-unsafe-io\n');
    await writeFile(join(root, slimFile), dpkgExcludes.join('\n') + '\n');
    await runLogged('debootstrap', ['--variant=minbase', `--cache-dir=${packageCache}`, ...archiveArgs, suite, root, mirror], (line) => progress.update(`debootstrap: ${line}`));
    await rm(join(root, unsafeIoFile), { force: true });
    await slimRoot(root);
    // The image gets the same sources the host uses for this suite (updates and security too), and no stale lists.
    const sources = sourcesForSuite(hostSources, suite);
    await writeFile(
      join(root, 'etc/apt/sources.list'),
      options.archive?.sourcesList ?? renderSourcesList(sources.length > 0 ? sources : [{ type: 'deb', uri: mirror, suites: [suite], components: ['main'] }]),
    );
    await rm(join(root, 'var/lib/apt/lists'), { recursive: true, force: true });
    await mkdir(join(root, 'var/lib/apt/lists/partial'), { recursive: true });
    await rm(join(root, 'var/cache/apt/archives'), { recursive: true, force: true });
    await mkdir(join(root, 'var/cache/apt/archives/partial'), { recursive: true });
    const digest = packageListDigest(parseDpkgStatus(await readFile(join(root, 'var/lib/dpkg/status'), 'utf8')));
    const debootstrapMs = Date.now() - started;
    const target = options.importAs ?? ref;
    progress.update(`importing ${target}`);
    const tar = spawn('tar', ['-C', root, '--numeric-owner', '--sort=name', '-cf', '-', '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const tarDone = exitOf(tar, 'tar');
    const changes = [`LABEL ${basePackagesLabel}=${digest}`, `LABEL org.repro.base.source=${options.archive ? 'pack' : 'debootstrap'}`, 'CMD ["bash"]'];
    // The whole reference as `repo` (the API allows a tag in it): podman 4's Docker API ignores a separate `tag`.
    const stream = await docker.importImage(tar.stdout, { repo: target, changes });
    await followJsonStream(stream, () => {});
    await tarDone;
    const totalMs = Date.now() - started;
    progress.log(`bootstrapped ${target} in ${(totalMs / 1000).toFixed(0)} s`);
    return { debootstrapMs, importMs: totalMs - debootstrapMs, totalMs };
  } catch (error) {
    if (error instanceof EngineError) throw error;
    throw new EngineError(`cannot bootstrap ${ref}: ${reason(error)}`, { cause: error });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

const unsafeIoFile = 'etc/dpkg/dpkg.cfg.d/repro-unsafe-io';
const slimFile = 'etc/dpkg/dpkg.cfg.d/repro-slim';

/** What dpkg never installs in a base repro makes (the same rules as Dockerfile.template's slim-base stage). */
export const dpkgExcludes = [
  'path-exclude=/usr/share/doc/*',
  'path-include=/usr/share/doc/*/copyright',
  'path-exclude=/usr/share/man/*',
  'path-exclude=/usr/share/info/*',
  'path-exclude=/usr/share/locale/*',
  'path-include=/usr/share/locale/locale.alias',
  'path-exclude=/usr/share/lintian/*',
];

/** debootstrap extracts the first packages without dpkg's excludes: remove what they would have left out. */
export async function slimRoot(root: string): Promise<void> {
  const share = join(root, 'usr/share');
  for (const dir of ['man', 'info', 'lintian']) await emptyDir(join(share, dir), () => true);
  await emptyDir(join(share, 'locale'), (name) => name !== 'locale.alias');
  for (const pkg of await readdir(join(share, 'doc')).catch(() => [])) {
    await emptyDir(join(share, 'doc', pkg), (name) => name !== 'copyright');
    if ((await readdir(join(share, 'doc', pkg)).catch(() => [])).length === 0) await rm(join(share, 'doc', pkg), { recursive: true, force: true });
  }
}

async function emptyDir(dir: string, remove: (name: string) => boolean): Promise<void> {
  for (const name of await readdir(dir).catch(() => [])) if (remove(name)) await rm(join(dir, name), { recursive: true, force: true });
}

/** Memory (/dev/shm) when it has 1 GB free: the root file system of a base is about 120 MB while it is made. */
async function defaultWorkDir(): Promise<string> {
  const free = await statfs('/dev/shm').then((s) => s.bavail * s.bsize).catch(() => 0);
  return free > 1e9 ? '/dev/shm/repro' : join(cacheDir(), 'tmp');
}

export function cacheDir(env = process.env): string {
  return env.REPRO_CACHE ?? join(homedir(), '.cache', 'repro');
}

/** Run a command, feeding each output line to `onLine`; on failure the error carries the last lines. */
function runLogged(command: string, args: string[], onLine: (line: string) => void): Promise<void> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  const take = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      tail.push(line);
      if (tail.length > 20) tail.shift();
      onLine(line);
    }
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  return exitOf(child, command).catch((error: Error) => {
    throw new EngineError(`${error.message}\n${tail.map((l) => '  | ' + l).join('\n')}`);
  });
}

function exitOf(child: ReturnType<typeof spawn>, command: string): Promise<void> {
  return new Promise((resolve, reject) => {
    child.on('error', (error) => reject(new Error(`${command} could not start: ${error.message}`)));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited with code ${code}`))));
  });
}
