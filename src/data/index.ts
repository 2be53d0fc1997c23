// The data stage's public surface: put pinned data files in place (cache → mirrors → URL, sha256-checked).
export { ensureData, type DataOrigin, type EnsureDataOptions, type EnsuredData } from './ensure.ts';
export { cachePath, defaultCacheDir, parseMirrors, type Mirror } from './sources.ts';
export { sha256File } from './transfer.ts';
