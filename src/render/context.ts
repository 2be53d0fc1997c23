// What goes into the project's image and the tag that names it: the content hash of the Dockerfile and every
// context file. Big pinned files are named by their hashes in research.lock, so the warm path reads no tarballs.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';
import type { ContextFile } from '../engine/index.ts';
import type { Lock } from '../lock/schema.ts';
import type { ToolkitBundle } from '../lock/toolkit.ts';
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
}

/** One line of the tag's input list: where a file sits in the context and what its content is. */
export interface ImageInput {
  contextPath: string;
  /** sha256 of the content, or for the npm cache the lockfile's (the cache is a function of it). */
  sha256: string;
  executable: boolean;
}

/** Never part of the image: tooling state, dependencies (installed from the lockfile), committed results. */
const excludedPrefixes = ['.git/', 'node_modules/', '.repro/', 'results/'];

/** The repository's files for the image: git's view when it is a git work tree (tracked + untracked, not ignored), else a walk. */
export async function collectProjectFiles(projectDir: string, manifest: Manifest): Promise<ProjectFile[]> {
  const excluded = new Set(manifest.data.map((entry) => entry.path));
  const outputs = manifest.entrypoints.map((entry) => entry.outputs.replace(/\/*$/, '/'));
  const paths = (await gitFiles(projectDir)) ?? (await walk(projectDir, ''));
  const wanted = [...new Set(paths)]
    .sort()
    .filter((path) => !excluded.has(path) && !excludedPrefixes.some((p) => path.startsWith(p)) && !outputs.some((o) => path.startsWith(o)));
  // Read concurrently: this is most of a warm `repro build` after process start-up.
  const files = await Promise.all(
    wanted.map(async (path): Promise<ProjectFile | undefined> => {
      // git lists tracked files deleted from the work tree; only files that are there go in.
      const info = await stat(join(projectDir, path)).catch(() => undefined);
      if (!info?.isFile()) return undefined;
      const content = await readFile(join(projectDir, path));
      const sha256 = createHash('sha256').update(content).digest('hex');
      return { path, layer: path.endsWith('.ipynb') ? 'notebooks' : 'code', sha256, executable: (info.mode & 0o111) !== 0, content };
    }),
  );
  return files.filter((file): file is ProjectFile => file !== undefined);
}

async function gitFiles(projectDir: string): Promise<string[] | undefined> {
  try {
    const { stdout } = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: projectDir, maxBuffer: 64 * 1024 * 1024 });
    return stdout.split('\0').filter(Boolean);
  } catch {
    return undefined;
  }
}

async function walk(root: string, prefix: string): Promise<string[]> {
  const paths: string[] = [];
  for (const entry of await readdir(join(root, prefix), { withFileTypes: true })) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (!excludedPrefixes.includes(`${path}/`)) paths.push(...(await walk(root, path)));
    } else if (entry.isFile()) paths.push(path);
  }
  return paths;
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
    ...files.map((file) => ({ contextPath: posix.join(file.layer, file.path), sha256: file.sha256, executable: file.executable })),
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

/** `repro/<name>:<first 16 hex of sha256(Dockerfile, inputs)>`: same inputs, same tag, on any machine. */
export function imageTag(name: string, dockerfile: string, inputs: ImageInput[]): string {
  const hash = createHash('sha256');
  hash.update(`Dockerfile\n${dockerfile}\n`);
  for (const input of inputs) hash.update(`${input.contextPath} ${input.sha256} ${input.executable ? 'x' : '-'}\n`);
  return `repro/${name}:${hash.digest('hex').slice(0, 16)}`;
}

export interface ContextArtifacts {
  nodeTarball: string;
  npmTarball: string;
  /** The project's npm cache, when it has an npm lockfile. */
  npmCache?: string;
  toolkitNpmCache: string;
  toolkit: ToolkitBundle;
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
    { path: 'kernels', emptyDirectory: true },
    { path: 'data', emptyDirectory: true },
    { path: 'code', emptyDirectory: true },
    { path: 'notebooks', emptyDirectory: true },
    ...project,
    ...lock.data.map((entry) => ({ path: posix.join('data', entry.path), source: join(projectDir, entry.path), mode: 0o644 })),
    ...files.map((file) => ({ path: posix.join(file.layer, file.path), content: file.content, mode: file.executable ? 0o755 : 0o644 })),
  ];
}
