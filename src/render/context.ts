// What goes into the project's image and the tag that names it: the content hash of the Dockerfile and every
// context file. Big pinned files are named by their hashes in research.lock, so the warm path reads no tarballs.
// The project's files are the ones git tracks (an untracked .env never goes in), less what .reproignore excludes.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';
import ignore, { type Ignore } from 'ignore';
import type { ContextFile } from '../engine/index.ts';
import { ManifestError, UnsafePathError } from '../errors.ts';
import { readRegularFile } from '../files/special.ts';
import type { Lock } from '../lock/schema.ts';
import { toolkitDepsDir, type ToolkitBundle } from '../lock/toolkit.ts';
import type { Manifest } from '../manifest/schema.ts';
import { buildPacks, packKernels, serializeKernelJson } from '../packs/index.ts';

const run = promisify(execFile);

/** A repository file that goes into the image: `code/` layer, or `notebooks/` (the last, most edited layer). */
export interface ProjectFile {
  path: string;
  layer: 'code' | 'notebooks';
  sha256: string;
  executable: boolean;
  /** The bytes that were hashed: the context sends these, so a file edited mid-build cannot disagree with the tag. */
  content: Buffer;
  /** A symlink inside the repository, kept as one: its target as written (content and sha256 are the target's text). */
  symlink?: string;
}

/** One line of the tag's input list: where a file sits in the context and what its content is. */
export interface ImageInput {
  contextPath: string;
  /** sha256 of the content, or for the npm cache the lockfile's (the cache is a function of it). */
  sha256: string;
  executable: boolean;
  /** A symlink: sha256 is of its target's text. */
  symlink?: boolean;
}

/** Never part of the image: tooling state, dependencies (installed from the lockfile), committed results. */
const excludedPrefixes = ['.git/', 'node_modules/', '.repro/', 'results/'];

/** gitignore-syntax exclusions for the image, at the project root. */
export const reproIgnoreFile = '.reproignore';

/**
 * The repository's files for the image: the files git tracks when the project is in a git work tree (untracked ones
 * never, ignored or not), else every file a walk finds; either way less .reproignore's matches. A symlink is kept as
 * a symlink when its target stays in the repository, and refused (exit 2) when it leaves; FIFOs, sockets and devices
 * never go in. research.yaml and the entrypoint notebooks must be among the files (exit 2, naming the fix).
 */
