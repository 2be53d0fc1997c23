// `repro build --from-pack FILE`: the project's image made again from what the pack carries and nothing else. The
// pack is checked against pack.json first; the base is bootstrapped from the packed .deb files (a local mirror, no
// network), the pinned packages come from the packed apt mirror, Node.js, npm and the npm caches from the packed
// tarballs, and the build's RUN steps have no network. The tag is computed as `repro build` computes it, so it must be
// the pack's; afterwards the image's installed packages must be the packed ones, version for version.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Progress } from '../cli/progress.ts';
import { formatBytes, formatDuration } from '../cli/progress.ts';
import { DataError, EngineError, UsageError } from '../errors.ts';
import type { Engine } from '../engine/index.ts';
import type { Lock } from '../lock/schema.ts';
import { loadManifest } from '../manifest/load.ts';
import type { ContextArtifacts } from '../render/context.ts';
import { aptSourceFiles, field, installedPackages, packageKey, parseControl } from './debian.ts';
import { aptMirror, baseMirror, baseSourcesList, npmCacheFolder, npmCacheName } from './inputs.ts';
import { inputsFolder } from './manifest.ts';
import { dropImageBlobs, engineArchitecture, openPack, packFolder, unpackProject, type OpenedPack } from './open.ts';

export interface FromPackRequest {
  packFile: string;
  /** Unpack the project here and keep it (a folder that does not exist yet); default a scratch folder, removed. */
  into?: string;
  progress: Progress;
}

export interface FromPackResult {
  tag: string;
  built: boolean;
  imageId?: string;
  /** The unpacked project, when kept (`into`). */
  projectDir?: string;
  /** Milliseconds: checking the pack, bootstrapping the base (0 when reused), building, all. */
  times: { checkMs: number; baseMs: number; buildMs: number; totalMs: number };
}

/** Where apt finds the packed packages inside the build (Dockerfile.template's slim-base stage). */
const aptDir = '/tmp/apt';

