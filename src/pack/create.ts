// `repro pack`'s work: the project's image (built if needed) saved and turned into an OCI layout, the repository at
// its commit, the pinned data, research.lock, the build inputs (Debian packages, Node.js and npm tarballs, npm
// caches: see inputs.ts) and the latest verify.json, written as one deterministic tar through a temporary file
// renamed into place.
import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Progress } from '../cli/progress.ts';
import type { EngineChoice } from '../engine/index.ts';
import { UsageError } from '../errors.ts';
import type { LoadedManifest } from '../manifest/load.ts';
import { ensureProjectImage } from '../run/image.ts';
import { assemblePack, type AssembledPack } from './assemble.ts';
import { collectBuildInputs, fileOnDisk } from './inputs.ts';
import { dockerArchiveToOci, type ArchiveFile, type FileSet } from './oci.ts';
import { extractTar, writeTar } from './tar.ts';

const run = promisify(execFile);

export interface PackRequest {
  projectDir: string;
  loaded: LoadedManifest;
  /** The archive to write; default <project>/<name>-<commit short>.repro.tar. */
  out?: string;
  /** The engine that builds and saves the image; default Docker if it answers, else podman. */
  engine?: EngineChoice;
  progress: Progress;
}

export interface PackResult {
  file: string;
  sha256: string;
  size: number;
  pack: AssembledPack;
}

export async function createPack(request: PackRequest): Promise<PackResult> {
  const projectDir = path.resolve(request.projectDir);
  const { manifest } = request.loaded;
  const { progress } = request;
  const git = await gitState(projectDir);
  const out = path.resolve(request.out ?? path.join(projectDir, `${manifest.name}-${git.commit.slice(0, 12)}.repro.tar`));
  const { connectEngine } = await import('../engine/index.ts');
  const engine = await connectEngine({ engine: request.engine });
  const tag = await ensureProjectImage({ projectDir, loaded: request.loaded, engine, progress });
  const info = await engine.inspectImage(tag);
  if (!info) throw new UsageError(`the image ${tag} vanished while packing`, 'Run `repro pack` again.');
  const scratch = await mkdtemp(path.join(tmpdir(), 'repro-pack-'));
  try {
    progress.update(`saving ${tag}`);
    const saved = await extractTar(await engine.saveImage(tag), path.join(scratch, 'saved'));
    const layout = dockerArchiveToOci(saved);
    const config = JSON.parse(layout.get(`blobs/sha256/${info.id.slice('sha256:'.length)}`)?.bytes?.toString('utf8') ?? '{}') as { architecture?: string; os?: string };
    progress.update('archiving the repository');
    const repositoryFile = path.join(scratch, 'repository.tar');
    await run('git', ['archive', '--format=tar', '-o', repositoryFile, git.commit], { cwd: projectDir });
    const { ensureData } = await import('../data/index.ts');
    const data: FileSet = new Map();
    for (const file of await ensureData(projectDir, manifest.data, { progress: { ...progress, done: () => {} } })) {
      data.set(file.path, { sha256: file.sha256, size: file.bytes, source: file.file });
    }
    const { requireLock } = await import('../lock/index.ts');
    const { cacheDir } = await import('../engine/index.ts');
    const inputs = await collectBuildInputs({ projectDir, lock: await requireLock(projectDir), tag, engine, progress, cacheDir: cacheDir() });
    const verify = await fileOnDisk(path.join(projectDir, '.repro', 'runs', 'last', 'verify.json'));
    const pack = assemblePack({
      name: manifest.name,
      commit: git.commit,
      projectPath: git.prefix,
      image: { id: info.id, tag, architecture: config.architecture ?? 'unknown', os: config.os ?? 'unknown' },
      layout,
      repository: await requiredFile(repositoryFile),
      lock: await requiredFile(path.join(projectDir, 'research.lock')),
      data,
      inputs: inputs.found,
      missingInputs: inputs.missing,
      ...(verify ? { verify } : {}),
    });
    progress.update(`writing ${path.basename(out)}`);
    const temporary = `${out}.${process.pid}.partial`;
    try {
      const written = await writeTar(pack.entries, createWriteStream(temporary));
      await rename(temporary, out);
      progress.done();
      return { file: out, ...written, pack };
    } finally {
      await rm(temporary, { force: true });
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The commit to pack, refusing uncommitted changes to tracked files: a pack holds the repository at a commit. */
async function gitState(projectDir: string): Promise<{ commit: string; prefix: string }> {
  const git = (...args: string[]) => run('git', args, { cwd: projectDir }).then((r) => r.stdout.trim());
  let commit: string;
  try {
    commit = await git('rev-parse', '--verify', 'HEAD^{commit}');
  } catch {
    throw new UsageError(`${projectDir} is not in a git repository with a commit`, 'A pack holds the repository at a commit: `git init`, commit the project, then run `repro pack`.');
  }
  // Not trimmed: each porcelain line starts with its two status columns, the first often a space.
  const { stdout: status } = await run('git', ['status', '--porcelain', '--untracked-files=no', '--', '.'], { cwd: projectDir });
  const changed = status.split('\n').filter(Boolean);
  if (changed.length > 0) {
    const names = changed.map((line) => line.slice(3));
    throw new UsageError(
      `uncommitted changes to tracked files: ${names.slice(0, 5).join(', ')}${names.length > 5 ? ` and ${names.length - 5} more` : ''}`,
      'A pack holds the repository at its commit, and the image and results must be the ones of that commit: commit (or revert) the changes, then run `repro pack` again.',
    );
  }
  return { commit, prefix: (await git('rev-parse', '--show-prefix')).replace(/\/$/, '') };
}

async function requiredFile(file: string): Promise<ArchiveFile> {
  const found = await fileOnDisk(file);
  if (!found) throw new UsageError(`${file} is missing`, 'Run `repro lock` and commit research.lock, then `repro pack`.');
  return found;
}