export async function collectProjectFiles(projectDir: string, manifest: Manifest): Promise<ProjectFile[]> {
  const excluded = new Set(manifest.data.map((entry) => entry.path));
  const outputs = manifest.entrypoints.map((entry) => entry.outputs.replace(/\/*$/, '/'));
  const ignored = await reproIgnore(projectDir);
  const tracked = await gitFiles(projectDir);
  const paths = tracked ?? (await walk(projectDir, '', ignored));
  const wanted = [...new Set(paths)]
    .sort()
    .filter((path) => !excluded.has(path) && !excludedPrefixes.some((p) => path.startsWith(p)) && !outputs.some((o) => path.startsWith(o)) && !ignored.ignores(path));
  // Read concurrently: this is most of a warm `repro build` after process start-up.
  const files = (await Promise.all(wanted.map((path) => projectFile(projectDir, path)))).filter((file): file is ProjectFile => file !== undefined);
  await assertEntrypointsIncluded(projectDir, manifest, files, { git: tracked !== undefined, ignored });
  return files;
}

async function projectFile(projectDir: string, path: string): Promise<ProjectFile | undefined> {
  const layer = path.endsWith('.ipynb') ? 'notebooks' : 'code';
  // lstat: a link is looked at, never through. git lists tracked files deleted from the work tree; only what is there goes in.
  const info = await lstat(join(projectDir, path)).catch(() => undefined);
  if (info?.isSymbolicLink()) {
    const target = await readlink(join(projectDir, path));
    assertLinkInside(path, target);
    return { path, layer, sha256: createHash('sha256').update(target).digest('hex'), executable: false, content: Buffer.from(target), symlink: target };
  }
  if (!info?.isFile()) return undefined;
  // Opened without following links or blocking: a file swapped for a FIFO since the lstat is skipped, not read.
  const read = await readRegularFile(projectDir, path);
  if ('special' in read) return undefined;
  const sha256 = createHash('sha256').update(read.content).digest('hex');
  return { path, layer, sha256, executable: (info.mode & 0o111) !== 0, content: read.content };
}

/** A link whose target, resolved from the link's folder, is absolute or climbs out of the repository is refused. */
function assertLinkInside(path: string, target: string): void {
  const resolved = posix.normalize(posix.join(posix.dirname(path), target));
  if (!posix.isAbsolute(target) && resolved !== '..' && !resolved.startsWith('../')) return;
  throw new UnsafePathError(
    `${path} is a symlink to ${target}, ${posix.isAbsolute(target) ? 'an absolute path' : 'outside the repository'}: the image holds only the repository's own files, and a link is never followed`,
    `Make ${path} a regular file, or a relative link to a file inside the repository; or keep it out of the image with a line in ${reproIgnoreFile}.`,
  );
}

async function reproIgnore(projectDir: string): Promise<Ignore> {
  const text = await readFile(join(projectDir, reproIgnoreFile), 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  return ignore().add(text);
}

/** Tracked files only: an untracked file (a .env, a scratch notebook) stays on this machine. */
async function gitFiles(projectDir: string): Promise<string[] | undefined> {
  try {
    const { stdout } = await run('git', ['ls-files', '-z', '--cached'], { cwd: projectDir, maxBuffer: 64 * 1024 * 1024 });
    return stdout.split('\0').filter(Boolean);
  } catch {
    return undefined;
  }
}

/** Without git: every file and link, folders entered (links never), less the fixed exclusions and .reproignore. */
async function walk(root: string, prefix: string, ignored: Ignore): Promise<string[]> {
  const paths: string[] = [];
  for (const entry of await readdir(join(root, prefix), { withFileTypes: true })) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (!excludedPrefixes.includes(`${path}/`) && !ignored.ignores(`${path}/`)) paths.push(...(await walk(root, path, ignored)));
    } else if (entry.isFile() || entry.isSymbolicLink()) paths.push(path);
  }
  return paths;
}

/** The image runs research.yaml's notebooks: each one (and research.yaml) left out is bad input, named with the fix. */
async function assertEntrypointsIncluded(projectDir: string, manifest: Manifest, files: ProjectFile[], how: { git: boolean; ignored: Ignore }): Promise<void> {
  const included = new Set(files.map((file) => file.path));
  for (const path of ['research.yaml', ...manifest.entrypoints.map((entry) => entry.notebook)]) {
    if (included.has(path) || !(await lstat(join(projectDir, path)).catch(() => undefined))) continue;
    const why = how.ignored.ignores(path) ? `${reproIgnoreFile} excludes it` : how.git ? 'git does not track it (the image holds tracked files only)' : 'it is not a regular file';
    const fix = how.ignored.ignores(path) ? `take it out of ${reproIgnoreFile}` : how.git ? `git add ${path}` : `make ${path} a regular file`;
    throw new ManifestError(`${path} would not be in the image: ${why}`, { hint: `The container runs it: ${fix}, then build again.` });
  }
}

/** The project's npm folder (where package.json sits next to its lockfile), relative to the project. */
function npmDir(lockfile: NonNullable<Lock['lockfile']>): string {
  return posix.dirname(lockfile.path);
}

/** A generated context file (kernelspecs): its path in the context and its bytes. */
export interface GeneratedFile {
  path: string;
  content: string;
}

/** The kernelspecs the environment's build packs register, as context files under kernels/. */
export function kernelFiles(manifest: Manifest): GeneratedFile[] {
  return [...packKernels(buildPacks(manifest.environment))]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, spec]) => ({ path: `kernels/${name}/kernel.json`, content: serializeKernelJson(spec) }));
}

/** The build's own scripts, under tools/: prune.cjs trims node_modules after each `npm ci` (see Dockerfile.template). */
export async function toolFiles(): Promise<GeneratedFile[]> {
  return [{ path: 'tools/prune.cjs', content: await readFile(join(toolkitDepsDir, 'prune.cjs'), 'utf8') }];
}

/** Every context entry by content, in context-path order; pinned files are taken from the lock. */
export function imageInputs(lock: Lock, files: ProjectFile[], packageJsonSha256: string | undefined, generated: GeneratedFile[] = []): ImageInput[] {
  const sha = (content: string) => createHash('sha256').update(content).digest('hex');
  const inputs: ImageInput[] = [
    { contextPath: 'node/node.tgz', sha256: lock.node.sha256, executable: false },
    { contextPath: 'node/npm.tgz', sha256: lock.npm.sha256, executable: false },
    // The toolkit's files and npm cache are functions of the hashes the lock pins.
    { contextPath: 'toolkit/app/', sha256: lock.toolkit.bundle, executable: false },
    { contextPath: 'toolkit/npm-cache/', sha256: lock.toolkit.dependencies, executable: false },
    ...generated.map((file) => ({ contextPath: file.path, sha256: sha(file.content), executable: false })),
    ...lock.data.map((entry) => ({ contextPath: posix.join('data', entry.path), sha256: entry.sha256, executable: false })),
    ...files.map((file) => ({ contextPath: posix.join(file.layer, file.path), sha256: file.sha256, executable: file.executable, ...(file.symlink === undefined ? {} : { symlink: true }) })),
  ];
  if (lock.lockfile && packageJsonSha256 !== undefined) {
    inputs.push(
      { contextPath: 'npm-cache/', sha256: lock.lockfile.sha256, executable: false },
      { contextPath: posix.join('deps', npmDir(lock.lockfile), 'package.json'), sha256: packageJsonSha256, executable: false },
      { contextPath: posix.join('deps', lock.lockfile.path), sha256: lock.lockfile.sha256, executable: false },
    );
  }
  return inputs.sort((a, b) => (a.contextPath < b.contextPath ? -1 : a.contextPath > b.contextPath ? 1 : 0));
}

