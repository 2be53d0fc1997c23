// The lock stage's public surface: resolve research.yaml into research.lock, read and write it, check it is fresh.
export { lockFileName, lockSchema, type Lock } from './schema.ts';
export { parseLock, readLock, requireLock, serializeLock, writeLock } from './file.ts';
export { sha256File } from '../data/index.ts';
export { assertBaseFresh, assertLockFresh, lockProblems } from './fresh.ts';
export { basePackagesDigest, parseAptSimulation, probeBase, resolveLock } from './resolve.ts';
export { ensureNpmCache, ensurePackageTarball, hostNpmVersion, installSpecs, nodePackage } from './artifacts.ts';
export { toolkitBundle, toolkitDependenciesSha256, toolkitDepsDir, type BundleFile, type ToolkitBundle } from './toolkit.ts';
