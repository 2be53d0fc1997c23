// A sweep's reference curve (research.yaml sweeps.NAME.reference): points published elsewhere, read from a CSV in
// the repository and set beside the bands: per point the band at its x and whether the point lies inside the 95%
// interval of the mean and inside the range of the points' values (reference.csv), and how many do (reference-share.csv).
import { lstat, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ManifestError } from '../errors.ts';
import { didYouMean } from '../manifest/fields.ts';
import { fieldPosition, type LoadedManifest } from '../manifest/load.ts';
import type { Sweep } from '../manifest/schema.ts';
import { parseTable, TableSyntaxError } from '../verify/comparers/csv-parse.ts';
import { csvLine, formatNumber, type Band } from './aggregate.ts';
import type { GroupStats } from './stats.ts';

export interface ReferencePoint {
  /** The point's series: its values of the sweep's group columns but x, as text. */
  series: string[];
  x: string;
  value: number;
}

export interface SweepReference {
  /** Repository-relative CSV file. */
  file: string;
  label: string;
  /** The metric (one of metrics.fields) the points are values of. */
  field: string;
  /** The sweep's group columns but x (the series), and x: the sweep's names, which the output files use. */
  seriesColumns: string[];
  xColumn: string;
  points: ReferencePoint[];
}

/** A reference point beside the band at its x; no band when the sweep has none at that x for that series. */
export interface ReferenceCheck {
  point: ReferencePoint;
  band?: GroupStats;
  /** Inside [ci_low, ci_high]; undefined without a band or an interval (a band of one value). */
  inInterval?: boolean;
  /** Inside [min, max] of the band's values; undefined without a band. */
  inRange?: boolean;
}

/**
 * The sweep's reference, read and checked against research.yaml: the file is a regular file in the repository, has
 * the named columns, a number in y on every row and each point once. Every problem is a ManifestError (exit 2)
 * at the field's line:column in research.yaml, or at the row of the CSV.
 */
export async function readSweepReference(projectDir: string, loaded: Pick<LoadedManifest, 'file' | 'text'>, name: string, sweep: Sweep): Promise<SweepReference | undefined> {
  const { reference } = sweep;
  if (!reference) return undefined;
  const key = ['sweeps', name, 'reference'];
  const problem = (field: string, message: string, hint: string) =>
    new ManifestError(`sweeps.${name}.reference.${field}: ${message}`, { position: fieldPosition(loaded, [...key, field]), hint });
  const path = resolve(projectDir, reference.file);
  const info = await lstat(path).catch(() => undefined);
  if (!info) throw problem('file', `${reference.file} does not exist`, 'Commit the reference CSV at that path (relative to research.yaml), or correct the path.');
  if (!info.isFile()) throw problem('file', `${reference.file} is not a regular file (links are never followed)`, 'Point at the CSV file itself.');
  let table: { rows: string[][]; lines: number[] };
  try {
    table = parseTable(await readFile(path, 'utf8'), ',');
  } catch (error) {
    if (!(error instanceof TableSyntaxError)) throw error;
    throw problem('file', `${reference.file} is not a readable CSV: ${error.message}`, 'Fix the CSV (comma-separated, with a header row).');
  }
  const [header = [], ...rows] = table.rows;
  if (rows.length === 0) throw problem('file', `${reference.file} has no rows under a header`, 'A header row naming the columns, then one row per reference point.');
  const column = (field: string, wanted: string): number => {
    const index = header.indexOf(wanted);
    if (index >= 0) return index;
    const near = didYouMean(wanted, header);
    throw problem(field, `${reference.file} has no column ${JSON.stringify(wanted)} (its columns: ${header.join(', ')})`, near ? `Did you mean ${JSON.stringify(near)}?` : 'Name one of its columns.');
  };
  const xIndex = column('x', reference.x);
  const yIndex = column('y', reference.y);
  const groupIndexes = reference.group.map((wanted) => column('group', wanted));
  const columns = [...Object.keys(sweep.parameters), ...sweep.metrics.by];
  const seen = new Map<string, number>();
  const points = rows.map((row, i): ReferencePoint => {
    const line = table.lines[i + 1];
    const at = { file: reference.file, line, column: 1 };
    const text = row[yIndex] ?? '';
    const value = text.trim() === '' ? Number.NaN : Number(text);
    if (!Number.isFinite(value)) {
      throw new ManifestError(`${reference.y} is ${JSON.stringify(text)}, not a number (the reference of sweep ${name})`, { position: at, hint: 'Give every reference point a numeric value, or leave the row out.' });
    }
    const point = { series: groupIndexes.map((index) => row[index] ?? ''), x: row[xIndex] ?? '', value };
    const id = pointKey([...point.series, point.x]);
    const first = seen.get(id);
    if (first !== undefined) {
      throw new ManifestError(`${[...reference.group, reference.x].map((c, j) => `${c} ${[...point.series, point.x][j]}`).join(', ')} is listed twice (lines ${first} and ${line})`, {
        position: at,
        hint: 'List each reference point once.',
      });
    }
    seen.set(id, line);
    return point;
  });
  return { file: reference.file, label: reference.label, field: reference.field ?? sweep.metrics.fields[0], seriesColumns: columns.slice(0, -1), xColumn: columns.at(-1) ?? '', points };
}

