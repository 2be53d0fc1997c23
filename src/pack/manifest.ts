// pack.json: what a pack holds, file by file (path, kind, sha256, size), with the image, the commit and the repro
// that made it. A pack is checked against it before anything in it is used; one changed byte names its file.
import { z } from 'zod';
import { DataError } from '../errors.ts';
import type { FileSet } from './oci.ts';

export const packManifestName = 'pack.json';
/** The OCI image layout's folder inside a pack. */
export const imageFolder = 'image';
/** `git archive` of the commit, the project's folder at its root. */
export const repositoryEntry = 'repository.tar';
export const lockEntry = 'research.lock';
export const verifyEntry = 'verify.json';
/** research.yaml's data files, each under data/ at its own path. */
export const dataFolder = 'data';
/**
 * Build inputs (see inputs.ts): the Node.js and npm tarballs, the npm caches (npm-cache/<16 hex>/), the image's Debian
 * packages as two mirrors (debian/base/, debian/apt/: dists/ and pool/) and the base's sources.list.
 */
export const inputsFolder = 'inputs';

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
const fileKind = z.enum(['image', 'repository', 'data', 'lock', 'input', 'verify']);

const packFileSchema = z.strictObject({ path: z.string().min(1), kind: fileKind, sha256: sha256Hex, size: z.number().int().nonnegative() });

export const packManifestSchema = z.strictObject({
  packVersion: z.literal(1),
  /** The repro that made the pack. */
  toolkitVersion: z.string(),
  /** research.yaml's name. */
  name: z.string(),
  /** The commit `git archive` packed (40 hex). */
  commit: z.string().regex(/^[0-9a-f]{40}$/),
  /** The project's folder inside its git repository ('' at the top). */
  projectPath: z.string(),
  image: z.strictObject({ id: z.string().regex(/^sha256:[0-9a-f]{64}$/), tag: z.string(), architecture: z.string(), os: z.string() }),
  /** Build inputs research.lock pins that were not in repro's cache, so are not in the pack. */
  missingInputs: z.array(z.string()),
  files: z.array(packFileSchema),
});

export type PackManifest = z.output<typeof packManifestSchema>;
export type PackFile = z.output<typeof packFileSchema>;
export type PackFileKind = PackFile['kind'];

export function parsePackManifest(bytes: Buffer | undefined, packName: string): PackManifest {
  if (!bytes) throw new DataError(`${packName} has no ${packManifestName}: it is not a repro pack`, { hint: 'Make one with `repro pack`.' });
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new DataError(`${packName}: ${packManifestName} is not JSON`, { cause: error });
  }
  const parsed = packManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DataError(`${packName}: ${packManifestName} ${issue ? `${issue.path.join('.') || 'itself'}: ${issue.message}` : 'is not valid'}`, {
      hint: 'It was written by another repro, or changed: make the pack again with `repro pack`.',
    });
  }
  return parsed.data;
}

/**
 * Every file in the pack must be listed in pack.json with its size and sha256, and every listed file present:
 * the first disagreement is refused, naming the file.
 */
export function checkPackFiles(manifest: PackManifest, files: FileSet, packName: string): void {
  const listed = new Map(manifest.files.map((file) => [file.path, file]));
  const hint = 'The pack was changed or damaged after `repro pack` wrote it: get the original again (check it against the sha256 it was cited with).';
  for (const [path, file] of files) {
    if (path === packManifestName) continue;
    const expected = listed.get(path);
    if (!expected) throw new DataError(`${packName}: ${path} is in the pack but not in ${packManifestName}`, { hint });
    if (file.size !== expected.size || file.sha256 !== expected.sha256) {
      throw new DataError(
        `${packName}: ${path} does not match ${packManifestName}: sha256 ${file.sha256} (${file.size} bytes), recorded ${expected.sha256} (${expected.size} bytes)`,
        { hint },
      );
    }
  }
  for (const path of listed.keys()) {
    if (!files.has(path)) throw new DataError(`${packName}: ${path} is listed in ${packManifestName} but missing from the pack`, { hint });
  }
}

/** The record of `files` (every path but pack.json), sorted by path. */
export function packFileList(files: FileSet, kindOf: (path: string) => PackFileKind): PackFile[] {
  return [...files]
    .filter(([path]) => path !== packManifestName)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([path, file]) => ({ path, kind: kindOf(path), sha256: file.sha256, size: file.size }));
}
