// compareCsv: cells by column name with rtol/atol at the edges, NaN, reordering, empty and malformed tables.
import { describe, expect, it } from 'vitest';
import type { Tolerance } from '../../src/manifest/schema.ts';
import { compareCsv } from '../../src/verify/comparers/csv.ts';

const table = 'model,accuracy,auc\nlogistic,0.8125,0.874\ntree,0.7731,0.8123\nboosted,0.845,0.9011\n';
const compare = (a: string, b: string, tolerance: Tolerance = { rtol: 1e-9 }, path = 'results/t.csv') =>
  compareCsv(Buffer.from(a), Buffer.from(b), { path, tolerance });

describe('compareCsv', () => {
  it('finds nothing in the same table written differently (1.0 vs 1, CRLF)', () => {
    expect(compare('a,b\n1.0,x\n', 'a,b\r\n1,x\r\n').verdict).toBe('identical');
  });

  it('passes a cell exactly at the tolerance and fails one just beyond, naming row and column', () => {
    const at = compare('a\n1\n', 'a\n1.5\n', { atol: 0.5 });
    expect(at.verdict).toBe('within tolerance');
    expect(at.largest?.where).toBe('row 1 (line 2), column "a"');
    const beyond = compare('a\n1\n', 'a\n1.5000001\n', { atol: 0.5 });
    expect(beyond.verdict).toBe('differs');
    expect(beyond.findings[0]).toMatchObject({ committed: '1', rerun: '1.5000001', withinTolerance: false });
  });

  it('names the row by its key cells: equal cells left of its first difference, text or whole numbers, at most three, cut to 24 characters, on one line', () => {
    const a = 'frame,minutes,model,run,extra,accuracy\n5,2.5,"knn,\ncorrected",7,x,0.81\n';
    const where = (b: string) => compare(a, b).findings.map((f) => f.where);
    // minutes (a measurement) is not a key; the quoted line break shows as a space; a fourth key is left out.
    expect(where(a.replace('0.81', '0.8'))).toEqual(['row 1 (line 2; frame=5, model=knn, corrected, run=7), column "accuracy"']);
    // A difference in the first column: nothing left of it names the row.
    expect(where(a.replace('\n5,', '\n6,'))).toEqual(['row 1 (line 2), column "frame"']);
    // Keys stop at the row's first difference, whatever differs after it.
    expect(where(a.replace(',7,x,0.81', ',8,x,0.8'))).toEqual(['row 1 (line 2; frame=5, model=knn, corrected), column "run"', 'row 1 (line 2; frame=5, model=knn, corrected), column "accuracy"']);
    const long = 'name,v\nan-identifier-longer-than-the-label-width,1\n';
    expect(compare(long, long.replace(',1', ',2')).findings[0].where).toBe('row 1 (line 2; name=an-identifier-longer-th…), column "v"');
  });

  it('reports the cell furthest beyond its tolerance as the largest deviation', () => {
    const changed = table.replace('0.7731', '0.7735').replace('0.9011', '0.95');
    const result = compare(table, changed, { rtol: 1e-9 });
    expect(result.verdict).toBe('differs');
    expect(result.findingCount).toBe(2);
    expect(result.largest?.where).toBe('row 3 (line 4; model=boosted), column "auc"');
    expect(result.largest?.text).toMatch(/^\|Δ\| 0\.0489/);
  });

  it('uses per-column tolerances over the file tolerance', () => {
    const tolerance: Tolerance = { rtol: 0, columns: { auc: { atol: 0.1 } } };
    expect(compare(table, table.replace('0.9011', '0.95'), tolerance).verdict).toBe('within tolerance');
    expect(compare(table, table.replace('0.845', '0.846'), tolerance).verdict).toBe('differs');
  });

  it('treats NaN as equal to NaN only with nanEqual', () => {
    const strict = compare('a,b\nNaN,1\n', 'a,b\nNaN,1\n', {});
    expect(strict.verdict).toBe('differs');
    expect(strict.findings[0]).toMatchObject({ where: 'row 1 (line 2), column "a"', deviation: 'NaN vs NaN (nanEqual is off)' });
    expect(compare('a,b\nNaN,1\n', 'a,b\nNaN,1\n', { nanEqual: true }).verdict).toBe('identical');
  });

  it('is strict about NaN cells that are written differently', () => {
    expect(compare('a,b\nNaN,1\n', 'a,b\nnan,1\n', {}).verdict).toBe('differs');
    expect(compare('a,b\nNaN,1\n', 'a,b\nnan,1\n', { nanEqual: true }).verdict).toBe('identical');
    expect(compare('a\nNaN\n', 'a\n0\n', { nanEqual: true, atol: 1 }).verdict).toBe('differs');
  });

  it('compares text cells exactly', () => {
    const result = compare(table, table.replace('tree', 'forest'));
    expect(result.verdict).toBe('differs');
    expect(result.findings[0]).toMatchObject({ where: 'row 2 (line 3), column "model"', deviation: 'text differs' });
  });

  it('reports reordered rows as such', () => {
    const lines = table.trimEnd().split('\n');
    const reordered = [lines[0], lines[3], lines[1], lines[2]].join('\n') + '\n';
    const result = compare(table, reordered);
    expect(result.verdict).toBe('differs');
    expect(result.notes).toEqual(['rows are in a different order (the same 3 rows)']);
    expect(result.findings).toEqual([]);
  });

  it('reports reordered columns as such and still compares cells by name', () => {
    const reordered = 'auc,model,accuracy\n0.874,logistic,0.8125\n0.8123,tree,0.7731\n0.9011,boosted,0.9\n';
    const result = compare(table, reordered);
    expect(result.verdict).toBe('differs');
    expect(result.notes[0]).toMatch(/^columns are in a different order: auc, model, accuracy/);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0].where).toBe('row 3 (line 4; model=boosted), column "accuracy"');
  });

  it('reports missing and extra columns and rows', () => {
    const result = compare(table, 'model,accuracy,f1\nlogistic,0.8125,0.7\n');
    expect(result.verdict).toBe('differs');
    expect(result.notes).toEqual([
      'column missing from the re-run: auc',
      'extra column in the re-run: f1',
      '2 rows missing from the re-run (3 → 1)',
    ]);
  });

  it('handles empty files: both empty match, one empty differs', () => {
    expect(compare('', '').verdict).toBe('identical');
    expect(compare('', '\n').verdict).toBe('identical');
    const result = compare(table, '');
    expect(result.verdict).toBe('differs');
    expect(result.notes).toEqual(['the re-run table is empty']);
  });

  it('gives a verdict with the line, not a crash, for malformed tables', () => {
    const unclosed = compare(table, 'a,b\n1,"x\n2,y\n');
    expect(unclosed.verdict).toBe('unreadable');
    expect(unclosed.notes[0]).toBe('the re-run file cannot be read: line 2: a quoted field is never closed');
    const ragged = compare('a,b\n1,2\n3\n', table);
    expect(ragged.verdict).toBe('unreadable');
    expect(ragged.notes[0]).toBe('the committed file cannot be read: line 3: 1 fields where the header has 2');
  });

  it('reads quoted fields and TSV', () => {
    expect(compare('a,b\n"x, ""y""",1\n', 'a,b\n"x, ""y""",1.0\n').verdict).toBe('identical');
    const tsv = compare('a\tb\n1\t2\n', 'a\tb\n1\t3\n', {}, 'results/t.tsv');
    expect(tsv.largest?.where).toBe('row 1 (line 2; a=1), column "b"');
  });

  it('reads a table without a header (first row all numbers) as data, columns named by position', () => {
    const result = compare('1,2\n3,4\n', '1,2.5\n3,4\n');
    expect(result.largest?.where).toBe('row 1 (line 1; #1=1), column "#2"');
  });
});
