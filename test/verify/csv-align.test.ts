// Rows aligned before comparing: a deleted or inserted row is one finding, the rows after it compare equal, in
// memory and streamed alike.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Tolerance } from '../../src/manifest/schema.ts';
import { compareCsv } from '../../src/verify/comparers/csv.ts';
import { compareCsvFiles, lookAhead } from '../../src/verify/comparers/csv-stream.ts';
import type { Comparison } from '../../src/verify/types.ts';

const scratch = mkdtempSync(join(tmpdir(), 'repro-csv-align-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let files = 0;

const inMemory = (a: string, b: string, tolerance: Tolerance = { rtol: 1e-9 }) => compareCsv(Buffer.from(a), Buffer.from(b), { path: 'results/t.csv', tolerance });

async function streamed(a: string, b: string, tolerance: Tolerance = { rtol: 1e-9 }): Promise<Comparison> {
  const [pathA, pathB] = [join(scratch, `${files++}.csv`), join(scratch, `${files++}.csv`)];
  writeFileSync(pathA, a);
  writeFileSync(pathB, b);
  const [handleA, handleB] = [await open(pathA), await open(pathB)];
  try {
    return await compareCsvFiles(handleA, handleB, { path: 'results/t.csv', tolerance });
  } finally {
    await handleA.close();
    await handleB.close();
  }
}

/** A table of `n` rows: id, a value, a label; row i (1-based) is line i + 1. */
function rows(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${i + 1},${((i * 7919) % 1000) / 1000},label${i % 13}`);
}
const csv = (lines: string[]) => ['id,value,label', ...lines].join('\n') + '\n';
/** Each finding as "where | deviation", for compact assertions. */
const summary = (result: Comparison) => result.findings.map((f) => `${f.where} | ${f.deviation}`);

describe('rows aligned before their cells are compared', () => {
  const base = rows(300);

  it('reports a deleted row as "row N deleted" with its content, and nothing else', async () => {
    const b = [...base.slice(0, 244), ...base.slice(245)];
    for (const result of [inMemory(csv(base), csv(b)), await streamed(csv(base), csv(b))]) {
      expect(result.verdict).toBe('differs');
      expect(summary(result)).toEqual(['row 245 (line 246) | row 245 deleted']);
      expect(result.findings[0]).toMatchObject({ committed: base[244], rerun: '', change: 'deleted' });
      expect(result.notes).toEqual(['1 row missing from the re-run (300 → 299)']);
      expect(result.largest?.where).toBe('row 245');
    }
  });

  it('reports an inserted row with its re-run row and line', async () => {
    const b = [...base.slice(0, 99), '999,0.5,new', ...base.slice(99)];
    for (const result of [inMemory(csv(base), csv(b)), await streamed(csv(base), csv(b))]) {
      expect(summary(result)).toEqual(['re-run row 100 (line 101) | row 100 inserted']);
      expect(result.findings[0]).toMatchObject({ committed: '', rerun: '999,0.5,new', change: 'inserted' });
      expect(result.notes).toEqual(['1 row extra in the re-run (300 → 301)']);
    }
  });

  it('compares a changed row cell by cell (tolerance applies) when the rows after it match in place', async () => {
    const b = [...base];
    b[10] = b[10].replace(/,label/, '1e-12,label').replace(/^(\d+),([0-9.]+)1e-12/, '$1,$2');
    b[20] = '21,0.25,changed';
    const result = inMemory(csv(base), csv(b), { atol: 1e-6 });
    expect(summary(result)).toEqual([`row 21 (line 22; id=21), column "value" | ${result.findings[0].deviation}`, 'row 21 (line 22; id=21), column "label" | text differs']);
    expect(await streamed(csv(base), csv(b), { atol: 1e-6 })).toEqual(result);
  });

  it('aligns rows that differ within tolerance around a deletion, naming the re-run row of their cells', async () => {
    const noisy = base.map((line) => line.replace(/^(\d+),([0-9.]+),/, (_, id: string, v: string) => `${id},${Number(v) + 1e-12},`));
    const b = [...noisy.slice(0, 5), ...noisy.slice(6)];
    for (const result of [inMemory(csv(base), csv(b), { atol: 1e-9 }), await streamed(csv(base), csv(b), { atol: 1e-9 })]) {
      expect(result.verdict).toBe('differs');
      expect(result.findings.filter((f) => f.change).map((f) => f.deviation)).toEqual(['row 6 deleted']);
      expect(result.findings.filter((f) => !f.withinTolerance)).toHaveLength(1);
      expect(result.findings[6].where).toBe('row 7 (line 8; re-run row 6; id=7), column "value"');
      expect(result.findingCount).toBe(300);
    }
  });

  it('handles several deletions and insertions, at the start and at the end', async () => {
    const b = ['0,0.1,first', ...base.slice(0, 50), ...base.slice(52, 299), '301,0.3,last'];
    for (const result of [inMemory(csv(base), csv(b)), await streamed(csv(base), csv(b))]) {
      expect(summary(result)).toEqual([
        're-run row 1 (line 2) | row 1 inserted',
        'row 51 (line 52) | row 51 deleted',
        'row 52 (line 53) | row 52 deleted',
        'row 300 (line 301; re-run row 299), column "id" | |Δ| 1 (rel 3.3e-3)',
        'row 300 (line 301; re-run row 299), column "value" | |Δ| 0.481 (rel 6.2e-1)',
        'row 300 (line 301; re-run row 299), column "label" | text differs',
      ]);
      expect(result.notes).toEqual(['1 row missing from the re-run (300 → 299)']);
      expect(result.largest?.where).toBe('row 1');
    }
    // A row replaced in place (every cell differs) is a changed row, not a deletion and an insertion.
    const replaced = inMemory(csv(base), csv(['0,0.1,first', ...base.slice(1)]));
    expect(replaced.findings.map((f) => f.where)).toEqual(['id', 'value', 'label'].map((c) => `row 1 (line 2), column "${c}"`));
  });

  it('deletes one of two equal rows and keeps the rest aligned', async () => {
    const a = csv(['1,a', '2,b', '2,b', '3,c', '4,d'].map((r) => r + ',x'));
    const b = csv(['1,a', '2,b', '3,c', '4,d'].map((r) => r + ',x'));
    for (const result of [inMemory(a, b), await streamed(a, b)]) expect(summary(result)).toEqual(['row 3 (line 4) | row 3 deleted']);
  });

  it('calls a changed row among equal rows changed, not deleted and inserted', async () => {
    const a = csv(['0,0,x', '0,0,x', '0,0,x', '0,0,x']);
    const b = csv(['1,0,x', '0,0,x', '0,0,x', '0,0,x']);
    for (const result of [inMemory(a, b), await streamed(a, b)]) {
      expect(summary(result)).toEqual(['row 1 (line 2), column "id" | |Δ| 1 (rel 1)'.replace('|Δ| 1 (rel 1)', result.findings[0].deviation)]);
      expect(result.findings[0].change).toBeUndefined();
    }
  });

  it('still reports reordered rows as such', async () => {
    const b = [...base].reverse();
    for (const result of [inMemory(csv(base), csv(b)), await streamed(csv(base), csv(b))]) {
      expect(result.notes[0]).toMatch(/^rows are in a different order \(the same 300 rows/);
      expect(result.findings).toEqual([]);
    }
  });

  it('streams: re-synchronises within its look-ahead, and a longer run is compared as shifted rows', async () => {
    const many = rows(lookAhead.rows * 3);
    const within = [...many.slice(0, 100), ...many.slice(100 + lookAhead.rows - 10)];
    const near = await streamed(csv(many), csv(within));
    expect(near.findingCount).toBe(lookAhead.rows - 10);
    expect(near.findings.every((f) => f.change === 'deleted')).toBe(true);
    const beyond = [...many.slice(0, 100), ...many.slice(100 + 2 * lookAhead.rows + 10)];
    const far = await streamed(csv(many), csv(beyond));
    expect(far.verdict).toBe('differs');
    expect(far.findings.some((f) => f.change === undefined)).toBe(true);
    // In memory the look-ahead is the whole table.
    expect(inMemory(csv(many), csv(beyond)).findingCount).toBe(2 * lookAhead.rows + 10);
  });

  it('deletes the last row and inserts after the last row as such', async () => {
    for (const result of [inMemory(csv(base), csv(base.slice(0, -1))), await streamed(csv(base), csv(base.slice(0, -1)))]) {
      expect(summary(result)).toEqual(['row 300 (line 301) | row 300 deleted']);
    }
    for (const result of [inMemory(csv(base), csv([...base, '301,0.1,x'])), await streamed(csv(base), csv([...base, '301,0.1,x']))]) {
      expect(summary(result)).toEqual(['re-run row 301 (line 302) | row 301 inserted']);
    }
  });

  it('cannot find a deleted row when every row also changed (a changed column): the rows after it compare shifted', async () => {
    const relabelled = base.map((line) => line.replace(/label/, 'tag'));
    const b = [...relabelled.slice(0, 150), ...relabelled.slice(151)];
    for (const result of [inMemory(csv(base), csv(b)), await streamed(csv(base), csv(b))]) {
      expect(result.verdict).toBe('differs');
      expect(result.notes).toEqual(['1 row missing from the re-run (300 → 299)']);
      // 299 changed labels, rows 151-299 shifted in id and value, and the last committed row left over.
      expect(result.findingCount).toBe(299 + 2 * 149 + 1);
    }
  });
});
