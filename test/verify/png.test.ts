// comparePng: pixel counts against `pixels` at the edge, threshold, diff image, size changes, bad files.
import { describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import type { Tolerance } from '../../src/manifest/schema.ts';
import { comparePng, decodePng, figurePng } from '../../src/verify/comparers/png.ts';
import { barChart } from '../fixtures/verify/chart.ts';

/** The fixture chart with `count` pixels of its top-left background turned black. */
function withBlackPixels(count: number): Buffer {
  const png = PNG.sync.read(barChart());
  for (let i = 0; i < count; i++) {
    const offset = ((20 + Math.floor(i / 5)) * 120 + 100 + (i % 5)) * 4;
    png.data[offset] = png.data[offset + 1] = png.data[offset + 2] = 0;
  }
  return PNG.sync.write(png);
}
const compare = (a: Buffer, b: Buffer, tolerance: Tolerance = {}) => comparePng(a, b, { path: 'f.png', tolerance });

describe('comparePng', () => {
  it('finds the same pixels identical even when the encoding differs', () => {
    const reencoded = PNG.sync.write(PNG.sync.read(barChart()), { colorType: 2 });
    expect(reencoded.equals(barChart())).toBe(false);
    expect(compare(barChart(), reencoded).verdict).toBe('identical');
  });

  it('passes exactly `pixels` of differing pixels and fails one more, with where they are', () => {
    const tolerance = { pixels: 10 / 9600 };
    expect(compare(barChart(), withBlackPixels(10), tolerance).verdict).toBe('within tolerance');
    const beyond = compare(barChart(), withBlackPixels(11), tolerance);
    expect(beyond.verdict).toBe('differs');
    expect(beyond.largest).toMatchObject({ text: '11 pixels (0.11%)', where: 'x 100–104, y 20–22' });
  });

  it('fails any changed pixel when no tolerance is configured', () => {
    expect(compare(barChart(), withBlackPixels(1)).verdict).toBe('differs');
  });

  it('forgives small colour changes below `threshold`', () => {
    const png = PNG.sync.read(barChart());
    png.data[0] = 250; // white → nearly white
    const slightly = PNG.sync.write(png);
    expect(compare(barChart(), slightly).verdict).toBe('differs');
    expect(compare(barChart(), slightly, { threshold: 0.1 }).verdict).toBe('identical');
  });

  it('writes a diff image the size of the figure, differences in red', () => {
    const result = compare(barChart(), withBlackPixels(3));
    const figure = result.figures[0];
    expect(figure.differingPixels).toBe(3);
    const diff = decodePng(Buffer.from(figurePng(figure.diff!)));
    expect([diff.width, diff.height]).toEqual([120, 80]);
    const at = (20 * 120 + 100) * 4;
    expect([...diff.data.slice(at, at + 3)]).toEqual([255, 0, 0]);
  });

  it('reports a change of size', () => {
    const bigger = PNG.sync.write(new PNG({ width: 121, height: 80 }));
    const result = compare(barChart(), bigger);
    expect(result.verdict).toBe('differs');
    expect(result.notes).toEqual(['image size differs: 120×80 → 121×80']);
  });

  it('gives a verdict, not a crash, for malformed and empty files', () => {
    expect(compare(barChart(), Buffer.from('not a png')).verdict).toBe('unreadable');
    const empty = compare(Buffer.alloc(0), barChart());
    expect(empty.verdict).toBe('unreadable');
    expect(empty.notes[0]).toMatch(/^the committed file cannot be read: not a valid PNG/);
  });
});
