// Rendering noise told from change: a differing pixel is forgiven when the re-run around it is the committed image
// moved by at most one pixel (in quarter-pixel steps), both seen through a slight blur, one shift for each piece
// that must move together. Another renderer's antialiasing, gamma, hinting and sub-pixel text placement are such
// moves; a changed label, a moved marker or a painted block is not.
import { checkDeadline, type Deadline } from '../limits.ts';
import type { Image } from '../types.ts';

/** What counts as rendering noise; README's verify section explains these numbers. */
export const noise = {
  /** The blur (Gaussian sigma, pixels) both images are seen through before a shift is tried. */
  blurSigma: 0.7,
  /** Shifts tried: every (dx, dy) with |dx|, |dy| <= shiftReach in steps of shiftStep. */
  shiftReach: 1,
  shiftStep: 0.25,
  /** How much more than the threshold a shifted pixel may still be off by on an edge (edges move; flat colour may not). */
  edgeBonus: 0.15,
  /** The local contrast (blurred) from which a pixel counts as fully on an edge. */
  edgeContrast: 0.15,
  /** Pieces that must move together are at most this many pixels across. */
  tile: 16,
};

const maxYiq = Math.sqrt(35215);

/** The differing pixels (`candidate`) that no shift of their piece explains. */
export function unexplainedPixels(a: Image, b: Image, candidate: Uint8Array, threshold: number, deadline?: Deadline): number[] {
  const { width, height } = a;
  const blurredA = blur(a, noise.blurSigma);
  const blurredB = blur(b, noise.blurSigma);
  const shifts = shiftOffsets();
  const changed: number[] = [];
  for (const piece of pieces(candidate, width, height, noise.tile)) {
    checkDeadline(deadline, () => `pixel (${piece[0] % width}, ${(piece[0] / width) | 0})`);
    for (const p of unexplained(piece, candidate, blurredA, blurredB, width, height, threshold, shifts)) changed.push(p);
  }
  return changed;
}

/**
 * The pixels that must move together: differing pixels and their neighbours, grouped by what touches (8-connected)
 * and cut into tiles, so that one label or one stretch of line is one piece and a piece is never large.
 */
function pieces(candidate: Uint8Array, width: number, height: number, tile: number): number[][] {
  const grown = new Uint8Array(candidate.length);
  for (let p = 0; p < candidate.length; p++) {
    if (!candidate[p]) continue;
    const x = p % width;
    const y = (p / width) | 0;
    for (let ny = Math.max(0, y - 1); ny <= Math.min(height - 1, y + 1); ny++) {
      for (let nx = Math.max(0, x - 1); nx <= Math.min(width - 1, x + 1); nx++) grown[ny * width + nx] = 1;
    }
  }
  const label = new Int32Array(candidate.length);
  const groups = new Map<string, number[]>();
  let next = 0;
  const stack: number[] = [];
  for (let start = 0; start < grown.length; start++) {
    if (!grown[start] || label[start]) continue;
    label[start] = ++next;
    stack.push(start);
    while (stack.length > 0) {
      const p = stack.pop()!;
      const x = p % width;
      const y = (p / width) | 0;
      const key = `${next}:${Math.floor(x / tile)}:${Math.floor(y / tile)}`;
      let group = groups.get(key);
      if (!group) groups.set(key, (group = []));
      group.push(p);
      for (let ny = Math.max(0, y - 1); ny <= Math.min(height - 1, y + 1); ny++) {
        for (let nx = Math.max(0, x - 1); nx <= Math.min(width - 1, x + 1); nx++) {
          const q = ny * width + nx;
          if (grown[q] && !label[q]) {
            label[q] = next;
            stack.push(q);
          }
        }
      }
    }
  }
  return [...groups.values()];
}

/**
 * The differing pixels of one piece that no single shift explains: the shift (smallest first) under which the
 * fewest pixels of the piece are off by more than they may be, and the differing pixels still off under it.
 */
