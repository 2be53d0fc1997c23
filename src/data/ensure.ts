// Puts every data file of the manifest at its path: already there → cache → mirrors → URL, each copy
// sha256-checked in a temp file before it is moved into place; a file already there is never replaced.
import { copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { formatBytes, type Progress } from '../cli/progress.ts';
import { DataError } from '../errors.ts';
import type { DataEntry } from '../manifest/schema.ts';
import { cachePath, cacheSource, defaultCacheDir, mirrorSource, parseMirrors, urlSource, type Source, type SourceKind } from './sources.ts';
import { placeNoClobber, sha256File, tempPathFor, writeHashed } from './transfer.ts';

export interface EnsureDataOptions {
  /** Content-addressed cache folder; default $REPRO_CACHE or ~/.cache/repro. */
  cacheDir?: string;
  /** ':'-separated folders (relative to the project allowed) and http(s) base URLs; default $REPRO_DATA_MIRROR. */
  mirrors?: string;
  /** Try each entry's URL last (default true); false keeps to the cache and mirrors. */
  download?: boolean;
  /** Status line for transfers. */
  progress?: Progress;
  /** Called as each file is ready, in manifest order. */
  onReady?: (file: EnsuredData) => void;
  /** Where the defaults come from; default process.env. */
  env?: NodeJS.ProcessEnv;
}

/** Where a file came from: it was already in place, or the kind of source it was copied from. */
export type DataOrigin = 'present' | SourceKind;

export interface EnsuredData {
  /** The entry's path, relative to the project. */
  path: string;
  /** Absolute path of the file. */
  file: string;
  sha256: string;
  bytes: number;
  origin: DataOrigin;
  /** The cache file, mirror file or URL it was copied from (the path itself when present). */
  from: string;
}

interface Attempt {
  source: Source;
  outcome: string;
  /** The sha256 the source's copy had, when it had one and it was wrong. */
  mismatch?: string;
}

interface Context {
  root: string;
  cacheDir: string;
  mirrorSpec: string;
  sources: (entry: DataEntry) => Source[];
  progress?: Progress;
}

/**
 * Ensures each entry's file is at `<projectDir>/<entry.path>` with its pinned sha256. Files that cannot be
 * had do not stop the others; afterwards one DataError lists every file that failed.
 */
export async function ensureData(projectDir: string, entries: readonly DataEntry[], options: EnsureDataOptions = {}): Promise<EnsuredData[]> {
  const env = options.env ?? process.env;
  const root = path.resolve(projectDir);
  const cacheDir = path.resolve(options.cacheDir ?? defaultCacheDir(env));
  const mirrorSpec = options.mirrors ?? env.REPRO_DATA_MIRROR ?? '';
  const mirrors = parseMirrors(mirrorSpec, root);
  const download = options.download ?? true;
  const context: Context = {
    root,
    cacheDir,
    mirrorSpec,
    progress: options.progress,
    sources: (entry) => [cacheSource(cacheDir, entry.sha256), ...mirrors.map((m) => mirrorSource(m, entry.path)), download ? urlSource(entry.url) : skipped(entry.url)],
  };
  const ready: EnsuredData[] = [];
  const failures: DataError[] = [];
  for (const entry of entries) {
    try {
      const file = await ensureOne(entry, context);
      options.progress?.done();
      ready.push(file);
      options.onReady?.(file);
    } catch (error) {
      options.progress?.done();
      if (!(error instanceof DataError)) throw error;
      failures.push(error);
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) {
    const hints = [...new Set(failures.map((f) => f.hint).filter((h): h is string => Boolean(h)))];
    throw new DataError(`${failures.length} data files are not in place:\n${failures.map((f) => f.message).join('\n')}`, { hint: hints.join('\n  ') });
  }
  return ready;
}

/** The URL, listed in "tried" so that a failure says it was not downloaded on purpose. */
function skipped(url: string): Source {
  return { kind: 'url', label: url, open: async () => ({ missing: 'not tried (downloads are off)' }) };
}

async function ensureOne(entry: DataEntry, context: Context): Promise<EnsuredData> {
  const file = path.resolve(context.root, entry.path);
  if (path.relative(context.root, file).startsWith('..') || path.isAbsolute(entry.path)) {
    throw new DataError(`${entry.path} is outside the project folder ${context.root}`, { hint: 'Data paths are relative to the folder holding research.yaml.' });
  }
  const existing = await stat(file).catch(() => undefined);
  if (existing) {
    if (!existing.isFile()) throw new DataError(`${entry.path} exists but is not a file`, { hint: `Move it away so that the data file can be put there.` });
    const actual = await sha256File(file);
    if (actual !== entry.sha256) throw wrongFileInPlace(entry, actual);
    return { path: entry.path, file, sha256: actual, bytes: existing.size, origin: 'present', from: entry.path };
  }
  const tried: Attempt[] = [];
  for (const source of context.sources(entry)) {
    const opened = await source.open();
    if ('missing' in opened) {
      tried.push({ source, outcome: opened.missing });
      continue;
    }
    const temp = tempPathFor(file);
    try {
      const written = await writeHashed(opened.stream, temp, progressReporter(entry, source, opened.total, context.progress));
      if (written.sha256 !== entry.sha256) {
        tried.push({ source, outcome: `wrong sha256 ${written.sha256}`, mismatch: written.sha256 });
        // A bad cache entry is ours to drop; a bad mirror or URL is reported and the next source tried.
        if (source.kind === 'cache') await rm(cachePath(context.cacheDir, entry.sha256), { force: true });
        else context.progress?.log(`refused ${entry.path} from ${source.label}: sha256 ${written.sha256}, research.yaml pins ${entry.sha256}`);
        continue;
      }
      if (source.kind !== 'cache') await addToCache(temp, context.cacheDir, entry.sha256, context.progress);
      if (!(await placeNoClobber(temp, file))) {
        // Something appeared at the path while we copied: keep it if it is the right file, never replace it.
        const actual = await sha256File(file);
        if (actual !== entry.sha256) throw wrongFileInPlace(entry, actual);
        return { path: entry.path, file, sha256: actual, bytes: written.bytes, origin: 'present', from: entry.path };
      }
      return { path: entry.path, file, sha256: written.sha256, bytes: written.bytes, origin: source.kind, from: source.label };
    } catch (error) {
      if (error instanceof DataError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      if (code && ['ENOSPC', 'EACCES', 'EROFS', 'EDQUOT', 'EPERM', 'ENOTDIR'].includes(code)) {
        throw new DataError(`cannot write ${entry.path}: ${code}`, { hint: `Check that ${path.dirname(file)} is writable and has space.`, cause: error });
      }
      tried.push({ source, outcome: `failed while copying: ${(error as Error).message}` });
    } finally {
      await rm(temp, { force: true });
    }
  }
  throw nothingHadIt(entry, tried, context);
}

function wrongFileInPlace(entry: DataEntry, actual: string): DataError {
  return new DataError(
    `${entry.path} is already there but is not the pinned file; refusing to overwrite it.\n` +
      `  expected sha256 ${entry.sha256} (research.yaml)\n` +
      `  actual   sha256 ${actual} (${entry.path})`,
    { hint: `Move or delete ${entry.path} to fetch the pinned file, or, if this file is the one you mean, put its sha256 in research.yaml.` },
  );
}

function nothingHadIt(entry: DataEntry, tried: Attempt[], context: Context): DataError {
  const width = Math.max(...tried.map((a) => a.source.kind.length));
  const list = tried.map((a) => `    ${a.source.kind.padEnd(width)}  ${a.source.label}: ${a.outcome}`).join('\n');
  const mismatches = tried.filter((a) => a.mismatch && a.source.kind !== 'cache');
  const urlTried = tried.some((a) => a.source.kind === 'url' && !a.outcome.startsWith('not tried'));
  if (mismatches.length > 0) {
    const lines = mismatches.map((a) => `  actual   sha256 ${a.mismatch} (${a.source.kind} ${a.source.label})`).join('\n');
    return new DataError(
      `${entry.path}: refused: no source has the pinned file.\n  expected sha256 ${entry.sha256} (research.yaml)\n${lines}\n  tried:\n${list}`,
      { hint: `The copies found are different files. Fix the mirror, or, if the new file is the one you mean, put its sha256 in research.yaml.` },
    );
  }
  const mirrorHint = context.mirrorSpec
    ? `Put the file, under its own name, in one of the mirrors (REPRO_DATA_MIRROR=${context.mirrorSpec})`
    : 'REPRO_DATA_MIRROR is not set: point it at a folder or base URL holding the files by name (e.g. REPRO_DATA_MIRROR=../shared/data)';
  return new DataError(`${entry.path}: no source has it.\n  tried:\n${list}`, {
    hint: `${mirrorHint}${urlTried ? ', or check the url in research.yaml' : ', or allow downloads'}.`,
  });
}

/** Populates the cache from a verified copy; a cache that cannot be written only costs a later download. */
async function addToCache(verified: string, cacheDir: string, sha256: string, progress?: Progress): Promise<void> {
  const target = cachePath(cacheDir, sha256);
  if (await stat(target).then(() => true, () => false)) return;
  const temp = tempPathFor(target);
  try {
    await mkdir(path.dirname(target), { recursive: true });
    await copyFile(verified, temp);
    await rename(temp, target);
  } catch (error) {
    progress?.log(`warning: could not add to the data cache ${cacheDir}: ${(error as Error).message}`);
  } finally {
    await rm(temp, { force: true });
  }
}

/** At most ten status updates a second: a fast local copy should not flood a terminal. */
function progressReporter(entry: DataEntry, source: Source, total: number | undefined, progress?: Progress): ((bytes: number) => void) | undefined {
  // Local copies take milliseconds; only transfers over the network are worth a status line.
  if (!progress || !/^https?:/i.test(source.label)) return undefined;
  let last = 0;
  return (bytes) => {
    const now = Date.now();
    if (now - last < 100) return;
    last = now;
    const of = total ? ` / ${formatBytes(total)}` : '';
    progress.update(`${entry.path}: ${formatBytes(bytes)}${of} from ${source.kind} ${source.label}`);
  };
}
