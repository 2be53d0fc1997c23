// The default figure rule on a real chart (this repository's accuracy.svg, rendered by resvg as verify does):
// another renderer's noise passes; a painted block, a changed label and a moved marker fail.
import { readFileSync } from 'node:fs';
import { renderAsync } from '@resvg/resvg-js';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import type { Tolerance } from '../../src/manifest/schema.ts';
import { compareImages, decodePng, figurePng } from '../../src/verify/comparers/png.ts';
import { compareSvg, renderSvg } from '../../src/verify/comparers/svg.ts';
import { figureDefaults, withDefaults } from '../../src/verify/tolerance.ts';
import { passes, type Image } from '../../src/verify/types.ts';

const fixtures = new URL('../fixtures/verify/figures/', import.meta.url);
const chart = readFileSync(new URL('accuracy.svg', fixtures), 'utf8');
const fonts = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((name) => `/usr/share/fonts/truetype/dejavu/${name}`);

/** resvg at `zoom`, downsampled by `average` (a box filter: supersampled antialiasing instead of resvg's own). */
async function render(svg: string, zoom = 1, average = 1): Promise<Image> {
  const rendered = await renderAsync(svg, { font: { loadSystemFonts: false, fontFiles: fonts, defaultFontFamily: 'DejaVu Sans' }, background: 'white', fitTo: { mode: 'zoom', value: zoom * average } });
  // `pixels` copies the whole image on every access: take it once.
  const pixels = rendered.pixels;
  if (average === 1) return { width: rendered.width, height: rendered.height, data: pixels };
  const width = rendered.width / average;
  const height = rendered.height / average;
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 4; c++) {
        let sum = 0;
        for (let j = 0; j < average; j++) for (let i = 0; i < average; i++) sum += pixels[((y * average + j) * rendered.width + x * average + i) * 4 + c];
        data[(y * width + x) * 4 + c] = Math.round(sum / (average * average));
      }
    }
  }
  return { width, height, data };
}

function paint(image: Image, x0: number, y0: number, size: number, rgb: number[]): Image {
  const data = new Uint8Array(image.data);
  for (let y = y0; y < y0 + size; y++) {
    for (let x = x0; x < x0 + size; x++) data.set(rgb, (y * image.width + x) * 4);
  }
  return { ...image, data };
}

/** Every label moved by (dx, dy) pixels, as another renderer's text layout places it. */
const shiftText = (svg: string, dx: number, dy: number) => svg.replace(/<text /g, `<text dx="${dx}" dy="${dy}" `);
const moveLegendMarker = (svg: string, dy: number) =>
  svg.replace('translate(6,6)" d="M-5,0L5,0" stroke="#f58518"', `translate(6,${6 + dy})" d="M-5,0L5,0" stroke="#f58518"`);

const committed = await render(chart);
function judge(rerun: Image, rule: Tolerance = {}, base: Image = committed) {
  return compareImages(base, rerun, withDefaults('results/figure.png', rule), { committed: base, rerun, label: '' });
}

