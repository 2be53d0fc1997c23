// A sweep's reference curve: the schema's checks (with line:column), reading the CSV (a missing file, column, a value
// that is not a number, a point listed twice: exit 2 with where and what to do), each point beside the band at its x
// (inside the interval, inside the range), the shares, and the figure's markers: the same inputs, the same bytes.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode, ManifestError } from '../../src/errors.ts';
import { parseManifest, type LoadedManifest } from '../../src/manifest/load.ts';
import type { Band } from '../../src/sweep/aggregate.ts';
import { bandSvg } from '../../src/sweep/figure.ts';
import { checkReference, readSweepReference, referenceCsv, referenceShareCsv, referenceShares, type SweepReference } from '../../src/sweep/reference.ts';
import { groupStats } from '../../src/sweep/stats.ts';

const manifestText = (reference: string, by = '[model, minute]') =>
  `name: x\nentrypoints:\n  - { notebook: a.ipynb, outputs: r }\nsweeps:\n  s:\n    notebook: a.ipynb\n    metrics: { file: m.csv, fields: [acc], by: ${by} }\n    reference:\n${reference}`;

function problem(text: string): ManifestError {
  try {
    parseManifest(text, '/p/research.yaml');
  } catch (error) {
    if (error instanceof ManifestError) return error;
    throw error;
  }
  throw new Error('the manifest was accepted');
}

describe('research.yaml: sweeps.*.reference', () => {
  it('takes file, x, y, group (a column or a list), field and label; label defaults to "reference"', () => {
    const loaded = parseManifest(manifestText('      { file: ref/p.csv, x: minutes, y: accuracy, group: model }\n'), '/p/research.yaml');
    expect(loaded.manifest.sweeps?.s.reference).toEqual({ file: 'ref/p.csv', x: 'minutes', y: 'accuracy', group: ['model'], label: 'reference' });
    const listed = parseManifest(manifestText('      { file: p.csv, x: m, y: a, group: [model], field: acc, label: R }\n'), '/p/research.yaml');
    expect(listed.manifest.sweeps?.s.reference).toMatchObject({ group: ['model'], field: 'acc', label: 'R' });
  });

  it('refuses a field the sweep does not collect, a wrong number of group columns, no x, a file that is not CSV, with line and column', () => {
    expect(problem(manifestText('      { file: p.csv, x: m, y: a, group: model, field: accuracy }\n')).message).toBe(
      '/p/research.yaml:9:55: sweeps.s.reference.field "accuracy" is not one of metrics.fields (acc).',
    );
    const noGroup = problem(manifestText('      { file: p.csv, x: m, y: a }\n'));
    expect(noGroup.message).toBe("/p/research.yaml:9:7: sweeps.s.reference a mapping has no group, but the sweep's series are told apart by model (x is minute): set group to the reference's column for model.");
    expect(noGroup.exitCode).toBe(ExitCode.badInput);
    expect(problem(manifestText('      { file: p.csv, x: m, y: a, group: [model, run] }\n')).message).toContain(
      "sweeps.s.reference.group a list of 2 names 2 group columns, but the sweep's series are told apart by model (x is minute)",
    );
    expect(problem(manifestText('      { file: p.csv, x: m, y: a, group: model }\n', '[minute]')).message).toContain(
      'names 1 group column, but the sweep has a single series (x is minute): leave group out.',
    );
    expect(problem(manifestText('      { file: p.csv, x: m, y: a }\n', '[]')).message).toContain('has no x to stand on: the sweep has no parameters and no metrics.by');
    expect(problem(manifestText('      { file: p.txt, x: m, y: a, group: model }\n')).message).toBe('/p/research.yaml:9:15: sweeps.s.reference.file "p.txt" must be a .csv file.');
    expect(problem(manifestText('      { file: p.csv, y: a, group: model }\n')).message).toBe('/p/research.yaml:9:7: sweeps.s.reference is missing "x".');
    const twoFields = manifestText('      { file: p.csv, x: m, y: a, group: model }\n').replace('fields: [acc]', 'fields: [acc, loss]');
    expect(problem(twoFields).message).toContain('sweeps.s.reference a mapping needs field: (which metric the reference is of): the sweep collects 2 (acc, loss)');
  });
});

