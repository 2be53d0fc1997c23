// docs/research-yaml.md documents every key of a sweep and of its metrics.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sweepSchema } from '../../src/manifest/schema.ts';

const doc = await readFile(join(import.meta.dirname, '..', '..', 'docs', 'research-yaml.md'), 'utf8');

describe('docs/research-yaml.md#sweeps', () => {
  it('has a row for each key of sweeps.*, sweeps.*.metrics and sweeps.*.reference', () => {
    const start = doc.indexOf('\n## sweeps\n');
    expect(start).toBeGreaterThan(-1);
    const section = doc.slice(start, doc.indexOf('\n## ', start + 1));
    const documented = [...section.matchAll(/^\| `([A-Za-z0-9]+)` \|/gm)].map((m) => m[1]).sort();
    const metricsKeys = Object.keys(sweepSchema.shape.metrics.shape);
    const referenceKeys = Object.keys(sweepSchema.shape.reference.unwrap().shape);
    expect(documented).toEqual([...Object.keys(sweepSchema.shape), ...metricsKeys, ...referenceKeys].sort());
  });
});