export async function buildFromPack(request: FromPackRequest): Promise<FromPackResult> {
  const { progress } = request;
  const started = Date.now();
  const into = request.into === undefined ? undefined : path.resolve(request.into);
  if (into && (await stat(into).catch(() => undefined))) throw new UsageError(`--into: ${into} already exists`, 'Name a folder that does not exist yet: the project is unpacked into it.');
  const scratch = await mkdtemp(path.join(tmpdir(), 'repro-build-pack-'));
  try {
    progress.update(`checking ${path.basename(request.packFile)}`);
    const opened = await openPack(request.packFile, scratch);
    const bytes = opened.manifest.files.reduce((sum, file) => sum + file.size, 0);
    const checkMs = Date.now() - started;
    progress.log(`checked ${opened.manifest.files.length} files (${formatBytes(bytes)}) against pack.json in ${formatDuration(checkMs)}: commit ${opened.manifest.commit.slice(0, 12)}`);
    // The packed image is not used: it is what the build must match by tag, not an input.
    await dropImageBlobs(opened);
    const inputs = buildInputs(opened, path.basename(request.packFile));
    if (opened.manifest.image.architecture !== engineArchitecture()) {
      throw new EngineError(`the pack's Debian packages and Node.js are for ${opened.manifest.image.os}/${opened.manifest.image.architecture}; this machine is ${engineArchitecture()}`, {
        hint: 'A pack rebuilds on the CPU architecture it was made on.',
      });
    }
    const root = await unpackProject(opened, into ?? path.join(scratch, 'project'));
    const loaded = await loadManifest(root);
    const { planProjectImage, buildPlannedImage } = await import('../render/image.ts');
    const plan = await planProjectImage(root, loaded);
    if (plan.tag !== opened.manifest.image.tag) {
      throw new EngineError(`this repro computes the tag ${plan.tag} for the packed project, but the pack's image is ${opened.manifest.image.tag}`, {
        hint: `The tag hashes repro's own Dockerfile.template and scripts too: rebuild with the repro that made the pack (${opened.manifest.toolkitVersion}), or use \`repro verify --pack\`, which runs the packed image.`,
      });
    }
    const { connectEngine } = await import('../engine/index.ts');
    const engine = await connectEngine();
    if (await engine.imageExists(plan.tag)) {
      progress.log(`${plan.tag} is already in the engine: nothing built (remove it, e.g. \`docker rmi ${plan.tag}\`, to build it again from the pack)`);
      return { tag: plan.tag, built: false, ...(into ? { projectDir: root } : {}), times: { checkMs, baseMs: 0, buildMs: 0, totalMs: Date.now() - started } };
    }
    const baseStarted = Date.now();
    const baseRef = await baseFromPack(engine, plan.lock, inputs, scratch, progress);
    const baseMs = Date.now() - baseStarted;
    const { toolkitBundle } = await import('../lock/index.ts');
    const { suiteOf } = await import('../engine/index.ts');
    const artifacts: ContextArtifacts = {
      nodeTarball: inputs.file(`${plan.lock.node.package}-${plan.lock.node.version}.tgz`),
      npmTarball: inputs.file(`npm-${plan.lock.npm.version}.tgz`),
      toolkitNpmCache: inputs.npmCache(plan.lock.toolkit.dependencies),
      ...(plan.lock.lockfile ? { npmCache: inputs.npmCache(plan.lock.lockfile.sha256) } : {}),
      toolkit: await toolkitBundle(),
      aptSource: { mirror: inputs.folder(aptMirror), files: aptSourceFiles(aptDir, suiteOf(plan.lock.base.ref)) },
    };
    const buildStarted = Date.now();
    const built = await buildPlannedImage({ projectDir: root, loaded, engine, progress, plan, artifacts, baseRef, network: 'none' });
    const buildMs = Date.now() - buildStarted;
    await assertPackedPackages(engine, plan.tag, inputs);
    progress.log(`built ${plan.tag} from the pack in ${formatDuration(Date.now() - started)}: its Debian packages are the packed ones`);
    return { tag: plan.tag, built: true, imageId: built.imageId, ...(into ? { projectDir: root } : {}), times: { checkMs, baseMs, buildMs, totalMs: Date.now() - started } };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

interface PackedInputs {
  /** A packed file under inputs/, on disk. */
  file(name: string): string;
  /** A packed folder under inputs/, on disk. */
  folder(name: string): string;
  /** The packed npm cache for a lockfile's sha256. */
  npmCache(sha256: string): string;
  /** The packed Packages index of a mirror (debian/base or debian/apt), parsed. */
  packages(mirror: string): { name: string; key: string }[];
  sourcesList: string;
}

/** The pack's build inputs, refused (exit 2, naming what is missing) when the pack was made without them. */
function buildInputs(opened: OpenedPack, packName: string): PackedInputs {
  const inputs = packFolder(opened.files, inputsFolder);
  const hint = 'Make the pack again with this repro (`repro pack` packs every build input), on a machine that has them.';
  if (opened.manifest.missingInputs.length > 0) {
    throw new DataError(`${packName} lacks build inputs research.lock pins: ${opened.manifest.missingInputs.join(', ')}`, { hint });
  }
  const need = (name: string) => {
    const file = inputs.get(name);
    if (!file?.source) throw new DataError(`${packName} has no ${inputsFolder}/${name}: it was made without the build inputs`, { hint });
    return file;
  };
  const on = (name: string) => need(name).source as string;
  const indexPath = (mirror: string) => [...inputs.keys()].find((name) => name.startsWith(`${mirror}/dists/`) && name.endsWith('/Packages')) ?? `${mirror}/dists/…/Packages`;
  const inPack = (name: string) => path.join(opened.dir, inputsFolder, name);
  return {
    file: on,
    folder: (name) => {
      need(indexPath(name));
      return inPack(name);
    },
    npmCache: (sha256) => {
      need(`${npmCacheFolder}/${npmCacheName(sha256)}/complete`);
      return inPack(`${npmCacheFolder}/${npmCacheName(sha256)}`);
    },
    packages: (mirror) =>
      parseControl((need(indexPath(mirror)).bytes ?? Buffer.alloc(0)).toString('utf8')).map((stanza) => {
        const name = field(stanza, 'Package') ?? '';
        return { name, key: packageKey({ name, arch: field(stanza, 'Architecture') ?? 'all', version: field(stanza, 'Version') ?? '' }) };
      }),
    sourcesList: (need(baseSourcesList).bytes ?? Buffer.alloc(0)).toString('utf8'),
  };
}

/**
 * The base, bootstrapped from the packed packages under a name of its own (the engine's debian:<suite> is never
 * replaced), or that image when an earlier build from a pack made it with the same packages.
 */
async function baseFromPack(engine: Engine, lock: Lock, inputs: PackedInputs, scratch: string, progress: Progress): Promise<string> {
  const { basePackagesLabel, suiteOf } = await import('../engine/index.ts');
  const suite = suiteOf(lock.base.ref);
  const ref = `repro-pack/debian:${suite}-${lock.base.packages.slice('sha256:'.length, 'sha256:'.length + 16)}`;
  const existing = await engine.inspectImage(ref);
  if (existing?.labels[basePackagesLabel] === lock.base.packages) {
    progress.log(`using ${ref}, bootstrapped from a pack earlier`);
    return ref;
  }
  const mirror = inputs.folder(baseMirror);
  await engine.bootstrapBase(lock.base.ref, {
    importAs: ref,
    packageCache: path.join(scratch, 'debootstrap'),
    progress,
    archive: { mirror: `file://${mirror}`, include: [...new Set(inputs.packages(baseMirror).map((p) => p.name))].sort(), sourcesList: inputs.sourcesList },
  });
  const made = await engine.inspectImage(ref);
  if (made?.labels[basePackagesLabel] !== lock.base.packages) {
    throw new EngineError(`the base bootstrapped from the pack has packages ${made?.labels[basePackagesLabel] ?? 'unknown'}, research.lock pins ${lock.base.packages}`, {
      hint: 'The packed base packages do not make the locked base: report this with the pack.',
    });
  }
  return ref;
}

/** The rebuilt image's installed packages must be the packed ones (base and apt), name, architecture and version. */
async function assertPackedPackages(engine: Engine, tag: string, inputs: PackedInputs): Promise<void> {
  let status = '';
  const code = await engine.runContainer({ image: tag, cmd: ['cat', '/var/lib/dpkg/status'], onOutput: (chunk, stream) => (stream === 'stdout' ? (status += chunk.toString('utf8')) : undefined) });
  if (code !== 0) throw new EngineError(`cannot read the Debian package list of ${tag} (exit ${code})`);
  const installed = new Set(installedPackages(status).map(packageKey));
  const packed = new Set([...inputs.packages(baseMirror), ...inputs.packages(aptMirror)].map((p) => p.key));
  // A base package that apt upgraded is packed twice (old in the base mirror, new in apt's): only the new is installed.
  const upgraded = new Set(inputs.packages(aptMirror).map((p) => p.name));
  const missing = [...packed].filter((key) => !installed.has(key) && !(upgraded.has(key.split(' ')[0]) && inputs.packages(baseMirror).some((p) => p.key === key)));
  const extra = [...installed].filter((key) => !packed.has(key));
  if (missing.length > 0 || extra.length > 0) {
    throw new EngineError(`${tag} was built from the pack but its Debian packages differ from the packed ones: ${[...missing.map((k) => `missing ${k}`), ...extra.map((k) => `extra ${k}`)].slice(0, 8).join('; ')}`, {
      hint: `Remove it (docker rmi ${tag}) and report this with the pack.`,
    });
  }
}