function unexplained(piece: number[], candidate: Uint8Array, a: Blurred, b: Blurred, width: number, height: number, threshold: number, shifts: Array<[number, number]>): number[] {
  const allowed = new Float32Array(piece.length);
  const open: number[] = [];
  const hopeless: number[] = [];
  for (let i = 0; i < piece.length; i++) {
    const p = piece[i];
    const x = p % width;
    const y = (p / width) | 0;
    const { lo, hi } = luminanceRange(a, width, height, x, y);
    allowed[i] = threshold + noise.edgeBonus * Math.min(1, localContrast(a, width, height, x, y) / noise.edgeContrast);
    // No bilinear mix of the committed neighbourhood is darker or lighter than its darkest or lightest pixel: a
    // re-run luminance that far outside it is explained by no shift.
    const v = luminance(b.data, (y * width + x) * 4);
    const gap = (Math.sqrt(0.5053) * (v < lo ? lo - v : v > hi ? v - hi : 0)) / maxYiq;
    if (gap > allowed[i]) {
      if (candidate[p]) hopeless.push(p);
    } else open.push(i);
  }
  let best: number[] | undefined;
  for (const [dx, dy] of shifts) {
    const off: number[] = [];
    for (const i of open) {
      const p = piece[i];
      if (shiftedDistance(a, b, width, height, p % width, (p / width) | 0, dx, dy) > allowed[i]) {
        off.push(p);
        if (best && off.length >= best.length) break;
      }
    }
    if (!best || off.length < best.length) best = off;
    if (best.length === 0) break;
  }
  return [...hopeless, ...(best ?? []).filter((p) => candidate[p])];
}

/** Blurred RGB, 4 bytes a pixel, composited on white. */
interface Blurred {
  data: Uint8ClampedArray;
}

/** pixelmatch's YIQ colour distance of two RGBA pixels composited on white, scaled to 0..1. */
export function colourDistance(a: Uint8Array | Uint8ClampedArray, i: number, b: Uint8Array | Uint8ClampedArray, j: number): number {
  const alphaA = a[i + 3] / 255;
  const alphaB = b[j + 3] / 255;
  const dr = 255 + (a[i] - 255) * alphaA - (255 + (b[j] - 255) * alphaB);
  const dg = 255 + (a[i + 1] - 255) * alphaA - (255 + (b[j + 1] - 255) * alphaB);
  const db = 255 + (a[i + 2] - 255) * alphaA - (255 + (b[j + 2] - 255) * alphaB);
  return yiqNorm(dr, dg, db);
}

function yiqNorm(dr: number, dg: number, db: number): number {
  const y = dr * 0.29889531 + dg * 0.58662247 + db * 0.11448223;
  const i = dr * 0.59597799 - dg * 0.2741761 - db * 0.32180189;
  const q = dr * 0.21147017 - dg * 0.52261711 + db * 0.31114694;
  return Math.sqrt(0.5053 * y * y + 0.299 * i * i + 0.1957 * q * q) / maxYiq;
}

function shiftOffsets(): Array<[number, number]> {
  const offsets: Array<[number, number]> = [];
  const steps = Math.round(noise.shiftReach / noise.shiftStep);
  for (let j = -steps; j <= steps; j++) for (let i = -steps; i <= steps; i++) offsets.push([i * noise.shiftStep, j * noise.shiftStep]);
  // The smallest shifts first: most pixels are explained by none or by a small one.
  return offsets.sort((p, q) => Math.hypot(p[0], p[1]) - Math.hypot(q[0], q[1]));
}

