// Resolve research.yaml into research.lock: the base image and its package digest, the exact Debian packages
// the image will install (asked of apt in a container from the base), Node.js and npm tarballs, file hashes.
import { dirname, join } from 'node:path';
import { EngineError, ManifestError } from '../errors.ts';
import type { LoadedManifest } from '../manifest/load.ts';
import { toolkitVersion } from '../version.ts';
import { basePackagesLabel, dpkgQueryFormat, packageListDigest, parseDpkgQuery, type Engine, type EngineProgress, type ImageInfo } from '../engine/index.ts';
import { ensurePackageTarball, hostNpmVersion, nodePackage } from './artifacts.ts';
import { serializeLock } from './file.ts';
import { sha256File } from '../data/index.ts';
import type { Lock } from './schema.ts';
import { toolkitBundle, toolkitDependenciesSha256 } from './toolkit.ts';
import { buildPacks, packPackages } from '../packs/index.ts';

export interface ResolveOptions {
  loaded: LoadedManifest;
  engine: Engine;
  progress: EngineProgress;
  /** The lock being replaced: its sourceDateEpoch is kept when nothing else changed. */
  previous?: Lock;
  now?: Date;
}

export async function resolveLock(options: ResolveOptions): Promise<Lock> {
  const { loaded, engine, progress } = options;
  const environment = loaded.manifest.environment;
  const projectDir = dirname(loaded.file);
  const base = await engine.ensureBaseImage(environment.base, { progress });
  const requested = packPackages(buildPacks(environment));
  progress.update(`asking apt in ${environment.base} for ${requested.length > 0 ? requested.join(', ') : 'the base packages'}`);
  const probe = await probeBase(engine, environment.base, requested);
  const node = await ensurePackageTarball(nodePackage, environment.node, { progress });
  const npmVersion = await hostNpmVersion();
  const npm = await ensurePackageTarball('npm', npmVersion, { progress });
  const lockfile = environment.lockfile;
  const lockfileSha =
    lockfile === undefined
      ? undefined
      : await sha256File(join(projectDir, lockfile)).catch(() => {
          throw new ManifestError(`${lockfile} (environment.lockfile in research.yaml) is missing`, {
            hint: 'run `npm install` to write it, or point environment.lockfile at the npm lockfile',
          });
        });
  progress.update('bundling repro for the image');
  const bundle = await toolkitBundle();
  const lock: Lock = {
    lockVersion: 2,
    toolkitVersion,
    toolkit: { bundle: bundle.sha256, dependencies: await toolkitDependenciesSha256() },
    manifestHash: loaded.hash,
    sourceDateEpoch: 0,
    base: { ref: environment.base, imageId: base.id, packages: probe.basePackages },
    node: { version: environment.node, package: nodePackage, sha256: node.sha256 },
    npm: { version: npmVersion, sha256: npm.sha256 },
    apt: probe.installs,
    lockfile: lockfile === undefined || lockfileSha === undefined ? undefined : { path: lockfile, sha256: lockfileSha },
    data: loaded.manifest.data.map((entry) => ({ path: entry.path, sha256: entry.sha256 })),
  };
  lock.sourceDateEpoch = keepEpoch(lock, options.previous) ?? startOfDay(options.now ?? new Date());
  return lock;
}

/** The previous epoch when the lock is otherwise unchanged, so `repro lock` twice writes the same bytes. */
function keepEpoch(lock: Lock, previous: Lock | undefined): number | undefined {
  if (!previous) return undefined;
  return serializeLock({ ...lock, sourceDateEpoch: previous.sourceDateEpoch }) === serializeLock(previous) ? previous.sourceDateEpoch : undefined;
}

function startOfDay(now: Date): number {
  return Math.floor(now.getTime() / 86_400_000) * 86_400;
}

export interface BaseProbe {
  /** packageListDigest of the base's dpkg database. */
  basePackages: string;
  /** name → version of every package `apt-get install` would add for the request. */
  installs: Record<string, string>;
}

/** One container from the base: list its packages, then simulate installing the request (never installs). */
export async function probeBase(engine: Engine, image: string, packages: string[]): Promise<BaseProbe> {
  const script = [
    `dpkg-query -W -f '${dpkgQueryFormat}'`,
    'echo "--- apt"',
    'if [ "$#" -gt 0 ]; then apt-get update -qq >/dev/null && apt-get install -s --no-install-recommends "$@"; fi',
  ].join('; ');
  let stdout = '';
  let stderr = '';
  const code = await engine.runContainer({
    image,
    cmd: ['sh', '-c', script, 'sh', ...packages],
    user: '0',
    // apt needs Debian's mirror; nothing is installed, the container is thrown away.
    network: 'bridge',
    onOutput: (chunk, stream) => (stream === 'stdout' ? (stdout += chunk) : (stderr += chunk)),
  });
  const [dpkg, apt = ''] = stdout.split('--- apt\n');
  if (code !== 0) {
    const missing = /Unable to locate package (\S+)|Package '?([^' ]+)'? has no installation candidate/.exec(stderr);
    if (missing) {
      throw new ManifestError(`environment.apt: Debian has no package ${missing[1] ?? missing[2]} for ${image}`, {
        hint: 'check the name with `apt-cache search`, or remove it from research.yaml',
      });
    }
    throw new EngineError(`asking apt in ${image} failed (exit ${code}):\n${stderr.trim().split('\n').slice(-10).map((l) => `  | ${l}`).join('\n')}`, {
      hint: 'the container needs to reach the Debian mirror; check the engine network',
    });
  }
  return { basePackages: packageListDigest(parseDpkgQuery(dpkg)), installs: parseAptSimulation(apt) };
}

/** `Inst name [old] (version release [arch])` lines of `apt-get install -s`, as name → version. */
export function parseAptSimulation(text: string): Record<string, string> {
  const installs: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^Inst (\S+) (?:\[[^\]]*\] )?\((\S+)/.exec(line);
    if (match) installs[match[1]] = match[2];
  }
  return installs;
}

/** The base's package digest: its label when bootstrapped by repro, else asked of dpkg in a container. */
export async function basePackagesDigest(engine: Engine, base: ImageInfo): Promise<string> {
  return base.labels[basePackagesLabel] ?? (await probeBase(engine, base.id, [])).basePackages;
}