/** Each reference point beside the band of its series at its x (values compared as numbers when both are, else as text). */
export function checkReference(bands: readonly Band[], reference: SweepReference): ReferenceCheck[] {
  const byPoint = new Map<string, GroupStats>();
  for (const band of bands) {
    if (band.field !== reference.field) continue;
    byPoint.set(pointKey(band.group), band.stats);
  }
  return reference.points.map((point) => {
    const band = byPoint.get(pointKey([...point.series, point.x]));
    if (!band || band.n === 0) return { point };
    const within = (low: number, high: number) => (Number.isNaN(low) || Number.isNaN(high) ? undefined : low <= point.value && point.value <= high);
    return { point, band, inInterval: within(band.low, band.high), inRange: within(band.min, band.max) };
  });
}

/** reference.csv: series…, x, metric, reference, n, mean, ci_low, ci_high, min, max, in_interval, in_range (yes, no, or empty). */
export function referenceCsv(checks: readonly ReferenceCheck[], reference: SweepReference): string {
  const lines = [csvLine([...reference.seriesColumns, reference.xColumn, 'metric', 'reference', 'n', 'mean', 'ci_low', 'ci_high', 'min', 'max', 'in_interval', 'in_range'])];
  for (const { point, band, inInterval, inRange } of checks) {
    const stats = band ? [band.mean, band.low, band.high, band.min, band.max].map(formatNumber) : ['', '', '', '', ''];
    lines.push(csvLine([...point.series, point.x, reference.field, formatNumber(point.value), String(band?.n ?? 0), ...stats, yesNo(inInterval), yesNo(inRange)]));
  }
  return lines.join('\n') + '\n';
}

export interface ReferenceShare {
  /** The series' values; undefined for all points together. */
  series?: string[];
  points: number;
  inInterval: number;
  inRange: number;
}

/** Per series (in the order they first appear in the reference), then all points together when there are series. */
export function referenceShares(checks: readonly ReferenceCheck[], reference: SweepReference): ReferenceShare[] {
  const count = (selected: readonly ReferenceCheck[], series?: string[]): ReferenceShare => ({
    ...(series ? { series } : {}),
    points: selected.length,
    inInterval: selected.filter((check) => check.inInterval === true).length,
    inRange: selected.filter((check) => check.inRange === true).length,
  });
  if (reference.seriesColumns.length === 0) return [count(checks)];
  const groups = new Map<string, ReferenceCheck[]>();
  for (const check of checks) {
    const id = JSON.stringify(check.point.series);
    groups.set(id, [...(groups.get(id) ?? []), check]);
  }
  return [...[...groups.values()].map((selected) => count(selected, selected[0].point.series)), count(checks)];
}

/**
 * reference-share.csv: series…, metric, points, in_interval, in_range, share_in_interval, share_in_range; the last
 * row, with `all` in every series column, is every point together. A point with no band or no interval is outside.
 */
export function referenceShareCsv(shares: readonly ReferenceShare[], reference: SweepReference): string {
  const lines = [csvLine([...reference.seriesColumns, 'metric', 'points', 'in_interval', 'in_range', 'share_in_interval', 'share_in_range'])];
  for (const share of shares) {
    const series = share.series ?? reference.seriesColumns.map(() => 'all');
    const ratio = (inside: number) => formatNumber(share.points === 0 ? Number.NaN : inside / share.points);
    lines.push(csvLine([...series, reference.field, String(share.points), String(share.inInterval), String(share.inRange), ratio(share.inInterval), ratio(share.inRange)]));
  }
  return lines.join('\n') + '\n';
}

/** Group values as a key: a number's value where it is one (5, 5.0 and 5.000000 are one x), else the text. */
function pointKey(values: readonly string[]): string {
  return JSON.stringify(values.map((value) => (value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value)));
}

function yesNo(value: boolean | undefined): string {
  return value === undefined ? '' : value ? 'yes' : 'no';
}