function shiftedDistance(a: Blurred, b: Blurred, width: number, height: number, x: number, y: number, dx: number, dy: number): number {
  const sx = Math.min(width - 1, Math.max(0, x + dx));
  const sy = Math.min(height - 1, Math.max(0, y + dy));
  const x0 = Math.floor(sx);
  const y0 = Math.floor(sy);
  const x1 = Math.min(width - 1, x0 + 1);
  const y1 = Math.min(height - 1, y0 + 1);
  const fx = sx - x0;
  const fy = sy - y0;
  const w00 = (1 - fx) * (1 - fy);
  const w10 = fx * (1 - fy);
  const w01 = (1 - fx) * fy;
  const w11 = fx * fy;
  const i00 = (y0 * width + x0) * 4;
  const i10 = (y0 * width + x1) * 4;
  const i01 = (y1 * width + x0) * 4;
  const i11 = (y1 * width + x1) * 4;
  const j = (y * width + x) * 4;
  const d = a.data;
  const dr = d[i00] * w00 + d[i10] * w10 + d[i01] * w01 + d[i11] * w11 - b.data[j];
  const dg = d[i00 + 1] * w00 + d[i10 + 1] * w10 + d[i01 + 1] * w01 + d[i11 + 1] * w11 - b.data[j + 1];
  const db = d[i00 + 2] * w00 + d[i10 + 2] * w10 + d[i01 + 2] * w01 + d[i11 + 2] * w11 - b.data[j + 2];
  return yiqNorm(dr, dg, db);
}

/** The largest colour distance between (x, y) and its 8 neighbours in the blurred committed image. */
function localContrast(a: Blurred, width: number, height: number, x: number, y: number): number {
  const i = (y * width + x) * 4;
  let most = 0;
  for (let qy = Math.max(0, y - 1); qy <= Math.min(height - 1, y + 1); qy++) {
    for (let qx = Math.max(0, x - 1); qx <= Math.min(width - 1, x + 1); qx++) {
      const j = (qy * width + qx) * 4;
      most = Math.max(most, yiqNorm(a.data[i] - a.data[j], a.data[i + 1] - a.data[j + 1], a.data[i + 2] - a.data[j + 2]));
    }
  }
  return most;
}

/** The darkest and lightest luminance in the 3×3 neighbourhood of (x, y). */
function luminanceRange(a: Blurred, width: number, height: number, x: number, y: number): { lo: number; hi: number } {
  let lo = Infinity;
  let hi = -Infinity;
  for (let qy = Math.max(0, y - 1); qy <= Math.min(height - 1, y + 1); qy++) {
    for (let qx = Math.max(0, x - 1); qx <= Math.min(width - 1, x + 1); qx++) {
      const v = luminance(a.data, (qy * width + qx) * 4);
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return { lo, hi };
}

function luminance(d: Uint8ClampedArray, i: number): number {
  return d[i] * 0.29889531 + d[i + 1] * 0.58662247 + d[i + 2] * 0.11448223;
}

/** A separable Gaussian blur of the image composited on white. */
function blur(image: Image, sigma: number): Blurred {
  const { width, height, data } = image;
  const radius = Math.max(1, Math.ceil(sigma * 2.5));
  const kernel: number[] = [];
  for (let i = -radius; i <= radius; i++) kernel.push(Math.exp(-(i * i) / (2 * sigma * sigma)));
  const sum = kernel.reduce((s, k) => s + k, 0);
  for (let i = 0; i < kernel.length; i++) kernel[i] /= sum;
  const flat = new Float32Array(width * height * 3);
  for (let p = 0, i = 0; p < width * height; p++, i += 4) {
    const alpha = data[i + 3] / 255;
    flat[p * 3] = 255 + (data[i] - 255) * alpha;
    flat[p * 3 + 1] = 255 + (data[i + 1] - 255) * alpha;
    flat[p * 3 + 2] = 255 + (data[i + 2] - 255) * alpha;
  }
  const across = new Float32Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        let acc = 0;
        for (let k = -radius; k <= radius; k++) acc += kernel[k + radius] * flat[(y * width + Math.min(width - 1, Math.max(0, x + k))) * 3 + c];
        across[(y * width + x) * 3 + c] = acc;
      }
    }
  }
  const out = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        let acc = 0;
        for (let k = -radius; k <= radius; k++) acc += kernel[k + radius] * across[(Math.min(height - 1, Math.max(0, y + k)) * width + x) * 3 + c];
        out[(y * width + x) * 4 + c] = acc;
      }
    }
  }
  return { data: out };
}

