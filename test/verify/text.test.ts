// compareText and compareBinary, and the choice of comparer by extension.
import { describe, expect, it } from 'vitest';
import { compareBinary } from '../../src/verify/comparers/binary.ts';
import { compareFile, kindOf } from '../../src/verify/comparers/index.ts';
import { compareText } from '../../src/verify/comparers/text.ts';

const notes = 'Summary\nBest model: boosted (accuracy 0.845)\nRows used: 1600\n';

describe('compareText', () => {
  it('finds CRLF and LF line endings identical', () => {
    expect(compareText(notes, notes.replace(/\n/g, '\r\n'), {}).verdict).toBe('identical');
  });

  it('judges numbers inside the text with the tolerance', () => {
    const changed = notes.replace('0.845', '0.8450000001');
    expect(compareText(notes, changed, { rtol: 1e-9 }).verdict).toBe('within tolerance');
    const beyond = compareText(notes, notes.replace('0.845', '0.85'), { rtol: 1e-9 });
    expect(beyond.verdict).toBe('differs');
    expect(beyond.largest?.where).toBe('line 2');
  });

  it('shows any other change as a unified diff with the first differing line', () => {
    const result = compareText(notes, notes.replace('boosted', 'tree'), { rtol: 1 }, 'notes.txt');
    expect(result.verdict).toBe('differs');
    expect(result.largest).toMatchObject({ where: 'line 2', text: '"Best model: boosted (accuracy 0.845)" → "Best model: tree (accuracy 0.845)"' });
    expect(result.textDiff).toContain('-Best model: boosted (accuracy 0.845)\n+Best model: tree (accuracy 0.845)');
  });

  it('reports an emptied file', () => {
    const result = compareText(notes, '', {});
    expect(result.verdict).toBe('differs');
    expect(result.largest?.where).toBe('line 1');
  });
});

describe('compareBinary and the choice of comparer', () => {
  it('reports the first differing byte', () => {
    const result = compareBinary(Buffer.from([1, 2, 3, 4]), Buffer.from([1, 2, 9]));
    expect(result.verdict).toBe('differs');
    expect(result.largest?.where).toBe('byte 2');
    expect(result.notes).toEqual(['contents differ from byte 2 (4 → 3 bytes)']);
  });

  it('chooses by extension', () => {
    expect(['a.csv', 'a.TSV', 'm.json', 'f.png', 'f.svg', 'n.ipynb', 'r.md', 'w.bin', 'noext'].map(kindOf)).toEqual([
      'csv', 'csv', 'json', 'png', 'svg', 'ipynb', 'text', 'binary', 'binary',
    ]);
  });

  it('takes equal bytes as identical without parsing them', async () => {
    expect((await compareFile('x.png', Buffer.from('not a png'), Buffer.from('not a png'), {})).verdict).toBe('identical');
  });
});
