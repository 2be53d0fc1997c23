// Where a figure changed, as a few rectangles a reviewer can zoom into: the connected regions of changed pixels,
// merged when they are close (the glyphs of one changed label are one region), largest first, and the crop of the
// figure that shows each one magnified.
import type { FigureRegion, Image } from '../types.ts';

/** Crops shown per figure: the largest regions. */
export const regionLimit = 6;
/** Regions closer than this many pixels are one (the letters of a word, a marker and its outline). */
export const mergeGap = 6;
/** Components merged at most: past this many, the smaller ones are dropped before merging. */
const componentLimit = 2000;

/** The changed regions of a mask (1 = changed), merged, largest first (ties: top, then left); and how many. */
export function listRegions(mask: Uint8Array, width: number, height: number): { regions: FigureRegion[]; count: number } {
  const seen = new Uint8Array(mask.length);
  let components: FigureRegion[] = [];
  const stack: number[] = [];
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || seen[start]) continue;
    const region = { x0: width, y0: height, x1: -1, y1: -1, pixels: 0 };
    seen[start] = 1;
    stack.push(start);
    while (stack.length > 0) {
      const p = stack.pop()!;
      const x = p % width;
      const y = (p / width) | 0;
      region.pixels++;
      if (x < region.x0) region.x0 = x;
      if (x > region.x1) region.x1 = x;
      if (y < region.y0) region.y0 = y;
      if (y > region.y1) region.y1 = y;
      for (let ny = Math.max(0, y - 1); ny <= Math.min(height - 1, y + 1); ny++) {
        for (let nx = Math.max(0, x - 1); nx <= Math.min(width - 1, x + 1); nx++) {
          const q = ny * width + nx;
          if (mask[q] && !seen[q]) {
            seen[q] = 1;
            stack.push(q);
          }
        }
      }
    }
    components.push(region);
  }
  if (components.length > componentLimit) components = components.sort(bySize).slice(0, componentLimit);
  const merged = mergeNear(components, mergeGap).sort(bySize);
  return { regions: merged.slice(0, regionLimit), count: merged.length };
}

/** Merges regions whose boxes come within `gap` pixels of each other, until none do. */
export function mergeNear(regions: FigureRegion[], gap: number): FigureRegion[] {
  const out = regions.map((r) => ({ ...r }));
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = 0; i < out.length; i++) {
      for (let j = out.length - 1; j > i; j--) {
        const a = out[i];
        const b = out[j];
        if (b.x0 - a.x1 > gap || a.x0 - b.x1 > gap || b.y0 - a.y1 > gap || a.y0 - b.y1 > gap) continue;
        out[i] = { x0: Math.min(a.x0, b.x0), y0: Math.min(a.y0, b.y0), x1: Math.max(a.x1, b.x1), y1: Math.max(a.y1, b.y1), pixels: a.pixels + b.pixels };
        out.splice(j, 1);
        changed = true;
      }
    }
  }
  return out;
}

function bySize(a: FigureRegion, b: FigureRegion): number {
  return b.pixels - a.pixels || a.y0 - b.y0 || a.x0 - b.x0;
}

/** A mask of the pure red pixels of a diff image (pixelmatch's and findChanges' colour for a change). */
export function redMask(diff: Uint8Array): Uint8Array {
  const mask = new Uint8Array(diff.length / 4);
  for (let p = 0; p < mask.length; p++) if (diff[p * 4] === 255 && diff[p * 4 + 1] === 0 && diff[p * 4 + 2] === 0) mask[p] = 1;
  return mask;
}

export interface Crop {
  x0: number;
  y0: number;
  width: number;
  height: number;
  /** Each figure pixel becomes scale × scale pixels. */
  scale: number;
}

/** Context kept around a region, and the smallest crop (so a one-pixel change still shows what is around it). */
export const cropMargin = 8;
export const cropMinSide = 32;
/** A crop is magnified to about this many pixels on its longer side, by a whole factor from 1 to 16. */
export const cropTarget = 256;

/** The rectangle of the figure shown for a region: padded, at least cropMinSide square where the figure allows. */
export function cropFor(region: FigureRegion, width: number, height: number): Crop {
  const side = (lo: number, hi: number, limit: number): [number, number] => {
    let start = lo - cropMargin;
    let end = hi + cropMargin + 1;
    const short = cropMinSide - (end - start);
    if (short > 0) {
      start -= Math.floor(short / 2);
      end += Math.ceil(short / 2);
    }
    // Shifted, not cut, at the figure's edges, as long as the figure is large enough.
    if (start < 0) [start, end] = [0, Math.min(limit, end - start)];
    if (end > limit) [start, end] = [Math.max(0, start - (end - limit)), limit];
    return [start, end];
  };
  const [x0, x1] = side(region.x0, region.x1, width);
  const [y0, y1] = side(region.y0, region.y1, height);
  const longer = Math.max(x1 - x0, y1 - y0);
  const scale = Math.max(1, Math.min(16, Math.floor(cropTarget / longer)));
  return { x0, y0, width: x1 - x0, height: y1 - y0, scale };
}

/** The crop's pixels, each repeated scale × scale times (nearest neighbour: pixels stay visible as squares). */
export function magnify(image: Image, crop: Crop): Image {
  const { scale } = crop;
  const width = crop.width * scale;
  const height = crop.height * scale;
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const sy = crop.y0 + Math.floor(y / scale);
    for (let x = 0; x < width; x++) {
      const from = (sy * image.width + crop.x0 + Math.floor(x / scale)) * 4;
      const to = (y * width + x) * 4;
      data[to] = image.data[from];
      data[to + 1] = image.data[from + 1];
      data[to + 2] = image.data[from + 2];
      data[to + 3] = image.data[from + 3];
    }
  }
  return { width, height, data };
}