describe('reading the reference file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'repro-reference-'));
    await mkdir(join(dir, 'ref'));
    await writeFile(join(dir, 'ref', 'p.csv'), 'model,minutes,accuracy\ntree,5,0.9\ntree,10,0.95\nlinear,5,0.7\n');
    await writeFile(join(dir, 'ref', 'nan.csv'), 'model,minutes,accuracy\ntree,5,0.9\ntree,10,n/a\n');
    await writeFile(join(dir, 'ref', 'twice.csv'), 'model,minutes,accuracy\ntree,5,0.9\ntree,5.0,0.8\n');
    await writeFile(join(dir, 'ref', 'empty.csv'), 'model,minutes,accuracy\n');
    await symlink(join(dir, 'ref', 'p.csv'), join(dir, 'ref', 'link.csv'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const load = (reference: string): LoadedManifest => parseManifest(manifestText(reference), join(dir, 'research.yaml'));
  const read = (loaded: LoadedManifest) => readSweepReference(dir, loaded, 's', loaded.manifest.sweeps?.s ?? expect.fail('no sweep'));
  const failure = async (reference: string): Promise<ManifestError> => {
    const error: unknown = await read(load(reference)).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ManifestError);
    return error as ManifestError;
  };

  it('reads the points: series, x and value, in file order, named by the sweep\'s columns', async () => {
    const reference = await read(load('      { file: ref/p.csv, x: minutes, y: accuracy, group: model, label: paper }\n'));
    expect(reference).toEqual({
      file: 'ref/p.csv',
      label: 'paper',
      field: 'acc',
      seriesColumns: ['model'],
      xColumn: 'minute',
      points: [
        { series: ['tree'], x: '5', value: 0.9 },
        { series: ['tree'], x: '10', value: 0.95 },
        { series: ['linear'], x: '5', value: 0.7 },
      ],
    });
  });

  it('names a missing file, a link, a missing column (with a near name), a value that is not a number, a point listed twice', async () => {
    const missing = await failure('      { file: ref/none.csv, x: minutes, y: accuracy, group: model }\n');
    expect(missing.message).toMatch(/research\.yaml:9:15: sweeps\.s\.reference\.file: ref\/none\.csv does not exist$/);
    expect(missing.hint).toBe('Commit the reference CSV at that path (relative to research.yaml), or correct the path.');
    expect(missing.exitCode).toBe(ExitCode.badInput);
    expect((await failure('      { file: ref/link.csv, x: minutes, y: accuracy, group: model }\n')).message).toContain('ref/link.csv is not a regular file (links are never followed)');
    expect((await failure('      { file: ref/empty.csv, x: minutes, y: accuracy, group: model }\n')).message).toContain('ref/empty.csv has no rows under a header');
    const column = await failure('      { file: ref/p.csv, x: minute, y: accuracy, group: model }\n');
    expect(column.message).toMatch(/research\.yaml:9:29: sweeps\.s\.reference\.x: ref\/p\.csv has no column "minute" \(its columns: model, minutes, accuracy\)$/);
    expect(column.hint).toBe('Did you mean "minutes"?');
    expect((await failure('      { file: ref/p.csv, x: minutes, y: acc, group: model }\n')).message).toContain('sweeps.s.reference.y: ref/p.csv has no column "acc"');
    expect((await failure('      { file: ref/p.csv, x: minutes, y: accuracy, group: [kind] }\n')).message).toContain('sweeps.s.reference.group: ref/p.csv has no column "kind"');
    const nan = await failure('      { file: ref/nan.csv, x: minutes, y: accuracy, group: model }\n');
    expect(nan.message).toBe('ref/nan.csv:3:1: accuracy is "n/a", not a number (the reference of sweep s)');
    // 5 and 5.0 are one x.
    expect((await failure('      { file: ref/twice.csv, x: minutes, y: accuracy, group: model }\n')).message).toBe('ref/twice.csv:3:1: model tree, minutes 5.0 is listed twice (lines 2 and 3)');
  });
});

