// compareCsvFiles: tables too large to hold, streamed row by row, give the verdicts compareCsv gives in memory.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Tolerance } from '../../src/manifest/schema.ts';
import { compareCsv } from '../../src/verify/comparers/csv.ts';
import { compareCsvFiles, RowTooLong } from '../../src/verify/comparers/csv-stream.ts';
import { rowLimit } from '../../src/verify/limits.ts';

const scratch = mkdtempSync(join(tmpdir(), 'repro-csv-stream-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let files = 0;

async function stream(a: string, b: string, tolerance: Tolerance = { rtol: 1e-9 }, path = 'results/t.csv') {
  const pathA = join(scratch, `${files++}.a`);
  const pathB = join(scratch, `${files++}.b`);
  writeFileSync(pathA, a);
  writeFileSync(pathB, b);
  const [handleA, handleB] = [await open(pathA), await open(pathB)];
  try {
    return await compareCsvFiles(handleA, handleB, { path, tolerance });
  } finally {
    await handleA.close();
    await handleB.close();
  }
}
const inMemory = (a: string, b: string, tolerance: Tolerance = { rtol: 1e-9 }, path = 'results/t.csv') =>
  compareCsv(Buffer.from(a), Buffer.from(b), { path, tolerance });

const table = 'model,accuracy,auc\nlogistic,0.8125,0.874\ntree,0.7731,0.8123\nboosted,0.845,0.9011\n';

describe('compareCsvFiles gives the in-memory verdicts', () => {
  const cases: Array<[string, string, string, Tolerance?, string?]> = [
    ['the same table written differently', 'a,b\n1.0,x\n', 'a,b\r\n1,x\r\n'],
    ['a cell at the tolerance', 'a\n1\n', 'a\n1.5\n', { atol: 0.5 }],
    ['a cell just beyond it', 'a\n1\n', 'a\n1.5000001\n', { atol: 0.5 }],
    ['two cells changed', table, table.replace('0.7731', '0.7735').replace('0.9011', '0.95')],
    ['per-column tolerances', table, table.replace('0.9011', '0.95'), { rtol: 0, columns: { auc: { atol: 0.1 } } }],
    ['NaN without nanEqual', 'a,b\nNaN,1\n', 'a,b\nNaN,1\n', {}],
    ['NaN with nanEqual', 'a,b\nNaN,1\n', 'a,b\nnan,1\n', { nanEqual: true }],
    ['text cells', table, table.replace('tree', 'forest')],
    ['reordered columns', table, 'auc,model,accuracy\n0.874,logistic,0.8125\n0.8123,tree,0.7731\n0.9011,boosted,0.9\n'],
    ['missing and extra columns and rows', table, 'model,accuracy,f1\nlogistic,0.8125,0.7\n'],
    ['both empty', '', '\n'],
    ['one empty', table, ''],
    ['an unclosed quote', table, 'a,b\n1,"x\n2,y\n'],
    ['a ragged row', 'a,b\n1,2\n3\n', table],
    ['quoted fields', 'a,b\n"x, ""y""",1\n', 'a,b\n"x, ""y""",1.0\n'],
    ['a headerless matrix', '1,2\n3,4\n', '1,2.5\n3,4\n'],
    ['a byte-order mark', '\ufeffa,b\n1,2\n', 'a,b\n1,2\n'],
  ];
  for (const [name, a, b, tolerance] of cases) {
    it(name, async () => {
      const expected = inMemory(a, b, tolerance);
      const result = await stream(a, b, tolerance);
      expect({ ...result, notes: result.notes }).toEqual(expected);
    });
  }

  it('TSV, by its extension', async () => {
    const result = await stream('a\tb\n1\t2\n', 'a\tb\n1\t3\n', {}, 'results/t.tsv');
    expect(result).toEqual(inMemory('a\tb\n1\t2\n', 'a\tb\n1\t3\n', {}, 'results/t.tsv'));
    expect(result.largest?.where).toBe('row 1 (line 2; a=1), column "b"');
  });
});

describe('compareCsvFiles on tables larger than a chunk', () => {
  const rows = (n: number, change?: number) => {
    let text = 'id,label,value\n';
    for (let i = 0; i < n; i++) text += `${i},"row ${i}\nwith a line break",${i === change ? i + 0.5 : i / 7}\n`;
    return text;
  };

  it('finds one changed cell among 20,000 rows, with its row and line, quoted line breaks counted', async () => {
    const result = await stream(rows(20_000), rows(20_000, 12_345));
    expect(result.verdict).toBe('differs');
    expect(result.findingCount).toBe(1);
    expect(result.largest?.where).toBe('row 12346 (line 24692; id=12345, label=row 12345 with a line b…), column "value"');
    expect(result.findings[0]).toMatchObject({ committed: String(12_345 / 7), rerun: '12345.5' });
  });

  it('recognises the same rows in another order by their hashes, and says the table was not sorted', async () => {
    const records = Array.from({ length: 5000 }, (_, i) => `${i},label ${i % 3},${i / 7}`);
    const table = (order: string[]) => 'id,label,value\n' + order.join('\n') + '\n';
    const result = await stream(table(records), table([...records].reverse()));
    expect(result.verdict).toBe('differs');
    expect(result.notes).toEqual(['rows are in a different order (the same 5000 rows, matched by a hash of each row that differs in place: the table is too large to sort)']);
    expect(result.findings).toEqual([]);
    // One row changed as well: no longer the same rows, so the cells are reported.
    const changed = [...records].reverse();
    changed[10] = changed[10].replace(/,[^,]*$/, ',1e9');
    expect((await stream(table(records), table(changed))).notes).toEqual([]);
  });

  it('reports a row too long to hold (the caller then compares by sha256)', async () => {
    const long = 'a,b\n1,' + 'x'.repeat(rowLimit + 1) + '\n';
    await expect(stream(long, 'a,b\n1,2\n')).rejects.toThrow(RowTooLong);
    await expect(stream(long, 'a,b\n1,2\n')).rejects.toThrow(/line 2 of the committed file is longer than 4,000,000 characters/);
  });
});
