// A sweep's summary: the metrics of every point (summary.csv, one row per point and metrics row) and, per group (the
// parameters but the seed, and the metrics' `by` columns), n, mean, sd and the 95% t interval (bands.csv).
// Plain text with numbers in JavaScript's shortest round-trip form: the same points give the same bytes.
import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sweep } from '../manifest/schema.ts';
import { parseTable } from '../verify/comparers/csv-parse.ts';
import type { PointState } from './plan.ts';
import { groupStats, type GroupStats } from './stats.ts';

export interface MetricRow {
  /** The `by` columns' values, as text. */
  by: string[];
  /** The fields' values; NaN where missing or not a number. */
  values: number[];
}

export interface PointMetrics {
  id: string;
  parameters: Record<string, unknown>;
  seed: number;
  state: PointState;
  rows: MetricRow[];
  /** Why the point has no metrics (failed, missing, unreadable file). */
  problem?: string;
}

export interface Band {
  /** The group: parameter values (seed excluded), then the `by` values, as text. */
  group: string[];
  field: string;
  stats: GroupStats;
}

/** The metrics of one point that ran: its metrics file's rows, or a problem saying why there are none. */
export async function readPointMetrics(outputsDir: string, metrics: Sweep['metrics']): Promise<{ rows: MetricRow[]; problem?: string }> {
  const file = join(outputsDir, metrics.file);
  const info = await lstat(file).catch(() => undefined);
  if (!info) return { rows: [], problem: `the point wrote no ${metrics.file}` };
  if (!info.isFile()) return { rows: [], problem: `${metrics.file} is not a regular file (links are never followed)` };
  const text = await readFile(file, 'utf8');
  try {
    const records = /\.json$/i.test(metrics.file) ? jsonRecords(text) : csvRecords(text);
    const missing = [...metrics.fields, ...metrics.by].find((name) => !records.some((record) => Object.hasOwn(record, name)));
    if (records.length > 0 && missing !== undefined) return { rows: [], problem: `${metrics.file} has no ${JSON.stringify(missing)}` };
    return {
      rows: records.map((record) => ({
        by: metrics.by.map((name) => String(record[name] ?? '')),
        values: metrics.fields.map((name) => toNumber(record[name])),
      })),
    };
  } catch (error) {
    return { rows: [], problem: `${metrics.file} cannot be read: ${(error as Error).message}` };
  }
}

/** summary.csv: point, parameters…, seed, status, by…, fields… (empty metric cells for a point without metrics). */
export function summaryCsv(points: readonly PointMetrics[], parameterNames: readonly string[], metrics: Sweep['metrics']): string {
  const lines = [csvLine(['point', ...parameterNames, 'seed', 'status', ...metrics.by, ...metrics.fields])];
  for (const point of points) {
    const head = [point.id, ...parameterNames.map((name) => String(point.parameters[name])), String(point.seed), point.state];
    if (point.rows.length === 0) lines.push(csvLine([...head, ...metrics.by.map(() => ''), ...metrics.fields.map(() => '')]));
    for (const row of point.rows) lines.push(csvLine([...head, ...row.by, ...row.values.map(formatNumber)]));
  }
  return lines.join('\n') + '\n';
}

/** The bands, groups in the order they first appear among the points, fields in research.yaml's order. */
export function computeBands(points: readonly PointMetrics[], parameterNames: readonly string[], fields: readonly string[]): Band[] {
  const groups = new Map<string, { group: string[]; values: number[][] }>();
  for (const point of points) {
    if (point.state !== 'done') continue;
    for (const row of point.rows) {
      const group = [...parameterNames.map((name) => String(point.parameters[name])), ...row.by];
      const key = JSON.stringify(group);
      let entry = groups.get(key);
      if (!entry) groups.set(key, (entry = { group, values: fields.map(() => []) }));
      row.values.forEach((value, i) => entry.values[i].push(value));
    }
  }
  return [...groups.values()].flatMap(({ group, values }) => fields.map((field, i) => ({ group, field, stats: groupStats(values[i]) })));
}

/** bands.csv: parameters…, by…, metric, n, mean, sd, ci_low, ci_high (NaN where one value gives no spread). */
export function bandsCsv(bands: readonly Band[], parameterNames: readonly string[], by: readonly string[]): string {
  const lines = [csvLine([...parameterNames, ...by, 'metric', 'n', 'mean', 'sd', 'ci_low', 'ci_high'])];
  for (const band of bands) {
    const { n, mean, sd, low, high } = band.stats;
    lines.push(csvLine([...band.group, band.field, String(n), ...[mean, sd, low, high].map(formatNumber)]));
  }
  return lines.join('\n') + '\n';
}

export function formatNumber(value: number): string {
  return Number.isNaN(value) ? 'NaN' : String(value);
}

function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') return Number(value);
  return Number.NaN;
}

function jsonRecords(text: string): Array<Record<string, unknown>> {
  const value: unknown = JSON.parse(text);
  const records = Array.isArray(value) ? value : [value];
  if (!records.every((record) => typeof record === 'object' && record !== null && !Array.isArray(record))) {
    throw new Error('expected an object, or a list of objects');
  }
  return records as Array<Record<string, unknown>>;
}

function csvRecords(text: string): Array<Record<string, string>> {
  const [header, ...rows] = parseTable(text, ',').rows;
  if (!header) return [];
  return rows.map((row) => Object.fromEntries(header.map((name, i) => [name, row[i]])));
}

export function csvLine(cells: readonly string[]): string {
  return cells.map((cell) => (/[",\n\r]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell)).join(',');
}
