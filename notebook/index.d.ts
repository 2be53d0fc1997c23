// Types of `repro/notebook` (notebook/index.cjs).

/**
 * Imports a TypeScript or JavaScript ES module, and everything it imports, by its path relative to the notebook's
 * folder: `const stats = await importTs<typeof import('./lib/stats')>('lib/stats.ts');`
 */
export function importTs<T = Record<string, unknown>>(file: string): Promise<T>;

/** The project's folder: REPRO_PROJECT_ROOT under repro, else the nearest folder above holding research.yaml. */
export function projectRoot(): string;

/** Where the notebook writes its outputs: REPRO_OUTPUTS under repro, else `fallback` (relative to the notebook). */
export function outputsDir(fallback: string): string;
