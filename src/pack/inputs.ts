// The build inputs a pack carries, so that `repro build --from-pack` reaches no mirror and no registry: the Node.js
// and npm tarballs, the offline npm caches of the toolkit's and the project's lockfiles, and every Debian package of
// the image as .deb files, as two small mirrors (the base's, for debootstrap; the Dockerfile's apt-get's), checked
// against research.lock: the base's package digest and every pinned package at its version.
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Progress } from '../cli/progress.ts';
import { sha256File } from '../data/index.ts';
import { EngineError } from '../errors.ts';
import type { Engine } from '../engine/index.ts';
import type { Lock } from '../lock/schema.ts';
import { debFileName, downloadSpec, installedPackages, mirrorIndex, packageKey, poolPath, type PoolFile, type StatusPackage } from './debian.ts';
import { fileFromBytes, type ArchiveFile, type FileSet } from './oci.ts';
import { engineArchitecture } from './open.ts';

/** Inside the pack's inputs/ folder. */
export const debianFolder = 'debian';
export const npmCacheFolder = 'npm-cache';
/** The two mirrors under debian/, and the base's own sources.list (the image keeps it). */
export const baseMirror = `${debianFolder}/base`;
export const aptMirror = `${debianFolder}/apt`;
export const baseSourcesList = `${debianFolder}/base-sources.list`;

export interface BuildInputs {
  /** Path under inputs/ → file. */
  found: FileSet;
  /** What research.lock pins but could not be had (named by its path under inputs/). */
  missing: string[];
}

export interface CollectRequest {
  projectDir: string;
  lock: Lock;
  /** The project's image (built): its dpkg database says which packages went in. */
  tag: string;
  engine: Engine;
  progress: Progress;
  cacheDir: string;
}

export async function collectBuildInputs(request: CollectRequest): Promise<BuildInputs> {
  const found: FileSet = new Map();
  const missing: string[] = [];
  await tarballs(request, found, missing);
  await npmCaches(request, found);
  await debianPackages(request, found, missing);
  return { found, missing };
}

/** The Node.js and npm tarballs research.lock pins, from repro's cache when they are there with the pinned sha256. */
async function tarballs({ lock, cacheDir }: CollectRequest, found: FileSet, missing: string[]): Promise<void> {
  const { nodePackage } = await import('../lock/index.ts');
  for (const [name, version, sha256] of [
    [nodePackage, lock.node.version, lock.node.sha256],
    ['npm', lock.npm.version, lock.npm.sha256],
  ] as const) {
    const fileName = `${name}-${version}.tgz`;
    const file = await fileOnDisk(path.join(cacheDir, 'tarballs', fileName));
    if (file?.sha256 === sha256) found.set(fileName, file);
    else missing.push(fileName);
  }
}

/** The npm caches `npm ci --offline` reads in the image: the toolkit's, and the project's when it has a lockfile. */
async function npmCaches({ projectDir, lock, progress }: CollectRequest, found: FileSet): Promise<void> {
  const { ensureNpmCache, toolkitDepsDir } = await import('../lock/index.ts');
  const caches = [await ensureNpmCache(path.join(toolkitDepsDir, 'package-lock.json'), lock.toolkit.dependencies, progress)];
  if (lock.lockfile) caches.push(await ensureNpmCache(path.join(projectDir, lock.lockfile.path), lock.lockfile.sha256, progress));
  for (const dir of caches) {
    progress.update(`packing the npm cache ${path.basename(dir)}`);
    for (const relative of await listFiles(dir)) {
      // npm's own logs of making the cache are not part of it.
      if (relative.startsWith('_logs/')) continue;
      const file = await fileOnDisk(path.join(dir, relative));
      if (file) found.set(`${npmCacheFolder}/${path.basename(dir)}/${relative}`, file);
    }
  }
}

/** The folder under repro's cache an npm cache for `sha256` lives in (ensureNpmCache's naming). */
export function npmCacheName(sha256: string): string {
  return sha256.slice(0, 16);
}

async function debianPackages(request: CollectRequest, found: FileSet, missing: string[]): Promise<void> {
  const { lock, engine, progress, cacheDir } = request;
  const { packageListDigest, suiteOf } = await import('../engine/index.ts');
  progress.update('listing the Debian packages of the base and the image');
  const base = await readImage(engine, lock.base.ref);
  const image = await readImage(engine, request.tag);
  const basePackages = installedPackages(base.status);
  if (packageListDigest(basePackages) !== lock.base.packages) {
    throw new EngineError(`the engine's ${lock.base.ref} is not the base research.lock pins (its packages differ)`, {
      hint: 'Run `repro lock` and `repro build` again, then pack.',
    });
  }
  const baseKeys = new Set(basePackages.map(packageKey));
  const added = installedPackages(image.status).filter((p) => !baseKeys.has(packageKey(p)));
  assertPinned(added, lock.apt, request.tag);

  const suite = suiteOf(lock.base.ref);
  const arch = engineArchitecture();
  const located = await locateDebs([...basePackages, ...added], cacheDir, suite, arch);
  const absent = [...basePackages, ...added].filter((p) => !located.has(packageKey(p)));
  if (absent.length > 0) {
    progress.update(`downloading ${absent.length} Debian packages in ${lock.base.ref}`);
    for (const [key, file] of await downloadDebs(engine, lock.base.ref, absent, path.join(cacheDir, 'debs'))) located.set(key, file);
  }
  for (const [mirror, packages] of [
    [baseMirror, basePackages],
    [aptMirror, added],
  ] as const) {
    const pool: PoolFile[] = [];
    for (const p of packages) {
      const file = located.get(packageKey(p));
      if (!file) {
        missing.push(`${mirror}/${poolPath(p)}`);
        continue;
      }
      const sha256 = await sha256File(file);
      const { size } = await stat(file);
      pool.push({ package: p, size, sha256 });
      found.set(`${mirror}/${poolPath(p)}`, { sha256, size, source: file });
    }
    const index = mirrorIndex(pool, { suite, arch, epoch: lock.sourceDateEpoch });
    found.set(`${mirror}/${index.packagesPath}`, fileFromBytes(index.packages));
    found.set(`${mirror}/${index.releasePath}`, fileFromBytes(index.release));
  }
  found.set(baseSourcesList, fileFromBytes(Buffer.from(base.sourcesList)));
}