function aptSourceFiles(source: ContextArtifacts['aptSource']): ContextFile[] {
  if (!source) return [];
  return [
    { path: 'apt/mirror', directory: source.mirror },
    { path: 'apt/sources.list.d', emptyDirectory: true },
    ...Object.entries(source.files).map(([name, content]) => ({ path: `apt/${name}`, content, mode: 0o644 })),
  ];
}

/** `repro/<name>:<first 16 hex of sha256(Dockerfile, inputs)>`: same inputs, same tag, on any machine. */
export function imageTag(name: string, dockerfile: string, inputs: ImageInput[]): string {
  const hash = createHash('sha256');
  hash.update(`Dockerfile\n${dockerfile}\n`);
  for (const input of inputs) hash.update(`${input.contextPath} ${input.sha256} ${input.symlink ? 'l' : input.executable ? 'x' : '-'}\n`);
  return `repro/${name}:${hash.digest('hex').slice(0, 16)}`;
}

export interface ContextArtifacts {
  nodeTarball: string;
  npmTarball: string;
  /** The project's npm cache, when it has an npm lockfile. */
  npmCache?: string;
  toolkitNpmCache: string;
  toolkit: ToolkitBundle;
  /**
   * Where apt takes the pinned Debian packages from, when not from the base's sources: a folder laid out as a Debian
   * mirror and the apt.conf and sources.list naming it (a build from a pack). Not part of the tag: the packages and
   * their versions are the Dockerfile's, whichever archive serves them.
   */
  aptSource?: { mirror: string; files: Record<string, string> };
}

/** The build context's files, laid out as Dockerfile.template expects. */
export function contextFiles(projectDir: string, lock: Lock, files: ProjectFile[], artifacts: ContextArtifacts, generated: GeneratedFile[] = []): ContextFile[] {
  const project: ContextFile[] = [];
  if (lock.lockfile && artifacts.npmCache) {
    const dir = npmDir(lock.lockfile);
    project.push(
      { path: 'npm-cache', directory: artifacts.npmCache },
      { path: posix.join('deps', dir, 'package.json'), source: join(projectDir, dir, 'package.json'), mode: 0o644 },
      { path: posix.join('deps', lock.lockfile.path), source: join(projectDir, lock.lockfile.path), mode: 0o644 },
    );
  }
  return [
    { path: 'node/node.tgz', source: artifacts.nodeTarball, mode: 0o644 },
    { path: 'node/npm.tgz', source: artifacts.npmTarball, mode: 0o644 },
    { path: 'toolkit/npm-cache', directory: artifacts.toolkitNpmCache },
    ...artifacts.toolkit.files.map((file) => ({ path: posix.join('toolkit/app', file.path), content: file.content, mode: file.mode })),
    ...generated.map((file) => ({ path: file.path, content: file.content, mode: 0o644 })),
    // COPY needs each folder even when it is empty (no npm lockfile, no data, no notebooks).
    { path: 'npm-cache', emptyDirectory: true },
    { path: 'deps', emptyDirectory: true },
    { path: 'apt', emptyDirectory: true },
    ...aptSourceFiles(artifacts.aptSource),
    { path: 'kernels', emptyDirectory: true },
    { path: 'data', emptyDirectory: true },
    { path: 'code', emptyDirectory: true },
    { path: 'notebooks', emptyDirectory: true },
    ...project,
    ...lock.data.map((entry) => ({ path: posix.join('data', entry.path), source: join(projectDir, entry.path), mode: 0o644 })),
    ...files.map((file): ContextFile =>
      file.symlink === undefined
        ? { path: posix.join(file.layer, file.path), content: file.content, mode: file.executable ? 0o755 : 0o644 }
        : { path: posix.join(file.layer, file.path), symlink: file.symlink },
    ),
  ];
}
