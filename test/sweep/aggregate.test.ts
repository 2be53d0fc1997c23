// Aggregation: Student's t quantiles against published values, mean/sd/interval of known groups, one point per
// group (no interval), NaN metrics left out, the CSVs and the figure the same bytes for the same points.
import { mkdtemp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bandsCsv, computeBands, readPointMetrics, summaryCsv, type PointMetrics } from '../../src/sweep/aggregate.ts';
import { bandSvg } from '../../src/sweep/figure.ts';
import { groupStats, regularizedBeta, tQuantile } from '../../src/sweep/stats.ts';

describe('Student\'s t', () => {
  it('matches published 97.5% quantiles to 1e-9', () => {
    // scipy.stats.t.ppf(0.975, df)
    const published: Array<[number, number]> = [
      [1, 12.706204736174694], [2, 4.302652729749462], [3, 3.1824463052837078], [5, 2.5705818356363146],
      [10, 2.228138851986274], [19, 2.0930240544083087], [30, 2.0422724563012378], [100, 1.9839715185235518], [1000, 1.9623390808264083],
    ];
    for (const [df, t] of published) expect(Math.abs(tQuantile(0.975, df) - t), `df ${df}`).toBeLessThan(1e-9);
    expect(tQuantile(0.995, 4)).toBeCloseTo(4.604094871349992, 9);
    expect(regularizedBeta(0.5, 2, 2)).toBeCloseTo(0.5, 12);
    expect(() => tQuantile(0.4, 3)).toThrow(RangeError);
  });

  it('gives mean, sample sd and the 95% interval of a group', () => {
    const stats = groupStats([1, 2, 3, 4]);
    expect(stats.n).toBe(4);
    expect(stats.mean).toBe(2.5);
    expect(stats.sd).toBeCloseTo(1.2909944487358056, 12);
    // 2.5 ± qt(0.975, 3) · sd / 2
    expect(stats.low).toBeCloseTo(2.5 - 3.1824463052837078 * 1.2909944487358056 / 2, 9);
    expect(stats.high).toBeCloseTo(0.445739743239 + 2 * (2.5 - 0.445739743239), 9);
  });

  it('one value: a mean, no spread and no interval; NaN values are left out of n', () => {
    expect(groupStats([7])).toEqual({ n: 1, mean: 7, sd: Number.NaN, low: Number.NaN, high: Number.NaN, min: 7, max: 7 });
    expect(groupStats([Number.NaN, 2, 4, Number.NaN])).toMatchObject({ n: 2, mean: 3, min: 2, max: 4 });
    expect(groupStats([Number.NaN])).toMatchObject({ n: 0, mean: Number.NaN, min: Number.NaN, max: Number.NaN });
  });
});

const point = (id: string, a: number, seed: number, rows: PointMetrics['rows'], state: PointMetrics['state'] = 'done'): PointMetrics => ({ id, parameters: { a }, seed, state, rows });
const metrics = { file: 'm.csv', fields: ['y'], by: ['x'] };
const points = [
  point('a-1_seed-1', 1, 1, [{ by: ['1'], values: [1] }, { by: ['2'], values: [2] }]),
  point('a-1_seed-2', 1, 2, [{ by: ['1'], values: [3] }, { by: ['2'], values: [Number.NaN] }]),
  point('a-2_seed-1', 2, 1, [{ by: ['1'], values: [10] }, { by: ['2'], values: [20] }]),
  point('a-2_seed-2', 2, 2, [], 'failed'),
];

