// compareIpynb: outputs cell by cell per MIME type, volatile metadata ignored, malformed notebooks.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareIpynb } from '../../src/verify/comparers/ipynb.ts';
import { barChart } from '../fixtures/verify/chart.ts';

const text = readFileSync(new URL('../fixtures/verify/repo/results/analysis/analysis.ipynb', import.meta.url), 'utf8');
interface Notebook {
  metadata: Record<string, unknown>;
  cells: Array<{ execution_count?: number; metadata: Record<string, unknown>; source: string[]; outputs?: Array<{ text?: string[]; data?: Record<string, unknown> }> }>;
}
const notebook = (): Notebook => JSON.parse(text) as Notebook;
const compare = (b: Notebook | string, rtol = 1e-9) =>
  compareIpynb(Buffer.from(text), Buffer.from(typeof b === 'string' ? b : JSON.stringify(b)), { path: 'a.ipynb', tolerance: { rtol } });

describe('compareIpynb', () => {
  it('ignores execution counts and all metadata (timestamps, kernel versions)', async () => {
    const b = notebook();
    b.metadata.language_info = { version: '5.9.3' };
    b.cells[1].execution_count = 7;
    b.cells[1].metadata = { execution: { 'iopub.execute_input': '2027-01-01T00:00:00Z' } };
    expect((await compare(b)).verdict).toBe('identical');
  });

  it('compares numbers in text outputs with the tolerance, naming cell and output', async () => {
    const b = notebook();
    b.cells[1].outputs![0].text = ['accuracy 0.8126\n'];
    const beyond = await compare(b);
    expect(beyond.verdict).toBe('differs');
    expect(beyond.largest?.where).toBe('cell 1 output 0 (stdout): line 1');
    expect((await compare(b, 1e-3)).verdict).toBe('within tolerance');
  });

  it('compares image/png outputs as pixels and shows the figure', async () => {
    const b = notebook();
    b.cells[2].outputs![0].data!['image/png'] = barChart([30, 55, 20, 46]).toString('base64');
    const result = await compare(b);
    expect(result.verdict).toBe('differs');
    expect(result.largest?.where).toBe('cell 2 output 0 image/png: x 85–102, y 29–29');
    expect(result.figures).toHaveLength(1);
    expect(result.figures[0].label).toBe('cell 2 output 0 image/png');
  });

  it('reports an edited source, a missing output and a changed cell count', async () => {
    const b = notebook();
    b.cells[1].source = ["console.log('acc', 0.8125);"];
    b.cells[2].outputs = [];
    const result = await compare(b);
    expect(result.notes).toEqual([
      'cell 1: the source differs (the notebook was edited since the results were committed)',
      'cell 2: 1 outputs → 0 outputs',
    ]);
    const shorter = notebook();
    shorter.cells.pop();
    expect((await compare(shorter)).notes).toEqual(['3 cells → 2 cells']);
  });

  it('gives a verdict, not a crash, for malformed notebooks', async () => {
    expect((await compare('{"cells": ')).verdict).toBe('unreadable');
    expect((await compare('{"nbformat": 4}')).notes[0]).toBe('the re-run file cannot be read: not a notebook (no "cells" array)');
  });
});
