import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadGames } from './data.ts';
import { accuracyCsv } from './outputs.ts';
import { accuracyTable } from './protocol.ts';

// The pinned data, put in place by the test set-up (test/setup/data.ts); in CI its absence fails, never skips.
const DATA = fileURLToPath(new URL('../../../data/scmPvT_Protoss_Mid.csv', import.meta.url));
const skipWithoutData = !existsSync(DATA) && !process.env.CI;
// A few frames keep this fast; the property holds frame by frame.
const FRAMES = [4320, 8640];

describe.skipIf(skipWithoutData)('accuracyTable on the StarCraft data', () => {
  const games = existsSync(DATA) ? loadGames(DATA) : undefined;

  it('gives the same accuracy.csv for the same seed, and a different one for another seed', () => {
    if (!games) return;
    const a = accuracyCsv(accuracyTable(games, FRAMES, 42));
    expect(accuracyCsv(accuracyTable(games, FRAMES, 42))).toBe(a);
    expect(accuracyCsv(accuracyTable(games, FRAMES, 43))).not.toBe(a);
  });

  it('at minute 0 predicts the majority class, except the as-published kNN (class 0)', () => {
    if (!games) return;
    const rows = accuracyTable(games, [0], 42);
    const shareOf = (c: number) => Math.round(([...games.labels].filter((l) => l === c).length * 0.25)) / rows[0].n_test;
    const majority = games.classNames.indexOf('FastObs');
    for (const r of rows) {
      expect(r.accuracy).toBeCloseTo(r.model === 'knn_as_published' ? shareOf(0) : shareOf(majority), 10);
    }
  });
});

describe.skipIf(skipWithoutData)('accuracyTableParallel', () => {
  it('gives the same table as the single-threaded loop', async () => {
    const { accuracyTableParallel } = await import('./parallel.ts');
    const games = loadGames(DATA);
    const frames = [0, 8640];
    expect(await accuracyTableParallel(DATA, frames, 42, 2)).toEqual(accuracyTable(games, frames, 42));
  });
});

describe('the worker script', () => {
  it('is the protocol bundled into one script, without the CSV reader (no native module in the workers)', async () => {
    const { protocolBundle } = await import('./parallel.ts');
    const script = await protocolBundle();
    expect(script).toContain('accuracyTable');
    expect(script).not.toMatch(/nodejs-polars|tsx/);
    expect(await protocolBundle()).toBe(script); // built once per process
  });

  it('a data file that is not there: the error names it, and the workers started meanwhile are stopped', async () => {
    const { accuracyTableParallel } = await import('./parallel.ts');
    const ports = () => process.getActiveResourcesInfo().filter((name) => name === 'MessagePort').length;
    const before = ports();
    await expect(accuracyTableParallel('/nonexistent/games.csv', [0, 8640], 42, 2)).rejects.toThrow(/^\/nonexistent\/games\.csv does not exist: .*repro fetch/);
    // Workers left waiting for the games would hold their ports (and the process) open for ever.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(ports()).toBe(before);
  });
});