describe('summary.csv and bands.csv', () => {
  it('one row per point and metrics row; failed points with empty metrics', () => {
    expect(summaryCsv(points, ['a'], metrics)).toBe(
      'point,a,seed,status,x,y\n' +
        'a-1_seed-1,1,1,done,1,1\na-1_seed-1,1,1,done,2,2\n' +
        'a-1_seed-2,1,2,done,1,3\na-1_seed-2,1,2,done,2,NaN\n' +
        'a-2_seed-1,2,1,done,1,10\na-2_seed-1,2,1,done,2,20\n' +
        'a-2_seed-2,2,2,failed,,\n',
    );
  });

  it('a band per group (parameters but the seed, then by): n, mean, sd, t interval; NaN where one value', () => {
    const bands = computeBands(points, ['a'], ['y']);
    const t1 = 12.706204736174694;
    const sd = Math.SQRT2; // of 1 and 3
    expect(bands.map((band) => [band.group, band.stats.n, band.stats.mean])).toEqual([[['1', '1'], 2, 2], [['1', '2'], 1, 2], [['2', '1'], 1, 10], [['2', '2'], 1, 20]]);
    expect(bands[0].stats.low).toBeCloseTo(2 - (t1 * sd) / Math.SQRT2, 9);
    const text = bandsCsv(bands, ['a'], ['x']);
    expect(text.split('\n')[0]).toBe('a,x,metric,n,mean,sd,ci_low,ci_high');
    expect(text.split('\n')[2]).toBe('1,2,y,1,2,NaN,NaN,NaN');
    expect(bandsCsv(computeBands([...points], ['a'], ['y']), ['a'], ['x'])).toBe(text);
  });

  it('band.svg: the same bands give the same bytes, one panel per field, a series per parameter value', () => {
    const bands = computeBands(points, ['a'], ['y']);
    const svg = bandSvg(bands, ['a', 'x'], ['y']);
    expect(bandSvg(computeBands(points, ['a'], ['y']), ['a', 'x'], ['y'])).toBe(svg);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="640" height="260"')).toBe(true);
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg).toContain('>a=1</text>');
    expect(svg).toContain('>a=2</text>');
    expect(svg).toContain('>y: mean and 95% interval</text>');
  });
});

describe('the sweep fixture\'s committed summary', () => {
  it('bands.csv and band.svg come again, byte for byte, from its summary.csv', async () => {
    const expected = join(import.meta.dirname, '..', 'fixtures', 'sweep', 'expected');
    const [, ...rows] = (await readFile(join(expected, 'summary.csv'), 'utf8')).trimEnd().split('\n').map((line) => line.split(','));
    const byPoint = new Map<string, PointMetrics>();
    for (const [id, scale, seed, state, x, y] of rows) {
      const entry = byPoint.get(id) ?? { id, parameters: { scale: Number(scale) }, seed: Number(seed), state: state as PointMetrics['state'], rows: [] };
      byPoint.set(id, { ...entry, rows: [...entry.rows, { by: [x], values: [Number(y)] }] });
    }
    const bands = computeBands([...byPoint.values()], ['scale'], ['y']);
    expect(bandsCsv(bands, ['scale'], ['x'])).toBe(await readFile(join(expected, 'bands.csv'), 'utf8'));
    expect(bandSvg(bands, ['scale', 'x'], ['y'])).toBe(await readFile(join(expected, 'band.svg'), 'utf8'));
  });
});

describe('reading a point\'s metrics', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'repro-metrics-'));
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'm.csv'), 'x,y,z\n1,0.5,a\n2,"n/a",b\n');
    await writeFile(join(dir, 'one.json'), '{"acc": 0.91, "loss": null}');
    await writeFile(join(dir, 'rows.json'), '[{"minute": 5, "acc": 0.7}, {"minute": 10, "acc": "0.8"}]');
    await writeFile(join(dir, 'bad.json'), '{"acc": ');
    await symlink('/etc/passwd', join(dir, 'link.csv'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads CSV columns and JSON objects or lists; what is not a number is NaN', async () => {
    expect(await readPointMetrics(dir, metrics)).toEqual({ rows: [{ by: ['1'], values: [0.5] }, { by: ['2'], values: [Number.NaN] }] });
    expect(await readPointMetrics(dir, { file: 'one.json', fields: ['acc', 'loss'], by: [] })).toEqual({ rows: [{ by: [], values: [0.91, Number.NaN] }] });
    expect(await readPointMetrics(dir, { file: 'rows.json', fields: ['acc'], by: ['minute'] })).toEqual({ rows: [{ by: ['5'], values: [0.7] }, { by: ['10'], values: [0.8] }] });
  });

  it('names what is wrong: no file, a missing field, bad JSON, a link', async () => {
    expect((await readPointMetrics(dir, { file: 'none.csv', fields: ['y'], by: [] })).problem).toBe('the point wrote no none.csv');
    expect((await readPointMetrics(dir, { file: 'm.csv', fields: ['w'], by: [] })).problem).toBe('m.csv has no "w"');
    expect((await readPointMetrics(dir, { file: 'bad.json', fields: ['acc'], by: [] })).problem).toMatch(/^bad\.json cannot be read: /);
    expect((await readPointMetrics(dir, { file: 'link.csv', fields: ['y'], by: [] })).problem).toBe('link.csv is not a regular file (links are never followed)');
  });
});