/** The packages apt added must be exactly research.lock's, at its versions: what a rebuild installs. */
export function assertPinned(added: StatusPackage[], pins: Record<string, string>, image: string): void {
  const problems: string[] = [];
  const byName = new Map(added.map((p) => [p.name, p]));
  for (const [name, version] of Object.entries(pins).sort()) {
    const installed = byName.get(name);
    if (!installed) problems.push(`${name} ${version} is not installed`);
    else if (installed.version !== version) problems.push(`${name} is ${installed.version}, research.lock pins ${version}`);
  }
  for (const p of added) if (!(p.name in pins)) problems.push(`${p.name} ${p.version} is installed but not in research.lock`);
  if (problems.length > 0) {
    throw new EngineError(`the Debian packages of ${image} are not research.lock's: ${problems.join('; ')}`, {
      hint: 'The image was built from another lock: run `repro build` (or `repro lock` and build) again, then pack.',
    });
  }
}

/** /var/lib/dpkg/status and /etc/apt/sources.list of an image, read in a container with no network. */
async function readImage(engine: Engine, image: string): Promise<{ status: string; sourcesList: string }> {
  let stdout = '';
  let stderr = '';
  const code = await engine.runContainer({
    image,
    cmd: ['sh', '-c', 'cat /var/lib/dpkg/status && echo "--- sources.list" && cat /etc/apt/sources.list'],
    onOutput: (chunk, stream) => (stream === 'stdout' ? (stdout += chunk.toString('utf8')) : (stderr += chunk.toString('utf8'))),
  });
  const at = stdout.lastIndexOf('--- sources.list\n');
  if (code !== 0 || at < 0) throw new EngineError(`cannot read the Debian package list of ${image} (exit ${code}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return { status: stdout.slice(0, at), sourcesList: stdout.slice(at + '--- sources.list\n'.length) };
}

/** The .deb files already on this machine: debootstrap's package cache and the packs' download cache. */
async function locateDebs(packages: StatusPackage[], cacheDir: string, suite: string, arch: string): Promise<Map<string, string>> {
  const dirs = [path.join(cacheDir, 'debootstrap', `${suite}-${process.arch}`), path.join(cacheDir, 'debs')];
  const located = new Map<string, string>();
  const present = new Map<string, string>();
  for (const dir of dirs) for (const name of await readdir(dir).catch(() => [])) if (!present.has(name)) present.set(name, path.join(dir, name));
  for (const p of packages) {
    const file = present.get(debFileName(p));
    if (file && (p.arch === 'all' || p.arch === arch)) located.set(packageKey(p), file);
  }
  return located;
}

/** `apt-get download name=version` in a container from the base (the mirror the build used), into `into`. */
async function downloadDebs(engine: Engine, baseRef: string, packages: StatusPackage[], into: string): Promise<Map<string, string>> {
  await mkdir(into, { recursive: true });
  const work = await mkdtemp(path.join(into, '.download-'));
  try {
    // All at once; when one version is gone from the mirror, one by one so the others still come.
    const script = [
      'cd /out',
      'apt-get -o Acquire::Languages=none update -qq >/dev/null',
      '{ apt-get download -q "$@" >/dev/null 2>&1 || for spec in "$@"; do apt-get download -q "$spec" >/dev/null 2>&1; done; }',
    ].join(' && ');
    let stderr = '';
    const code = await engine.runContainer({
      image: baseRef,
      cmd: ['sh', '-c', script, 'sh', ...packages.map(downloadSpec)],
      user: '0',
      // apt needs Debian's mirror, as the build did; the container is thrown away.
      network: 'bridge',
      mounts: [{ host: work, container: '/out' }],
      onOutput: (chunk, stream) => {
        if (stream === 'stderr') stderr += chunk.toString('utf8');
      },
    });
    if (code !== 0) throw new EngineError(`downloading Debian packages in ${baseRef} failed (exit ${code}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`, {
      hint: 'The container needs to reach the Debian mirror the image was built from.',
    });
    const downloaded = new Map<string, string>();
    const names = new Set(await readdir(work));
    for (const p of packages) {
      const name = debFileName(p);
      if (!names.has(name)) continue;
      await rename(path.join(work, name), path.join(into, name));
      downloaded.set(packageKey(p), path.join(into, name));
    }
    return downloaded;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) files.push(...(await listFiles(dir, relative)));
    else if (entry.isFile()) files.push(relative);
  }
  return files.sort();
}

export async function fileOnDisk(file: string): Promise<ArchiveFile | undefined> {
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) return undefined;
  if (info.size <= 1024 * 1024) return fileFromBytes(await readFile(file));
  return { sha256: await sha256File(file), size: info.size, source: file };
}
