// Verify within bounded memory and time: large tables streamed, other large files and huge figures compared by
// sha256 (and saying so), a per-file time limit, and a 200 MB table compared in a child process that stays small.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { formatSummary } from '../../src/verify/summary.ts';
import { compareTrees } from '../../src/verify/tree.ts';
import { fails } from '../../src/verify/types.ts';

const scratch = mkdtempSync(join(tmpdir(), 'repro-bounded-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let committed: string;
let rerun: string;
let cases = 0;
beforeEach(() => {
  committed = join(scratch, `${cases}/committed`);
  rerun = join(scratch, `${cases++}/rerun`);
  mkdirSync(join(committed, 'results'), { recursive: true });
  mkdirSync(join(rerun, 'results'), { recursive: true });
});

function write(name: string, committedContent: string | Buffer, rerunContent: string | Buffer = committedContent): void {
  writeFileSync(join(committed, 'results', name), committedContent);
  writeFileSync(join(rerun, 'results', name), rerunContent);
}
async function verdict(name: string, rules: Record<string, object> = { default: { rtol: 1e-9 } }) {
  const { files } = await compareTrees({ committedRoot: committed, rerunRoot: rerun, outputs: ['results'], rules });
  return files.find((f) => f.path === `results/${name}`)!;
}
/** About `rows` × 40 bytes of table, the same every time. */
function table(rows: number, change?: number): string {
  const lines = ['id,label,value,share'];
  for (let i = 0; i < rows; i++) lines.push(`${i},label ${i % 7},${i === change ? 1 : (i * 0.37) % 1000},${(i % 97) / 97}`);
  return lines.join('\n') + '\n';
}

describe('large files', () => {
  it('streams a table over 4 MB row by row, with the same tolerances and the cell that differs', async () => {
    write('big.csv', table(150_000), table(150_000, 123_456));
    const file = await verdict('big.csv');
    expect(file.verdict).toBe('differs');
    expect(file.largest?.where).toBe('row 123457 (line 123458; id=123456, label=label 4), column "value"');
    expect(file.notes).toContain('compared row by row as it was read (over 4 MB): reordered rows are recognised when equal, not when they also differ within tolerance');
    expect(file.committedSha256).toMatch(/^[0-9a-f]{64}$/);
    write('same.csv', table(150_000));
    expect((await verdict('same.csv')).verdict).toBe('identical');
  });

  it('compares other files over 16 MB by sha256 and says so in the verdict', async () => {
    const json = JSON.stringify({ values: Array.from({ length: 1_500_000 }, (_, i) => i / 3) });
    write('big.json', json, json.slice(0, -2) + ',1]}');
    const file = await verdict('big.json');
    expect(file.verdict).toBe('differs');
    expect(file.notes[0]).toBe('compared by sha256: too large to compare value by value (limit 16 MB)');
    expect(file.largest?.where).toBe(`byte ${json.length - 2}`);
    write('same.json', json);
    const same = await verdict('same.json');
    expect(same.verdict).toBe('identical');
    expect(same.notes).toEqual(['compared by sha256: too large to compare value by value (limit 16 MB)']);
  });

  it('compares a figure over 16 megapixels by sha256, without decoding it', async () => {
    // Only the header: 5000×5000 pixels would take 100 MB a side to decode.
    const header = (byte: number) => Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0x13, 0x88, 0, 0, 0x13, 0x88, 8, 6, 0, 0, 0, byte]);
    write('huge.png', header(1), header(2));
    const png = await verdict('huge.png');
    expect(png.verdict).toBe('differs');
    expect(png.notes).toEqual(['compared by sha256: too large to compare pixel by pixel (5000×5000 pixels, limit 16 megapixels)']);
    write('huge.svg', '<svg xmlns="http://www.w3.org/2000/svg" width="100000" height="100000"><rect width="1" height="1"/></svg>', '<svg xmlns="http://www.w3.org/2000/svg" width="100000" height="100000"><rect width="2" height="1"/></svg>');
    expect((await verdict('huge.svg')).notes).toEqual(['compared by sha256: too large to compare pixel by pixel (100000×100000 pixels, limit 16 megapixels)']);
  });
});

describe('the time limit', () => {
  it('reports a file not compared in time as NOT COMPARED, a failure, with how far it got', async () => {
    write('big.csv', table(150_000), table(150_000, 140_000));
    const file = await verdict('big.csv', { default: { rtol: 1e-9, timeLimit: 1 } });
    expect(file.verdict).toBe('not compared');
    expect(fails(file)).toBe(true);
    expect(file.largest?.text).toBe('not compared: over the time limit of 1 ms');
    expect(file.notes[0]).toMatch(/^not compared: the comparison took longer than the time limit of 1 ms \(stopped at (byte|row) [\d,]+\)\. Raise `timeLimit`/);
    expect(formatSummary([file])).toMatch(/results\/big\.csv\s+csv\s+NOT COMPARED\s+not compared: over the time limit of 1 ms/);
  });

  it('stops waiting for a figure render that outlives the limit', async () => {
    const svg = (fill: string) => `<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="1000"><filter id="b"><feGaussianBlur stdDeviation="20"/></filter><rect width="1000" height="1000" fill="${fill}" filter="url(#b)"/></svg>`;
    write('slow.svg', svg('red'), svg('blue'));
    const file = await verdict('slow.svg', { default: { timeLimit: 1 } });
    expect(file.verdict).toBe('not compared');
    expect(file.largest?.where).toBe('file');
  });
});

describe('memory', () => {
  it('compares a 200 MB table with one changed cell in a child process whose peak RSS stays under 300 MB', () => {
    const child = fileURLToPath(new URL('./compare-child.ts', import.meta.url));
    const result = spawnSync(process.execPath, ['--import', 'tsx', child, join(scratch, 'memory'), String(200e6)], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    const { verdict, where, peakMb } = JSON.parse(result.stdout) as { verdict: string; where: string; peakMb: number };
    expect(verdict).toBe('differs');
    expect(where).toMatch(/^row \d+ \(line \d+; id=\d+(, label=[^)]*)?\), column "value"$/);
    expect(peakMb).toBeLessThan(300);
  }, 120_000);
});
