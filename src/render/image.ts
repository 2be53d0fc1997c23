// The project's image from research.yaml + research.lock: render the Dockerfile, hash every input into the tag,
// and build only when no image has that tag (the warm path reads the lock and small files, nothing else).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { ensureData } from '../data/index.ts';
import type { BuildResult, Engine, EngineProgress } from '../engine/index.ts';
import { ManifestError } from '../errors.ts';
import { assertBaseFresh, assertLockFresh, basePackagesDigest, ensureNpmCache, ensurePackageTarball, nodePackage, requireLock, toolkitBundle, toolkitDepsDir, type Lock } from '../lock/index.ts';
import type { LoadedManifest } from '../manifest/load.ts';
import { collectProjectFiles, contextFiles, imageInputs, imageTag, kernelFiles, toolFiles, type ContextArtifacts, type GeneratedFile, type ProjectFile } from './context.ts';
import { renderDockerfile } from './dockerfile.ts';

export interface ProjectImagePlan {
  lock: Lock;
  dockerfile: string;
  files: ProjectFile[];
  /** repro/<name>:<content hash>. */
  tag: string;
}

export interface ProjectImageResult extends ProjectImagePlan {
  /** False when an image with the tag already existed. */
  built: boolean;
  durationMs: number;
  /** Dockerfile steps run, and how many the layer cache answered (0 and 0 when nothing was built). */
  steps: number;
  cachedSteps: number;
}

export const templateFileName = 'Dockerfile.template';

/** Check the lock, render the Dockerfile and compute the tag; touches no engine. */
export async function planProjectImage(projectDir: string, loaded: LoadedManifest): Promise<ProjectImagePlan> {
  const lock = await requireLock(projectDir);
  await assertLockFresh(loaded, lock);
  const { text: template, name: templateName } = await readTemplate(projectDir);
  const packageJson = lock.lockfile ? await readPackageJson(projectDir, lock.lockfile.path) : undefined;
  const dockerfile = renderDockerfile(loaded.manifest, lock, template, { templateName });
  const files = await collectProjectFiles(projectDir, loaded.manifest);
  const packageJsonSha = packageJson && createHash('sha256').update(packageJson).digest('hex');
  const tag = imageTag(loaded.manifest.name, dockerfile, imageInputs(lock, files, packageJsonSha, await generatedFiles(loaded)));
  return { lock, dockerfile, files, tag };
}

async function readPackageJson(projectDir: string, lockfile: string): Promise<Buffer> {
  const path = join(projectDir, posix.dirname(lockfile), 'package.json');
  return readFile(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
    throw new ManifestError(`no package.json beside the npm lockfile ${lockfile} (looked for ${path})`, {
      hint: 'The image installs the project\'s npm dependencies with `npm ci`: commit package.json with its lockfile, or remove environment.lockfile.',
    });
  });
}

/** Build the project's image unless one with the same content tag exists. */
export async function buildProjectImage(request: {
  projectDir: string;
  loaded: LoadedManifest;
  engine: Engine;
  progress: EngineProgress;
  /** From planProjectImage, when the caller already made it (e.g. to report bad input before asking for an engine). */
  plan?: ProjectImagePlan;
  signal?: AbortSignal;
  /** Ignore the engine's layer cache. */
  noCache?: boolean;
}): Promise<ProjectImageResult> {
  const started = Date.now();
  const { projectDir, loaded, engine, progress } = request;
  const plan = request.plan ?? (await planProjectImage(projectDir, loaded));
  if (await engine.imageExists(plan.tag)) return { ...plan, built: false, durationMs: Date.now() - started, steps: 0, cachedSteps: 0 };

  const { lock } = plan;
  const base = await engine.ensureBaseImage(lock.base.ref, { progress });
  assertBaseFresh(lock, { id: base.id, packages: base.id === lock.base.imageId ? undefined : await basePackagesDigest(engine, base) });
  const dataProgress = { update: (text: string) => progress.update(text), log: (text: string) => progress.log(text), done: () => {} };
  await ensureData(projectDir, loaded.manifest.data, { progress: dataProgress });
  const node = await ensurePackageTarball(nodePackage, lock.node.version, { expected: lock.node.sha256, progress });
  const npm = await ensurePackageTarball('npm', lock.npm.version, { expected: lock.npm.sha256, progress });
  const npmCache = lock.lockfile ? await ensureNpmCache(join(projectDir, lock.lockfile.path), lock.lockfile.sha256, progress) : undefined;
  const toolkitNpmCache = await ensureNpmCache(join(toolkitDepsDir, 'package-lock.json'), lock.toolkit.dependencies, progress);
  const toolkit = await toolkitBundle();
  const built = await buildPlannedImage({ ...request, plan, artifacts: { nodeTarball: node.file, npmTarball: npm.file, npmCache, toolkitNpmCache, toolkit } });
  return { ...plan, built: true, durationMs: Date.now() - started, steps: built.steps, cachedSteps: built.cachedSteps };
}

/**
 * The build itself, once the base is checked and every input is on disk: the plan's tag, its Dockerfile (or the same
 * rendered with `baseRef` for the base's FROM lines), the context from `artifacts`. `network: 'none'` for a build that
 * must reach nothing (from a pack).
 */
export async function buildPlannedImage(request: {
  projectDir: string;
  loaded: LoadedManifest;
  engine: Engine;
  progress: EngineProgress;
  plan: ProjectImagePlan;
  artifacts: ContextArtifacts;
  baseRef?: string;
  network?: string;
  signal?: AbortSignal;
  noCache?: boolean;
}): Promise<BuildResult> {
  const { projectDir, loaded, plan, progress } = request;
  const { lock } = plan;
  let dockerfile = plan.dockerfile;
  if (request.baseRef !== undefined) {
    const template = await readTemplate(projectDir);
    dockerfile = renderDockerfile(loaded.manifest, lock, template.text, { templateName: template.name, baseRef: request.baseRef });
  }
  progress.log(`building ${plan.tag}`);
  return request.engine.buildImage({
    tag: plan.tag,
    dockerfile,
    contextFiles: contextFiles(projectDir, lock, plan.files, request.artifacts, await generatedFiles(loaded)),
    mtime: lock.sourceDateEpoch,
    progress,
    signal: request.signal,
    noCache: request.noCache,
    network: request.network,
  });
}

/** The context files repro writes itself: the build packs' kernelspecs and the build's scripts. */
async function generatedFiles(loaded: LoadedManifest): Promise<GeneratedFile[]> {
  return [...kernelFiles(loaded.manifest), ...(await toolFiles())];
}

/** The project's own Dockerfile.template, else the one that ships with repro. */
async function readTemplate(projectDir: string): Promise<{ text: string; name: string }> {
  const own = await readFile(join(projectDir, templateFileName), 'utf8').catch(() => undefined);
  if (own !== undefined) return { text: own, name: templateFileName };
  const shipped = new URL(`../../${templateFileName}`, import.meta.url);
  return { text: await readFile(shipped, 'utf8'), name: `repro's ${templateFileName}` };
}