describe('the default figure rule', () => {
  it('is { threshold: 0.1, region: 4, pixels: 0.0001 }, under the rules research.yaml writes', () => {
    expect(figureDefaults).toEqual({ threshold: 0.1, region: 4, pixels: 0.0001 });
    expect(withDefaults('results/a/fig.png', { pixels: 0.001 })).toEqual({ threshold: 0.1, region: 4, pixels: 0.001 });
    expect(withDefaults('results/a/fig.svg', { region: 20, rtol: 1e-9 })).toMatchObject({ region: 20, rtol: 1e-9 });
    expect(withDefaults('results/a/table.csv', { rtol: 1e-9 })).toEqual({ rtol: 1e-9 });
  });

  describe('passes rendering noise from another renderer', () => {
    const noise: Array<[string, () => Promise<Image> | Image]> = [
      ['Chromium (Skia, FreeType) drawing the same SVG', () => {
        const png = PNG.sync.read(readFileSync(new URL('accuracy-chromium.png', fixtures)));
        return { width: png.width, height: png.height, data: new Uint8Array(png.data) };
      }],
      ['4×4 supersampled antialiasing instead of analytic coverage', () => render(chart, 1, 4)],
      ['every label 0.3 px right and 0.3 px down', () => render(shiftText(chart, 0.3, 0.3))],
      ['every label half a pixel right', () => render(shiftText(chart, 0.5, 0))],
      ['every label 0.7 px right and half a pixel down', () => render(shiftText(chart, 0.7, 0.5))],
      ['glyphs 0.5% larger, as another font hinting draws them', () => render(chart.replace(/font-size="10px"/g, 'font-size="10.05px"'))],
      ['the whole plot 0.4 px off', () => render(chart.replace('translate(51,27)', 'translate(51.4,27.4)'))],
    ];
    for (const [name, make] of noise) {
      it(name, async () => {
        const rerun = await make();
        const result = judge(rerun);
        expect(result.notes.join('\n'), JSON.stringify(result.largest)).toMatch(/differences all over the figure, as another renderer makes: \d+ pixels differ/);
        expect(passes(result.verdict), JSON.stringify(result.largest)).toBe(true);
      });
    }
  });

  describe('fails a real change', () => {
    it('a 30×30 block painted onto the chart, even under pixels: 0.001 at twice the size (which alone passes it)', async () => {
      const block = judge(paint(committed, 300, 150, 30, [220, 50, 47]));
      expect(block.verdict).toBe('differs');
      expect(block.largest).toMatchObject({ text: '900 pixels (0.28%)', where: 'x 300–329, y 150–179' });
      expect(block.notes).toEqual(['900 pixels changed (limit 0.01% of 324480); the largest connected region has 900 (limit 4)']);
      const large = await render(chart, 2);
      const painted = paint(large, 600, 300, 30, [200, 200, 200]);
      expect(compareImages(large, painted, { pixels: 0.001 }, { committed: large, rerun: painted, label: '' }).verdict).toBe('within tolerance');
      expect(judge(painted, { pixels: 0.001 }, large).verdict).toBe('differs');
    });

    it('a changed label: a tick, a legend entry, and the title under another renderer\'s text placement', async () => {
      for (const [from, to] of [['>0.5<', '>0.6<'], ['k = 1, corrected<', 'k = 1, published<'], ['>8<', '>6<']]) {
        const result = judge(await render(chart.replace(from, to)));
        expect(result.verdict, `${from} → ${to}`).toBe('differs');
      }
      const retitled = judge(await render(shiftText(chart.replace('Terran<', 'Zerg<'), 0.3, 0.3)));
      expect(retitled.verdict).toBe('differs');
      expect(retitled.notes.join('\n')).toMatch(/differences all over the figure/);
    });

    it('a legend marker moved by 3 px, also under another renderer\'s text placement; a data point moved by 5 px', async () => {
      expect(judge(await render(moveLegendMarker(chart, 3))).verdict).toBe('differs');
      expect(judge(await render(shiftText(moveLegendMarker(chart, 3), 0.3, 0.3))).verdict).toBe('differs');
      expect(judge(await render(chart.replace('L175,105.915', 'L175,110.915'))).verdict).toBe('differs');
    });

    it('fails any changed pixel with region: 0, and forgives colour changes below the threshold', () => {
      const one = paint(committed, 300, 150, 1, [0, 0, 0]);
      expect(judge(one).verdict).toBe('within tolerance');
      expect(judge(one, { region: 0 }).verdict).toBe('differs');
      expect(judge(paint(committed, 300, 150, 30, [240, 240, 240])).verdict).toBe('identical');
    });
  });

  it('draws changed pixels red and forgiven ones yellow in the diff image', async () => {
    const rerun = paint(await render(shiftText(chart, 0.3, 0.3)), 300, 150, 30, [220, 50, 47]);
    const result = judge(rerun);
    const diff = decodePng(Buffer.from(figurePng(result.figures[0].diff!)));
    const at = (x: number, y: number) => [...diff.data.slice((y * diff.width + x) * 4, (y * diff.width + x) * 4 + 3)];
    expect(at(310, 160)).toEqual([255, 0, 0]);
    const colours = new Set<string>();
    for (let i = 0; i < diff.data.length; i += 4) colours.add(diff.data.slice(i, i + 3).join(','));
    expect(colours.has('255,200,0')).toBe(true);
  });

  it('applies to SVG files through their rendering: a label changed in the text fails, the same figure moved a fraction passes', async () => {
    const compare = (rerun: string) => compareSvg(Buffer.from(chart), Buffer.from(rerun), { path: 'results/accuracy.svg', tolerance: withDefaults('results/accuracy.svg', {}) });
    expect((await compare(chart.replace('>0.5<', '>0.6<'))).verdict).toBe('differs');
    expect(passes((await compare(shiftText(chart, 0.3, 0.3))).verdict)).toBe(true);
    expect((await renderSvg(chart)).width).toBe(committed.width);
  });
});
