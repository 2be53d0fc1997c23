// (manifest, lock, template) → Dockerfile text. Pure: the same inputs give the same bytes, so the image tag
// (a hash over this text and the context) only changes when something that goes into the image changes.
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { ManifestError } from '../errors.ts';
import type { Lock } from '../lock/schema.ts';
import { serializeLock } from '../lock/file.ts';
import type { Manifest } from '../manifest/schema.ts';
import { imageKernelsDir } from '../packs/index.ts';
import { toolkitDir } from '../packs/toolkit.ts';

export interface RenderOptions {
  /** Name of the template for messages. */
  templateName?: string;
  /**
   * The base image by another reference than research.lock's (a build from a pack names the base it bootstrapped
   * from the packed packages): only the FROM lines change, never the tag, which is computed from the plain rendering.
   */
  baseRef?: string;
}

/** Every value a template may use, by placeholder name. */
export function templateValues(manifest: Manifest, lock: Lock): Record<string, string> {
  const pins = Object.keys(lock.apt)
    .sort()
    .map((name) => `${name}=${lock.apt[name]}`);
  return {
    name: manifest.name,
    base: lock.base.ref,
    sourceDateEpoch: String(lock.sourceDateEpoch),
    aptPackages: pins.join(' '),
    nodeVersion: lock.node.version,
    npmVersion: lock.npm.version,
    npmDir: lock.lockfile ? posix.join('/project', posix.dirname(lock.lockfile.path)) : '/project',
    toolkitDir,
    kernelsDir: imageKernelsDir,
    manifestHash: lock.manifestHash,
    lockHash: lockHash(lock),
    toolkitVersion: lock.toolkitVersion,
  };
}

/** sha256 of the lock's canonical text: recorded as an image label. */
export function lockHash(lock: Lock): string {
  return createHash('sha256').update(serializeLock(lock)).digest('hex');
}

/** Fill every {{placeholder}} of the template; an unknown one is an error naming its line. */
export function renderDockerfile(manifest: Manifest, lock: Lock, template: string, options: RenderOptions = {}): string {
  const values: Record<string, string> = { ...templateValues(manifest, lock), ...(options.baseRef === undefined ? {} : { base: options.baseRef }) };
  const file = options.templateName ?? 'Dockerfile.template';
  const lines = template.replace(/\r\n/g, '\n').split('\n');
  const rendered = lines.map((line, index) =>
    line.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (_, key: string) => {
      const value = values[key];
      if (value === undefined) {
        throw new ManifestError(`unknown placeholder {{${key}}}`, {
          position: { file, line: index + 1, column: line.indexOf('{{') + 1 },
          hint: `placeholders are: ${Object.keys(values).map((k) => `{{${k}}}`).join(', ')}`,
        });
      }
      return value;
    }),
  );
  const text = rendered.join('\n');
  return text.endsWith('\n') ? text : text + '\n';
}
