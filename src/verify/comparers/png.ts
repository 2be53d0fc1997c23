// Figures as pixels: pixelmatch counts differing pixels, `pixels` is the fraction allowed, `threshold` the
// per-pixel colour distance forgiven; a diff image (differences in red over the faded original) goes to the report.
import pixelmatch from 'pixelmatch';
import { PNG } from 'pngjs';
import type { Tolerance } from '../../manifest/schema.ts';
import type { Comparison, CompareContext, FigureImage, Image } from '../types.ts';
import { FindingCollector, identical, unreadable } from './collect.ts';

const diffColor: [number, number, number] = [255, 0, 0];

export function comparePng(committed: Buffer, rerun: Buffer, context: CompareContext): Comparison {
  let a: Image;
  let b: Image;
  try {
    a = decodePng(committed);
  } catch (error) {
    return unreadable('committed', `not a valid PNG (${error instanceof Error ? error.message : String(error)})`);
  }
  try {
    b = decodePng(rerun);
  } catch (error) {
    return unreadable('re-run', `not a valid PNG (${error instanceof Error ? error.message : String(error)})`);
  }
  return compareImages(a, b, context.tolerance, { committed, rerun, label: '' });
}

export function decodePng(bytes: Buffer): Image {
  const png = PNG.sync.read(bytes);
  return { width: png.width, height: png.height, data: png.data };
}

/** Fast settings: report images are mostly flat colour and compress well without effort. */
export function encodePng(image: Image): Buffer {
  const png = new PNG({ width: image.width, height: image.height });
  png.data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return PNG.sync.write(png, { deflateLevel: 1, filterType: 0 });
}

/** PNG bytes of a figure image, encoding decoded pixels on demand. */
export function figurePng(image: FigureImage): Uint8Array {
  return image instanceof Uint8Array ? image : encodePng(image);
}

/**
 * Compares two decoded images. With no `threshold` configured every colour change counts and anti-aliasing is
 * not forgiven, so that an unconfigured comparison cannot pass a changed figure.
 */
export function compareImages(
  a: Image,
  b: Image,
  tolerance: Tolerance,
  sources: { committed: FigureImage; rerun: FigureImage; label: string },
): Comparison {
  const collector = new FindingCollector();
  const size = `${a.width}×${a.height}`;
  if (a.width !== b.width || a.height !== b.height) {
    collector.fail(`image size differs: ${size} → ${b.width}×${b.height}`, 'size');
    collector.figures.push({ label: sources.label, committed: sources.committed, rerun: sources.rerun });
    return collector.result();
  }
  const total = a.width * a.height;
  if (Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength).equals(Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength))) {
    return identical();
  }
  const diff = new Uint8Array(a.data.length);
  const threshold = tolerance.threshold ?? 0;
  const differing = pixelmatch(a.data, b.data, diff, a.width, a.height, {
    threshold,
    includeAA: tolerance.threshold === undefined,
    diffColor,
    alpha: 0.2,
  });
  if (differing === 0) return identical();
  const fraction = differing / total;
  const allowed = tolerance.pixels ?? 0;
  const ok = fraction <= allowed;
  const where = boundingBox(diff, a.width, a.height);
  const deviation = `${differing} pixel${differing === 1 ? '' : 's'} (${formatPercent(fraction)})`;
  collector.add({ where, committed: size, rerun: size, deviation, withinTolerance: ok }, allowed > 0 ? fraction / allowed : Infinity);
  collector.figures.push({
    label: sources.label,
    committed: sources.committed,
    rerun: sources.rerun,
    diff: { width: a.width, height: a.height, data: diff },
    differingPixels: differing,
    totalPixels: total,
  });
  return collector.result();
}

/** The rectangle holding every differing (pure red) pixel of a pixelmatch diff image. */
function boundingBox(diff: Uint8Array, width: number, height: number): string {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      if (diff[i] === diffColor[0] && diff[i + 1] === diffColor[1] && diff[i + 2] === diffColor[2]) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return x1 < 0 ? 'image' : `x ${x0}–${x1}, y ${y0}–${y1}`;
}

function formatPercent(fraction: number): string {
  const percent = fraction * 100;
  return `${percent >= 0.01 ? percent.toFixed(2) : percent.toExponential(1)}%`;
}
