// Data files worth pinning (URL + sha256): files in a data folder, files over 1 MB, and data-like files git does not
// track. init hashes them; where each can be downloaded from only the author knows, so the URL is theirs to write.
import { join, posix } from 'node:path';
import { sha256File } from '../data/index.ts';
import type { RepoFile } from './files.ts';

export interface DataProposal {
  path: string;
  sha256: string;
  bytes: number;
  /** Why init took it for data: "in data/", "over 1 MB", "untracked by git". */
  why: string[];
  git?: RepoFile['git'];
}

/** Over this many bytes a file is data whatever its folder (git hosts warn about files this large and larger). */
export const largeFileBytes = 1_000_000;

/** Folder names that hold inputs, at any depth. */
export const dataFolders = new Set(['data', 'datasets', 'dataset', 'input', 'inputs', 'raw']);

/** Extensions of files that are code, notebooks, documents or settings: not data even in a data folder or untracked. */
const notData = new Set(['ipynb', 'py', 'r', 'ts', 'mts', 'cts', 'js', 'mjs', 'cjs', 'md', 'rst', 'sh', 'toml', 'cfg', 'ini', 'lock', 'gitignore', 'gitattributes', 'gitkeep', 'keep']);
const notDataNames = new Set(['research.yaml', 'research.lock', 'package.json', 'package-lock.json', 'environment.yml', 'environment.yaml', 'Dockerfile.template', 'LICENSE', 'README', 'Makefile']);

/** Extensions that name data when git does not track the file. */
const dataExtensions = new Set(
  'csv tsv txt dat json jsonl ndjson geojson xml parquet feather arrow orc avro h5 hdf5 hdf nc npy npz pkl pickle joblib rds rdata rda sav dta sas7bdat xls xlsx ods sqlite sqlite3 db zip gz bz2 xz zst tar tgz 7z shp dbf tif tiff png jpg jpeg fits fasta fastq bam vcf'.split(' '),
);

const extensionOf = (path: string) => /\.([^./]+)$/.exec(path)?.[1]?.toLowerCase() ?? '';

/** Why a file is data, or an empty list when it is not. */
export function dataReasons(file: RepoFile): string[] {
  const name = posix.basename(file.path);
  const extension = extensionOf(file.path);
  if (notDataNames.has(name) || notData.has(extension) || name.startsWith('requirements')) return [];
  const reasons: string[] = [];
  const folder = file.path.split('/').slice(0, -1).find((part) => dataFolders.has(part.toLowerCase()));
  if (folder) reasons.push(`in ${file.path.slice(0, file.path.indexOf(`${folder}/`) + folder.length + 1)}`);
  if (file.bytes > largeFileBytes) reasons.push('over 1 MB');
  if ((file.git === 'untracked' || file.git === 'ignored') && dataExtensions.has(extension)) reasons.push(file.git === 'ignored' ? 'ignored by git' : 'not tracked by git');
  return reasons;
}

export async function detectData(root: string, files: readonly RepoFile[]): Promise<DataProposal[]> {
  const proposals: DataProposal[] = [];
  for (const file of files) {
    const why = dataReasons(file);
    if (why.length === 0) continue;
    proposals.push({ path: file.path, sha256: await sha256File(join(root, file.path)), bytes: file.bytes, why, git: file.git });
  }
  return proposals;
}
