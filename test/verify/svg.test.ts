// compareSvg: normalized text first, then pixels rendered with the pinned fonts; malformed SVG.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareSvg } from '../../src/verify/comparers/svg.ts';

const chart = readFileSync(new URL('../fixtures/verify/repo/results/analysis/chart.svg', import.meta.url), 'utf8');
const compare = (a: string, b: string, pixels = 0) =>
  compareSvg(Buffer.from(a), Buffer.from(b), { path: 'results/chart.svg', tolerance: { pixels } });

describe('compareSvg', () => {
  it('ignores the prolog, comments and whitespace between tags', async () => {
    const reformatted = chart.replace('<?xml version="1.0" encoding="UTF-8"?>\n', '').replace(/\n\s*/g, '\n<!-- generated -->');
    expect((await compare(chart, reformatted)).verdict).toBe('identical');
  });

  it('renders text that differs but draws the same picture, and passes it', async () => {
    const sameLook = chart.replace('fill="white"', 'fill="#ffffff"');
    const result = await compare(chart, sameLook);
    expect(result.verdict).toBe('identical');
    expect(result.notes).toEqual(['the SVG text differs but renders to the same pixels']);
  });

  it('renders a changed figure and reports its pixels, with a diff image and the text diff', async () => {
    const taller = chart.replace('y="45" width="18" height="30"', 'y="35" width="18" height="40"');
    const result = await compare(chart, taller);
    expect(result.verdict).toBe('differs');
    expect(result.largest?.text).toBe('180 pixels (1.88%)');
    expect(result.largest?.where).toBe('x 10–27, y 35–44');
    expect(result.figures[0].diff).toBeDefined();
    expect(result.textDiff).toContain('+<rect x="10" y="35" width="18" height="40" fill="#1f77b4"/>');
    expect((await compare(chart, taller, 0.02)).verdict).toBe('within tolerance');
  });

  it('renders text with the pinned DejaVu fonts, so a changed label shows', async () => {
    expect((await compare(chart, chart.replace('>accuracy<', '>accurac¥<'))).verdict).toBe('differs');
  });

  it('gives a verdict, not a crash, for malformed files', async () => {
    const result = await compare(chart, '<svg xmlns="http://www.w3.org/2000/svg"><rect');
    expect(result.verdict).toBe('unreadable');
    expect(result.notes[0]).toMatch(/^the re-run file cannot be read: not a valid SVG/);
    expect((await compare('', chart)).verdict).toBe('unreadable');
  });
});
