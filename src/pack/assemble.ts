// A pack's entries from its parts: where each part goes, pack.json listing them all, and the one order they are
// written in (pack.json first, so a reader knows what to expect; then every path sorted). Pure.
import { toolkitVersion } from '../version.ts';
import {
  dataFolder,
  imageFolder,
  inputsFolder,
  lockEntry,
  packFileList,
  packManifestName,
  repositoryEntry,
  verifyEntry,
  type PackFileKind,
  type PackManifest,
} from './manifest.ts';
import { fileFromBytes, type ArchiveFile, type FileSet } from './oci.ts';
import { sortedEntries } from './tar.ts';

export interface PackParts {
  name: string;
  commit: string;
  projectPath: string;
  image: PackManifest['image'];
  /** The OCI image layout (paths relative to the layout). */
  layout: FileSet;
  repository: ArchiveFile;
  lock: ArchiveFile;
  /** research.yaml's data path → file. */
  data: FileSet;
  /** File name → a build input from repro's cache. */
  inputs: FileSet;
  missingInputs: string[];
  verify?: ArchiveFile;
}

export interface AssembledPack {
  manifest: PackManifest;
  /** In the order they are written. */
  entries: [string, ArchiveFile][];
}

export function assemblePack(parts: PackParts): AssembledPack {
  const files: FileSet = new Map();
  const kinds = new Map<string, PackFileKind>();
  const put = (path: string, file: ArchiveFile, kind: PackFileKind) => {
    files.set(path, file);
    kinds.set(path, kind);
  };
  for (const [path, file] of parts.layout) put(`${imageFolder}/${path}`, file, 'image');
  put(repositoryEntry, parts.repository, 'repository');
  put(lockEntry, parts.lock, 'lock');
  for (const [path, file] of parts.data) put(`${dataFolder}/${path}`, file, 'data');
  for (const [name, file] of parts.inputs) put(`${inputsFolder}/${name}`, file, 'input');
  if (parts.verify) put(verifyEntry, parts.verify, 'verify');
  const manifest: PackManifest = {
    packVersion: 1,
    toolkitVersion,
    name: parts.name,
    commit: parts.commit,
    projectPath: parts.projectPath,
    image: parts.image,
    missingInputs: [...parts.missingInputs].sort(),
    files: packFileList(files, (path) => kinds.get(path) ?? 'image'),
  };
  const record = fileFromBytes(Buffer.from(JSON.stringify(manifest, null, 2) + '\n'));
  return { manifest, entries: [[packManifestName, record], ...sortedEntries(files)] };
}
