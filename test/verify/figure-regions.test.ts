// The changed regions of a figure and the zoomed crops the report shows of them.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { cropFor, cropMinSide, listRegions, magnify, mergeNear, regionLimit } from '../../src/verify/comparers/figure-regions.ts';
import { compareIpynb } from '../../src/verify/comparers/ipynb.ts';
import { compareImages } from '../../src/verify/comparers/png.ts';
import { barChart } from '../fixtures/verify/chart.ts';

import { renderCrops } from '../../src/verify/report-figures.ts';
import { withDefaults } from '../../src/verify/tolerance.ts';
import type { Image } from '../../src/verify/types.ts';

function mask(width: number, height: number, rects: Array<[number, number, number, number]>): Uint8Array {
  const m = new Uint8Array(width * height);
  for (const [x0, y0, x1, y1] of rects) for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) m[y * width + x] = 1;
  return m;
}

describe('listRegions', () => {
  it('lists regions largest first, merging those within a few pixels (the glyphs of one label)', () => {
    const m = mask(200, 100, [
      [10, 10, 12, 20], // a glyph
      [15, 10, 17, 20], // the next glyph, 2 px away: the same label
      [100, 50, 149, 59], // a block
      [190, 90, 190, 90], // a speck
    ]);
    const { regions, count } = listRegions(m, 200, 100);
    expect(count).toBe(3);
    expect(regions).toEqual([
      { x0: 100, y0: 50, x1: 149, y1: 59, pixels: 500 },
      { x0: 10, y0: 10, x1: 17, y1: 20, pixels: 66 },
      { x0: 190, y0: 90, x1: 190, y1: 90, pixels: 1 },
    ]);
  });

  it(`keeps the ${regionLimit} largest and counts the rest`, () => {
    const rects: Array<[number, number, number, number]> = Array.from({ length: 10 }, (_, i) => [i * 20, 0, i * 20 + i, 0]);
    const { regions, count } = listRegions(mask(200, 1, rects), 200, 1);
    expect(count).toBe(10);
    expect(regions.map((r) => r.pixels)).toEqual([10, 9, 8, 7, 6, 5]);
  });

  it('merges chains of near regions transitively', () => {
    const merged = mergeNear(
      [
        { x0: 0, y0: 0, x1: 1, y1: 1, pixels: 4 },
        { x0: 20, y0: 0, x1: 21, y1: 1, pixels: 4 },
        { x0: 10, y0: 0, x1: 11, y1: 1, pixels: 4 },
      ],
      9,
    );
    expect(merged).toEqual([{ x0: 0, y0: 0, x1: 21, y1: 1, pixels: 12 }]);
  });
});

describe('cropFor and magnify', () => {
  it('pads a small region to the minimum side, centred, and magnifies it by a whole factor', () => {
    const crop = cropFor({ x0: 100, y0: 50, x1: 110, y1: 54, pixels: 30 }, 845, 384);
    // 11×5 padded by 8 is 27×21, widened to 32 on both sides (the odd pixel after): x 90–121, y 37–68.
    expect(crop).toEqual({ x0: 90, y0: 37, width: cropMinSide, height: cropMinSide, scale: 8 });
  });

  it('shifts the crop inside the figure at its edges, and clips it to a figure smaller than the minimum', () => {
    expect(cropFor({ x0: 0, y0: 0, x1: 2, y1: 2, pixels: 9 }, 845, 384)).toMatchObject({ x0: 0, y0: 0, width: 32, height: 32 });
    expect(cropFor({ x0: 843, y0: 382, x1: 844, y1: 383, pixels: 4 }, 845, 384)).toMatchObject({ x0: 813, y0: 352, width: 32, height: 32 });
    expect(cropFor({ x0: 3, y0: 3, x1: 4, y1: 4, pixels: 4 }, 10, 6)).toMatchObject({ x0: 0, y0: 0, width: 10, height: 6, scale: 16 });
  });

  it('keeps a large region at 1× and pads it by the margin', () => {
    expect(cropFor({ x0: 100, y0: 100, x1: 399, y1: 199, pixels: 30000 }, 845, 384)).toEqual({ x0: 92, y0: 92, width: 316, height: 116, scale: 1 });
  });

  it('repeats each pixel scale × scale times', () => {
    const image: Image = { width: 2, height: 1, data: new Uint8Array([255, 0, 0, 255, 0, 0, 255, 255]) };
    const big = magnify(image, { x0: 1, y0: 0, width: 1, height: 1, scale: 3 });
    expect(big.width).toBe(3);
    expect(big.height).toBe(3);
    for (let p = 0; p < 9; p++) expect([...big.data.slice(p * 4, p * 4 + 4)]).toEqual([0, 0, 255, 255]);
  });
});

describe('figure comparisons carry their regions', () => {
  const blank = (): Image => ({ width: 100, height: 60, data: new Uint8Array(100 * 60 * 4).fill(255) });
  const paint = (image: Image, x0: number, y0: number, w: number, h: number) => {
    for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) image.data.set([0, 0, 0, 255], (y * image.width + x) * 4);
    return image;
  };

  it('under the default figure rule and under a plain pixel count', () => {
    const a = blank();
    const b = paint(paint(blank(), 10, 10, 5, 5), 70, 40, 3, 2);
    for (const tolerance of [withDefaults('results/f.png', {}), { pixels: 0.5 }]) {
      const figure = compareImages(a, b, tolerance, { committed: a, rerun: b, label: '' }).figures[0];
      expect(figure.regionCount).toBe(2);
      expect(figure.regions).toEqual([
        { x0: 10, y0: 10, x1: 14, y1: 14, pixels: 25 },
        { x0: 70, y0: 40, x1: 72, y1: 41, pixels: 6 },
      ]);
    }
  });

  it('for an image in a notebook, under its output label', async () => {
    const text = readFileSync(new URL('../fixtures/verify/repo/results/analysis/analysis.ipynb', import.meta.url), 'utf8');
    const b = JSON.parse(text) as { cells: Array<{ outputs?: Array<{ data?: Record<string, unknown> }> }> };
    b.cells[2].outputs![0].data!['image/png'] = barChart([30, 55, 20, 50]).toString('base64');
    const result = await compareIpynb(Buffer.from(text), Buffer.from(JSON.stringify(b)), { path: 'a.ipynb', tolerance: {} });
    expect(result.figures[0].label).toBe('cell 2 output 0 image/png');
    // The fourth bar grew by 5 pixels: one region, 18 wide, 5 high.
    expect(result.figures[0].regions).toEqual([{ x0: 85, y0: 25, x1: 102, y1: 29, pixels: 90 }]);
  });

  it('are shown as at most 6 crops in the report, which says when there were more', () => {
    const a = blank();
    const b = blank();
    for (let n = 0; n < 10; n++) paint(b, 2 + n * 9, 5, 1 + (n % 3), 2);
    const comparison = compareImages(a, b, { pixels: 0.5 }, { committed: a, rerun: b, label: '' });
    const figure = comparison.figures[0];
    expect(figure.regionCount).toBe(10);
    const html = renderCrops({ path: 'results/f.png', kind: 'png', informational: false, ...comparison }, figure);
    expect(html).toContain('Changed regions, zoomed: the 6 largest of 10 (the rest are in the full view)');
    expect(html.match(/<img class="crop-diff"/g)).toHaveLength(6);
    expect(html).toContain('region 1: x 20–22, y 5–6, 6 changed pixels; shown x 6–37, y 0–31 at 8×');
  });
});
