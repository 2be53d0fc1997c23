// A figure in report.html: committed, re-run and diff side by side, then a zoomed crop of each of the largest
// changed regions (committed, re-run, diff, magnified by whole factors, nearest neighbour) with its coordinates, so
// that an 11-pixel change is seen without hunting for it in a third-of-the-page panel.
import { cropFor, magnify, regionLimit } from './comparers/figure-regions.ts';
import { decodePng, figurePng } from './comparers/png.ts';
import { esc } from './html.ts';
import type { FigureDiff, FigureImage, FigureRegion, FileVerdict, Image } from './types.ts';

export function renderFigure(file: FileVerdict, figure: FigureDiff): string {
  const panel = (label: string, image: FigureImage | undefined, cls: string) =>
    `<figure class="${cls}"><figcaption>${label}</figcaption>${image ? img(cls, `${label}: ${file.path}`, figurePng(image)) : '<p class="absent">(none)</p>'}</figure>`;
  const count = figure.differingPixels === undefined ? '' : ` (${figure.differingPixels} of ${figure.totalPixels} pixels differ)`;
  return `<div class="figures">${figure.label ? `<h3>${esc(figure.label)}</h3>` : ''}
${panel('committed', figure.committed, 'committed')}
${panel('re-run', figure.rerun, 'rerun')}
${figure.diff ? panel(`difference${count}`, figure.diff, 'diff') : ''}
</div>
${renderCrops(file, figure)}`;
}

/** The zoomed crops of a figure's largest changed regions; empty when it has none (or no pixels to crop). */
export function renderCrops(file: FileVerdict, figure: FigureDiff): string {
  const regions = figure.regions ?? [];
  if (regions.length === 0 || !figure.committed || !figure.rerun || !figure.diff) return '';
  const committed = pixels(figure.committed);
  const rerun = pixels(figure.rerun);
  const diff = pixels(figure.diff);
  const total = figure.regionCount ?? regions.length;
  const heading =
    total > regions.length
      ? `Changed regions, zoomed: the ${regions.length} largest of ${total} (the rest are in the full view)`
      : `Changed region${total === 1 ? '' : 's'}, zoomed`;
  const rows = regions.slice(0, regionLimit).map((region, n) => {
    const crop = cropFor(region, diff.width, diff.height);
    const place = describeRegion(region);
    const caption = `region ${n + 1}: ${place}, ${region.pixels} changed pixel${region.pixels === 1 ? '' : 's'}; shown x ${crop.x0}–${crop.x0 + crop.width - 1}, y ${crop.y0}–${crop.y0 + crop.height - 1} at ${crop.scale}×`;
    const cell = (label: string, image: Image, cls: string) =>
      `<figure class="crop ${cls}"><figcaption>${label}</figcaption>${img(`crop-${cls}`, `${label}, ${place}: ${file.path}`, figurePng(magnify(image, crop)), `data-region="${n + 1}" data-scale="${crop.scale}"`)}</figure>`;
    return `<div class="crop-row"><p class="crop-caption">${esc(caption)}</p>
${cell('committed', committed, 'committed')}
${cell('re-run', rerun, 'rerun')}
${cell('difference', diff, 'diff')}
</div>`;
  });
  return `<div class="crops"><h4>${esc(heading)}</h4>
${rows.join('\n')}
</div>`;
}

export function describeRegion(region: FigureRegion): string {
  return `x ${region.x0}–${region.x1}, y ${region.y0}–${region.y1}`;
}

function pixels(image: FigureImage): Image {
  return image instanceof Uint8Array ? decodePng(Buffer.from(image.buffer, image.byteOffset, image.byteLength)) : image;
}

function img(cls: string, alt: string, png: Uint8Array, extra = ''): string {
  return `<img class="${cls}" alt="${esc(alt)}" ${extra ? extra + ' ' : ''}src="data:image/png;base64,${Buffer.from(png).toString('base64')}">`;
}

export const figureStyle = `
.figures { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 1em; align-items: start; }
.figures h3 { grid-column: 1 / -1; margin-bottom: 0; }
figure { margin: 0; } figcaption { font-weight: bold; }
.figures figure img { width: 100%; border: 1px solid #ccc; image-rendering: pixelated; }
.crops h4 { margin: 1em 0 0.3em; }
.crop-row { display: flex; flex-wrap: wrap; gap: 1em; align-items: start; margin-bottom: 0.8em; }
.crop-caption { flex-basis: 100%; margin: 0; font-family: monospace; }
figure.crop img { border: 1px solid #ccc; image-rendering: pixelated; max-width: 100%; }
`;
