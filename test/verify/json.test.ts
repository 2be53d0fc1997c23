// compareJson: structure, numeric tolerance at its edge, JSON paths, malformed and empty files.
import { describe, expect, it } from 'vitest';
import type { Tolerance } from '../../src/manifest/schema.ts';
import { compareJson } from '../../src/verify/comparers/json.ts';

const metrics = { dataset: 'games', rows: 1600, models: [{ name: 'logistic', auc: 0.874 }, { name: 'tree', auc: 0.8123 }] };
const compare = (a: unknown, b: unknown, tolerance: Tolerance = { rtol: 1e-9 }) =>
  compareJson(Buffer.from(typeof a === 'string' ? a : JSON.stringify(a)), Buffer.from(typeof b === 'string' ? b : JSON.stringify(b)), { path: 'm.json', tolerance });

describe('compareJson', () => {
  it('ignores key order and formatting', () => {
    const reordered = { models: metrics.models, rows: 1600, dataset: 'games' };
    expect(compare(metrics, JSON.stringify(reordered, null, 2)).verdict).toBe('identical');
  });

  it('passes a number exactly at the tolerance, fails one just beyond, at its JSON path', () => {
    const at = structuredClone(metrics);
    at.models[1].auc = 1.5;
    const base = structuredClone(metrics);
    base.models[1].auc = 1;
    expect(compare(base, at, { atol: 0.5 }).verdict).toBe('within tolerance');
    at.models[1].auc = 1.5000001;
    const beyond = compare(base, at, { atol: 0.5 });
    expect(beyond.verdict).toBe('differs');
    expect(beyond.largest?.where).toBe('$.models[1].auc');
  });

  it('uses a per-key tolerance from `columns`', () => {
    const changed = structuredClone(metrics);
    changed.models[0].auc = 0.9;
    expect(compare(metrics, changed, { columns: { auc: { atol: 0.05 } } }).verdict).toBe('within tolerance');
  });

  it('reports type changes, missing and extra keys, and array lengths', () => {
    const result = compare({ a: 1, b: [1, 2], c: 'x', 'odd key': 1 }, { a: '1', b: [1], d: 'x', 'odd key': 1 });
    expect(result.verdict).toBe('differs');
    expect(result.findings.map((f) => [f.where, f.deviation])).toEqual([
      ['$.a', 'number → string'],
      ['$.b', 'length differs'],
      ['$.c', 'key missing from the re-run'],
      ['$.d', 'extra key in the re-run'],
    ]);
  });

  it('gives a verdict, not a crash, for malformed and empty files', () => {
    const broken = compare(metrics, '{"rows": 16');
    expect(broken.verdict).toBe('unreadable');
    expect(broken.notes[0]).toMatch(/^the re-run file cannot be read: /);
    expect(compare('', metrics).notes[0]).toBe('the committed file cannot be read: the file is empty');
  });
});
