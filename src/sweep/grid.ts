// A sweep's points: every combination of its parameters' values, times every seed, in the order research.yaml
// lists them, each with an id made of its values (stable: the same values always give the same id).
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { ManifestError, UsageError } from '../errors.ts';
import type { Manifest, Sweep } from '../manifest/schema.ts';

export interface SweepPoint {
  id: string;
  /** 0-based position in grid order. */
  index: number;
  parameters: Record<string, string | number | boolean>;
  seed: number;
}

/** The most points one sweep may have: a typo in `count` must not queue a million runs. */
export const maxPoints = 100_000;

/** The named sweep of research.yaml, or a UsageError listing the sweeps there are. */
export function findSweep(manifest: Manifest, name: string): Sweep {
  const sweeps = manifest.sweeps ?? {};
  const sweep = Object.hasOwn(sweeps, name) ? sweeps[name] : undefined;
  if (sweep) return sweep;
  const known = Object.keys(sweeps);
  throw new UsageError(
    `research.yaml has no sweep named ${JSON.stringify(name)} (sweeps: ${known.length > 0 ? known.join(', ') : 'none'})`,
    known.length > 0 ? `Run one of them: repro sweep ${known[0]}` : 'Add one under sweeps: in research.yaml (see docs/research-yaml.md#sweeps).',
  );
}

/** The seeds of a sweep, in order. */
export function sweepSeeds(sweep: Sweep, defaultSeed: number): number[] {
  if (sweep.seeds === undefined) return [defaultSeed];
  if (Array.isArray(sweep.seeds)) return sweep.seeds;
  const { from, count } = sweep.seeds;
  return Array.from({ length: count }, (_, i) => from + i);
}

/**
 * Checks what the schema cannot see (the notebook is an entrypoint's, no value or seed repeats, a parameter is not
 * called seed, the outputs are not an entrypoint's) and returns the points, or throws a ManifestError naming the key.
 */
export function expandSweep(manifest: Manifest, name: string, sweep: Sweep): SweepPoint[] {
  const at = `sweeps.${name}`;
  if (!manifest.entrypoints.some((entry) => entry.notebook === posix.normalize(sweep.notebook))) {
    const known = manifest.entrypoints.map((entry) => entry.notebook).join(', ') || 'none';
    throw new ManifestError(`${at}.notebook: ${sweep.notebook} is not an entrypoint's notebook (entrypoints: ${known})`, {
      hint: 'List the notebook under entrypoints: with the outputs folder it writes; a sweep runs an entrypoint with other parameters and seeds.',
    });
  }
  const names = Object.keys(sweep.parameters);
  if (names.includes('seed')) {
    throw new ManifestError(`${at}.parameters.seed: the seed is not a parameter`, { hint: 'List seeds under seeds: (the notebook reads REPRO_SEED).' });
  }
  for (const [parameter, values] of Object.entries(sweep.parameters)) {
    const repeated = values.find((value, i) => values.findIndex((other) => other === value) !== i);
    if (repeated !== undefined) throw new ManifestError(`${at}.parameters.${parameter}: ${JSON.stringify(repeated)} is listed twice`, { hint: 'List each value once.' });
  }
  const seeds = sweepSeeds(sweep, manifest.run.seed);
  const repeatedSeed = seeds.find((seed, i) => seeds.indexOf(seed) !== i);
  if (repeatedSeed !== undefined) throw new ManifestError(`${at}.seeds: seed ${repeatedSeed} is listed twice`, { hint: 'List each seed once.' });
  const combinations = names.reduce((count, parameter) => count * sweep.parameters[parameter].length, 1);
  if (combinations * seeds.length > maxPoints) {
    throw new ManifestError(`${at}: the grid has ${combinations * seeds.length} points, more than ${maxPoints}`, { hint: 'Sweep fewer values or seeds.' });
  }
  const outputs = sweepOutputs(name, sweep);
  const clash = manifest.entrypoints.find((entry) => overlaps(entry.outputs, outputs));
  if (clash) {
    throw new ManifestError(`${at}.outputs: ${outputs} overlaps the outputs of ${clash.notebook} (${clash.outputs})`, { hint: 'Give the sweep a folder of its own, e.g. results/sweeps/' + name });
  }

  const points: SweepPoint[] = [];
  for (const parameters of product(sweep.parameters, names)) {
    for (const seed of seeds) points.push({ id: '', index: points.length, parameters, seed });
  }
  return assignIds(points);
}

/** The folder a sweep's summary goes to (repository-relative, no trailing slash). */
export function sweepOutputs(name: string, sweep: Sweep): string {
  return posix.normalize(sweep.outputs ?? `results/sweeps/${name}`).replace(/\/+$/, '');
}

/** Every sweep's outputs folder: what `repro verify` compares once committed, as it compares entrypoints' outputs. */
export function sweepOutputFolders(manifest: Manifest): string[] {
  return Object.entries(manifest.sweeps ?? {}).map(([name, sweep]) => sweepOutputs(name, sweep));
}

function* product(grid: Sweep['parameters'], names: string[]): Generator<Record<string, string | number | boolean>> {
  if (names.length === 0) {
    yield {};
    return;
  }
  const [first, ...rest] = names;
  for (const value of grid[first]) for (const tail of product(grid, rest)) yield { [first]: value, ...tail };
}

/** `scale-2_seed-3`; a value with characters a file name should not hold, or a too long id, gets a hash suffix. */
function assignIds(points: SweepPoint[]): SweepPoint[] {
  const readable = points.map((point) => [...Object.entries(point.parameters).map(([key, value]) => `${key}-${String(value)}`), `seed-${point.seed}`].join('_'));
  const counts = new Map<string, number>();
  const safe = readable.map((id) => {
    const cleaned = id.replace(/[^A-Za-z0-9._+-]/g, '~').slice(0, 80);
    counts.set(cleaned, (counts.get(cleaned) ?? 0) + 1);
    return cleaned;
  });
  return points.map((point, i) => {
    const exact = safe[i] === readable[i] && counts.get(safe[i]) === 1;
    const hash = createHash('sha256').update(JSON.stringify([point.parameters, point.seed])).digest('hex').slice(0, 8);
    return { ...point, id: exact ? safe[i] : `${safe[i]}~${hash}` };
  });
}

function overlaps(a: string, b: string): boolean {
  const x = posix.normalize(a).replace(/\/+$/, '') + '/';
  const y = posix.normalize(b).replace(/\/+$/, '') + '/';
  return x.startsWith(y) || y.startsWith(x);
}