describe('the reference beside the bands', () => {
  const band = (model: string, minute: string, values: number[]): Band => ({ group: [model, minute], field: 'acc', stats: groupStats(values) });
  // tree at 5: mean 0.85, interval 0.85 ± 0.029 (t(3) · sd 0.01826 / 2), range 0.83–0.87; the loss band is another field's.
  const bands = [band('tree', '5.000000', [0.83, 0.84, 0.86, 0.87]), band('tree', '10.000000', [0.9, 0.92, 0.94, 0.96]), band('linear', '5.000000', [0.7]), { ...band('tree', '5.000000', [0.1]), field: 'loss' }];
  const reference: SweepReference = {
    file: 'ref/p.csv',
    label: 'paper',
    field: 'acc',
    seriesColumns: ['model'],
    xColumn: 'minute',
    points: [
      { series: ['tree'], x: '5', value: 0.86 },
      { series: ['tree'], x: '10', value: 0.99 },
      { series: ['linear'], x: '5', value: 0.7 },
      { series: ['linear'], x: '10', value: 0.75 },
    ],
  };

  it('per point: the band at its x (5 is 5.000000), inside the interval and the range; no band, no answer', () => {
    const checks = checkReference(bands, reference);
    expect(checks.map((check) => [check.band?.n ?? 0, check.inInterval, check.inRange])).toEqual([
      [4, true, true],
      [4, false, false],
      [1, undefined, true],
      [0, undefined, undefined],
    ]);
    const text = referenceCsv(checks, reference);
    const lines = text.split('\n');
    expect(lines[0]).toBe('model,minute,metric,reference,n,mean,ci_low,ci_high,min,max,in_interval,in_range');
    expect(lines[1]).toMatch(/^tree,5,acc,0\.86,4,0\.85\d*,0\.82\d+,0\.87\d+,0\.83,0\.87,yes,yes$/);
    expect(lines[3]).toBe('linear,5,acc,0.7,1,0.7,NaN,NaN,0.7,0.7,,yes');
    expect(lines[4]).toBe('linear,10,acc,0.75,0,,,,,,,');
    expect(referenceCsv(checkReference([...bands], reference), reference)).toBe(text);
  });

  it('the share per series and overall; a point without a band or an interval counts as outside', () => {
    const shares = referenceShares(checkReference(bands, reference), reference);
    expect(shares).toEqual([
      { series: ['tree'], points: 2, inInterval: 1, inRange: 1 },
      { series: ['linear'], points: 2, inInterval: 0, inRange: 1 },
      { points: 4, inInterval: 1, inRange: 2 },
    ]);
    expect(referenceShareCsv(shares, reference)).toBe(
      'model,metric,points,in_interval,in_range,share_in_interval,share_in_range\n' +
        'tree,acc,2,1,1,0.5,0.5\n' +
        'linear,acc,2,0,1,0,0.5\n' +
        'all,acc,4,1,2,0.25,0.5\n',
    );
    const single: SweepReference = { ...reference, seriesColumns: [], points: [{ series: [], x: '5', value: 1 }] };
    expect(referenceShareCsv(referenceShares(checkReference([], single), single), single)).toBe('metric,points,in_interval,in_range,share_in_interval,share_in_range\nacc,1,0,0,0,0\n');
  });

  it('band.svg: a hollow diamond per reference point in its series\' colour, a dashed line, the label and the shares in the legend; same bytes', () => {
    const overlay = { reference, shares: referenceShares(checkReference(bands, reference), reference) };
    const svg = bandSvg(bands, ['model', 'minute'], ['acc'], overlay);
    expect(bandSvg([...bands], ['model', 'minute'], ['acc'], overlay)).toBe(svg);
    expect(svg.match(/<path d="M[^"]+Z" fill="#ffffff" stroke="#1f77b4"/g)).toHaveLength(2); // tree: the first series
    expect(svg.match(/<path d="M[^"]+Z" fill="#ffffff" stroke="#d62728"/g)).toHaveLength(2); // linear
    expect(svg.match(/stroke-dasharray="4 3"/g)).toHaveLength(3); // two series' lines and the legend's
    expect(svg).toContain('>paper</text>');
    expect(svg).toContain('>1 of 4 in the 95% interval</text>');
    expect(svg).toContain('>2 of 4 in the range</text>');
    // x ticks as numbers, not as the metrics file wrote them.
    expect(svg).toContain('>5</text>');
    expect(svg).not.toContain('>5.000000</text>');
    // Without a reference, no marker.
    expect(bandSvg(bands, ['model', 'minute'], ['acc'])).not.toContain('<path ');
  });
});
