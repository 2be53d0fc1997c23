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
import { suiteOf, type Engine, type EngineKind } from '../engine/index.ts';
import { parseLock } from '../lock/file.ts';
import type { Lock } from '../lock/schema.ts';
import { loadManifest } from '../manifest/load.ts';
import type { ContextArtifacts } from '../render/context.ts';
import { aptSourceFiles, field, installedPackages, packageKey, parseControl } from './debian.ts';
import { aptMirror, baseMirror, baseSourcesList, npmCacheFolder, npmCacheName } from './inputs.ts';
import { inputsFolder, lockEntry } from './manifest.ts';
import { dropImageBlobs, engineArchitecture, openPack, packFolder, unpackProject, type OpenedPack } from './open.ts';

export interface FromPackRequest {
  packFile: string;
  /** Unpack the project here and keep it (a folder that does not exist yet); default a scratch folder, removed. */
  into?: string;
  /** docker or podman; default the one that answers (connectEngine). */
  engine?: EngineKind;
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
    const opened = await openPack(request.packFile, scratch, '--from-pack');
    const bytes = opened.manifest.files.reduce((sum, file) => sum + file.size, 0);
    const checkMs = Date.now() - started;
    progress.log(`checked ${opened.manifest.files.length} files (${formatBytes(bytes)}) against pack.json in ${formatDuration(checkMs)}: commit ${opened.manifest.commit.slice(0, 12)}`);
    // The packed image is not used: it is what the build must match by tag, not an input.
    await dropImageBlobs(opened);
    if (opened.manifest.image.architecture !== engineArchitecture()) {
      throw new EngineError(`the pack's Debian packages and Node.js are for ${opened.manifest.image.os}/${opened.manifest.image.architecture}; this machine is ${engineArchitecture()}`, {
        hint: 'A pack rebuilds on the CPU architecture it was made on.',
      });
    }
    const packName = path.basename(request.packFile);
    const lock = parseLock((opened.files.get(lockEntry)?.bytes ?? Buffer.alloc(0)).toString('utf8'), `${packName}: ${lockEntry}`);
    const inputs = packedInputs(opened, packName, lock);
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
    const engine = await connectEngine({ engine: request.engine });
    if (await engine.imageExists(plan.tag)) {
      progress.log(`${plan.tag} is already in the engine: nothing built (remove it, e.g. \`docker rmi ${plan.tag}\`, to build it again from the pack)`);
      return { tag: plan.tag, built: false, ...(into ? { projectDir: root } : {}), times: { checkMs, baseMs: 0, buildMs: 0, totalMs: Date.now() - started } };
    }
    const baseStarted = Date.now();
    const baseRef = await baseFromPack(engine, plan.lock, inputs, scratch, progress);
    const baseMs = Date.now() - baseStarted;
    const { toolkitBundle } = await import('../lock/index.ts');
    const artifacts: ContextArtifacts = {
      nodeTarball: inputs.nodeTarball,
      npmTarball: inputs.npmTarball,
      toolkitNpmCache: inputs.toolkitNpmCache,
      ...(inputs.npmCache ? { npmCache: inputs.npmCache } : {}),
      toolkit: await toolkitBundle(),
      aptSource: { mirror: inputs.aptMirror, files: aptSourceFiles(aptDir, suiteOf(plan.lock.base.ref)) },
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

/** A package as a packed mirror's index lists it. */
interface IndexedPackage {
  name: string;
  /** `name arch version`. */
  key: string;
}

/** The pack's build inputs, on disk where the pack was extracted. */
interface PackedInputs {
  nodeTarball: string;
  npmTarball: string;
  toolkitNpmCache: string;
  /** The project's npm cache, when research.lock names an npm lockfile. */
  npmCache?: string;
  /** The two mirrors (folders holding dists/ and pool/) and the packages their indexes list. */
  baseMirror: string;
  aptMirror: string;
  base: IndexedPackage[];
  apt: IndexedPackage[];
  /** The original base's /etc/apt/sources.list, which the image keeps. */
  sourcesList: string;
}

/** Every build input research.lock calls for, or a DataError (exit 2) naming the first that is missing. */
export function packedInputs(opened: OpenedPack, packName: string, lock: Lock): PackedInputs {
  const inputs = packFolder(opened.files, inputsFolder);
  const hint = 'Make the pack again with this repro (`repro pack` packs every build input), on a machine that has them.';
  if (opened.manifest.missingInputs.length > 0) {
    throw new DataError(`${packName} lacks build inputs research.lock pins: ${opened.manifest.missingInputs.join(', ')}`, { hint });
  }
  const need = (name: string) => {
    const file = inputs.get(name);
    if (!file) throw new DataError(`${packName} has no ${inputsFolder}/${name}: it was made without the build inputs a rebuild needs`, { hint });
    return file;
  };
  const onDisk = (name: string) => {
    need(name);
    return path.join(opened.dir, inputsFolder, name);
  };
  const text = (name: string) => (need(name).bytes ?? Buffer.alloc(0)).toString('utf8');
  const suite = suiteOf(lock.base.ref);
  const index = (mirror: string): IndexedPackage[] =>
    parseControl(text(`${mirror}/dists/${suite}/main/binary-${opened.manifest.image.architecture}/Packages`)).map((stanza) => {
      const name = field(stanza, 'Package') ?? '';
      return { name, key: packageKey({ name, arch: field(stanza, 'Architecture') ?? 'all', version: field(stanza, 'Version') ?? '' }) };
    });
  const npmCache = (sha256: string) => path.dirname(onDisk(`${npmCacheFolder}/${npmCacheName(sha256)}/complete`));
  return {
    nodeTarball: onDisk(`${lock.node.package}-${lock.node.version}.tgz`),
    npmTarball: onDisk(`npm-${lock.npm.version}.tgz`),
    toolkitNpmCache: npmCache(lock.toolkit.dependencies),
    ...(lock.lockfile ? { npmCache: npmCache(lock.lockfile.sha256) } : {}),
    baseMirror: path.dirname(path.dirname(path.dirname(onDisk(`${baseMirror}/dists/${suite}/Release`)))),
    aptMirror: path.dirname(path.dirname(path.dirname(onDisk(`${aptMirror}/dists/${suite}/Release`)))),
    base: index(baseMirror),
    apt: index(aptMirror),
    sourcesList: text(baseSourcesList),
  };
}

/**
 * The base, bootstrapped from the packed packages under a name of its own (the engine's debian:<suite> is never
 * replaced), or that image when an earlier build from a pack made it with the same packages.
 */
async function baseFromPack(engine: Engine, lock: Lock, inputs: PackedInputs, scratch: string, progress: Progress): Promise<string> {
  const { basePackagesLabel } = await import('../engine/index.ts');
  const suite = suiteOf(lock.base.ref);
  const ref = `repro-pack/debian:${suite}-${lock.base.packages.slice('sha256:'.length, 'sha256:'.length + 16)}`;
  const existing = await engine.inspectImage(ref);
  if (existing?.labels[basePackagesLabel] === lock.base.packages) {
    progress.log(`using ${ref}, bootstrapped from a pack earlier`);
    return ref;
  }
  await engine.bootstrapBase(lock.base.ref, {
    importAs: ref,
    packageCache: path.join(scratch, 'debootstrap'),
    progress,
    archive: { mirror: `file://${inputs.baseMirror}`, include: [...new Set(inputs.base.map((p) => p.name))].sort(), sourcesList: inputs.sourcesList },
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
  // A base package that apt upgraded is packed twice (the old build in the base mirror, the new in apt's): only the
  // new one is installed.
  const upgraded = new Set(inputs.apt.map((p) => p.name));
  const expected = new Set([...inputs.base.filter((p) => !upgraded.has(p.name)), ...inputs.apt].map((p) => p.key));
  const missing = [...expected].filter((key) => !installed.has(key));
  const extra = [...installed].filter((key) => !expected.has(key));
  if (missing.length > 0 || extra.length > 0) {
    throw new EngineError(`${tag} was built from the pack but its Debian packages differ from the packed ones: ${[...missing.map((k) => `missing ${k}`), ...extra.map((k) => `extra ${k}`)].slice(0, 8).join('; ')}`, {
      hint: `Remove it (docker rmi ${tag}) and report this with the pack.`,
    });
  }
}
