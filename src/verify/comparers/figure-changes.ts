// Which pixels of a figure changed. A pixel whose colour moved more than `threshold` (pixelmatch's perceptual YIQ
// distance) differs. When differences are everywhere (a share of the figure's edges, or many separate places),
// another renderer drew it, and differences a shift of at most a pixel explains are forgiven (figure-shift.ts);
// when they are in a few places, the renderer was the same and every differing pixel is a change. The caller
// limits the largest connected (8-neighbour) region of changed pixels and their total.
import type { Deadline } from '../limits.ts';
import type { FigureRegion, Image } from '../types.ts';
import { listRegions } from './figure-regions.ts';
import { colourDistance, unexplainedPixels } from './figure-shift.ts';

export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface PixelChanges {
  /** Pixels whose colour moved beyond the threshold. */
  differing: number;
  /** Differing and not forgiven. */
  changed: number;
  /** True when the differences were spread like another renderer's, and shifts of up to a pixel were forgiven. */
  rendererNoise: boolean;
  /** Pixels in the largest 8-connected region of changed pixels, and where it is. */
  largestRegion: number;
  largestBox?: Box;
  /** Every changed pixel (or, when none changed, every differing one). */
  box?: Box;
  /** Changed pixels red, forgiven ones yellow, over the faded committed image. */
  diff: Uint8Array;
  /** The largest regions of changed pixels (near ones merged), for the report's crops, and how many there were. */
  regions: FigureRegion[];
  regionCount: number;
}

/** When differences count as spread everywhere: this share of the committed figure's edge pixels, or this many separate places. */
export const widespread = { edgeShare: 0.02, places: 30 };

export function findChanges(a: Image, b: Image, threshold: number, deadline?: Deadline): PixelChanges {
  const { width, height } = a;
  const n = width * height;
  const candidate = new Uint8Array(n);
  let differing = 0;
  for (let p = 0; p < n; p++) {
    if (colourDistance(a.data, p * 4, b.data, p * 4) > threshold) {
      candidate[p] = 1;
      differing++;
    }
  }
  let changedMask = candidate;
  let changed = differing;
  const rendererNoise = differing > 0 && spreadEverywhere(a, candidate, differing);
  if (rendererNoise) {
    changedMask = new Uint8Array(n);
    const unexplained = unexplainedPixels(a, b, candidate, threshold, deadline);
    for (const p of unexplained) changedMask[p] = 1;
    changed = unexplained.length;
  }
  const diff = new Uint8Array(n * 4);
  fade(a.data, diff);
  for (let p = 0; p < n; p++) if (candidate[p]) paint(diff, p * 4, changedMask[p] ? changedColour : forgivenColour);
  const largest = largestRegion(changedMask, width, height);
  const box = boxOf(changed > 0 ? changedMask : candidate, width, height);
  const { regions, count } = changed > 0 ? listRegions(changedMask, width, height) : { regions: [], count: 0 };
  return { differing, changed, rendererNoise, largestRegion: largest.size, largestBox: largest.box, box, diff, regions, regionCount: count };
}

/**
 * Whether the differing pixels cover at least `widespread.edgeShare` of the committed figure's edges (pixels
 * with a neighbour of clearly another colour) or fall in at least `widespread.places` separate regions.
 */
function spreadEverywhere(a: Image, candidate: Uint8Array, differing: number): boolean {
  const { width, height, data } = a;
  if (countRegions(candidate, width, height, widespread.places) >= widespread.places) return true;
  let edges = 0;
  let differingEdges = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!isEdge(data, width, height, x, y)) continue;
      edges++;
      if (candidate[y * width + x]) differingEdges++;
      // Settled once even every differing pixel on an edge would be too few.
      if (differing < widespread.edgeShare * edges) return false;
    }
  }
  return edges > 0 && differingEdges >= widespread.edgeShare * edges;
}

const edgeContrast = 0.3;

function isEdge(data: Uint8Array, width: number, height: number, x: number, y: number): boolean {
  const i = (y * width + x) * 4;
  for (let qy = Math.max(0, y - 1); qy <= Math.min(height - 1, y + 1); qy++) {
    for (let qx = Math.max(0, x - 1); qx <= Math.min(width - 1, x + 1); qx++) {
      if (colourDistance(data, i, data, (qy * width + qx) * 4) > edgeContrast) return true;
    }
  }
  return false;
}

const changedColour = [255, 0, 0];
const forgivenColour = [255, 200, 0];

/** Separate 8-connected regions of set pixels, counted up to `enough`. */
function countRegions(mask: Uint8Array, width: number, height: number, enough: number): number {
  const seen = new Uint8Array(mask.length);
  let count = 0;
  for (let start = 0; start < mask.length && count < enough; start++) {
    if (!mask[start] || seen[start]) continue;
    count++;
    flood(mask, seen, width, height, start, () => {});
  }
  return count;
}

function flood(mask: Uint8Array, seen: Uint8Array, width: number, height: number, start: number, visit: (x: number, y: number) => void): number {
  const stack = [start];
  seen[start] = 1;
  let size = 0;
  while (stack.length > 0) {
    const p = stack.pop()!;
    size++;
    const x = p % width;
    const y = (p / width) | 0;
    visit(x, y);
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
  return size;
}

/** The size and bounding box of the largest 8-connected region of set pixels. */
function largestRegion(mask: Uint8Array, width: number, height: number): { size: number; box?: Box } {
  const seen = new Uint8Array(mask.length);
  let best: { size: number; box?: Box } = { size: 0 };
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || seen[start]) continue;
    const box = { x0: width, y0: height, x1: -1, y1: -1 };
    const size = flood(mask, seen, width, height, start, (x, y) => extend(box, x, y));
    if (size > best.size) best = { size, box };
  }
  return best;
}

function boxOf(mask: Uint8Array, width: number, height: number): Box | undefined {
  const box = { x0: width, y0: height, x1: -1, y1: -1 };
  for (let p = 0; p < mask.length; p++) if (mask[p]) extend(box, p % width, (p / width) | 0);
  return box.x1 < 0 ? undefined : box;
}

function extend(box: Box, x: number, y: number): void {
  if (x < box.x0) box.x0 = x;
  if (x > box.x1) box.x1 = x;
  if (y < box.y0) box.y0 = y;
  if (y > box.y1) box.y1 = y;
}

/** The committed image as a faint grey background for the diff (as pixelmatch draws it, alpha 0.2). */
function fade(source: Uint8Array, out: Uint8Array): void {
  for (let i = 0; i < source.length; i += 4) {
    const y = source[i] * 0.29889531 + source[i + 1] * 0.58662247 + source[i + 2] * 0.11448223;
    const v = 255 + ((y - 255) * 0.2 * source[i + 3]) / 255;
    out[i] = out[i + 1] = out[i + 2] = v;
    out[i + 3] = 255;
  }
}

function paint(out: Uint8Array, i: number, colour: number[]): void {
  out[i] = colour[0];
  out[i + 1] = colour[1];
  out[i + 2] = colour[2];
  out[i + 3] = 255;
}

export function formatBox(box: Box): string {
  return `x ${box.x0}–${box.x1}, y ${box.y0}–${box.y1}`;
}
