// Figures as pixels. With a `region` limit (the default rule for figures, see figureDefaults) a pixel is changed
// when its colour moved beyond `threshold` and, where differences are spread like another renderer's, no shift of
// at most a pixel explains it (figure-changes.ts); the figure fails when the largest connected region of changed
// pixels exceeds `region` or all of them exceed the fraction `pixels`. Without one, pixelmatch counts differing
// pixels against `pixels`. A diff image (changes in red over the faded original) goes to the report.
import pixelmatch from 'pixelmatch';
import { PNG } from 'pngjs';
import type { Tolerance } from '../../manifest/schema.ts';
import { pixelLimit, type Deadline } from '../limits.ts';
import { figureDefaults } from '../tolerance.ts';
import type { Comparison, CompareContext, FigureImage, FigureRegion, Image } from '../types.ts';
import { FindingCollector, identical, unreadable } from './collect.ts';
import { findChanges, formatBox } from './figure-changes.ts';
import { listRegions, redMask } from './figure-regions.ts';

const diffColor: [number, number, number] = [255, 0, 0];

export function comparePng(committed: Buffer, rerun: Buffer, context: CompareContext): Comparison {
  // Decoding takes 4 bytes a pixel on each side (and more to compare): a header promising more is not decoded.
  const huge = [pngSize(committed), pngSize(rerun)].find((size) => size !== undefined && size.width * size.height > pixelLimit);
  if (huge) return tooManyPixels(huge, committed.equals(rerun));
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
  return compareImages(a, b, context.tolerance, { committed, rerun, label: '' }, context.deadline);
}

/** Width and height from a PNG's header, without decoding it; undefined when it has none. */
function pngSize(bytes: Buffer): { width: number; height: number } | undefined {
  if (bytes.length < 24 || bytes.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** A figure too large to decode within verify's memory: judged by its bytes, saying so. */
export function tooManyPixels(size: { width: number; height: number }, sameBytes: boolean): Comparison {
  const note = `compared by sha256: too large to compare pixel by pixel (${size.width}×${size.height} pixels, limit ${pixelLimit / 1e6} megapixels)`;
  if (sameBytes) return { ...identical(), notes: [note] };
  return {
    verdict: 'differs',
    largest: { text: 'sha256 differs (too many pixels to compare)', where: 'file', score: Infinity },
    notes: [note],
    findings: [],
    findingCount: 1,
    figures: [],
  };
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
  deadline?: Deadline,
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
  if (tolerance.region !== undefined) return compareFigure(a, b, tolerance, sources, deadline);
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
    ...regionsOf(listRegions(redMask(diff), a.width, a.height)),
  });
  return collector.result();
}

/** The default rule for figures: changes judged as pixels and as connected regions, rendering noise forgiven. */
function compareFigure(a: Image, b: Image, tolerance: Tolerance, sources: { committed: FigureImage; rerun: FigureImage; label: string }, deadline?: Deadline): Comparison {
  const changes = findChanges(a, b, tolerance.threshold ?? figureDefaults.threshold!, deadline);
  if (changes.differing === 0) return identical();
  const collector = new FindingCollector();
  const size = `${a.width}×${a.height}`;
  const total = a.width * a.height;
  const fraction = changes.changed / total;
  const region = tolerance.region ?? figureDefaults.region!;
  const pixels = tolerance.pixels ?? figureDefaults.pixels!;
  const ok = changes.largestRegion <= region && fraction <= pixels;
  const score = Math.max(ratio(changes.largestRegion, region), ratio(fraction, pixels));
  const where = changes.largestBox ?? changes.box;
  const deviation =
    changes.changed === 0
      ? `${changes.differing} pixel${changes.differing === 1 ? '' : 's'} differ, all rendering noise`
      : `${changes.changed} pixel${changes.changed === 1 ? '' : 's'} (${formatPercent(fraction)})`;
  // Where: the largest region, the one the `region` limit judges.
  collector.add({ where: where ? formatBox(where) : 'image', committed: size, rerun: size, deviation, withinTolerance: ok }, score);
  if (changes.changed > 0) {
    collector.notes.push(
      `${changes.changed} pixel${changes.changed === 1 ? '' : 's'} changed (limit ${formatPercent(pixels)} of ${total}); the largest connected region has ${changes.largestRegion} (limit ${region})`,
    );
  }
  if (changes.rendererNoise) {
    const forgiven = changes.differing - changes.changed;
    collector.notes.push(`differences all over the figure, as another renderer makes: ${changes.differing} pixels differ, ${forgiven} forgiven as antialiasing or a shift of at most one pixel`);
  }
  collector.figures.push({
    label: sources.label,
    committed: sources.committed,
    rerun: sources.rerun,
    diff: { width: a.width, height: a.height, data: changes.diff },
    differingPixels: changes.differing,
    totalPixels: total,
    ...regionsOf({ regions: changes.regions, count: changes.regionCount }),
  });
  return collector.result();
}

function regionsOf({ regions, count }: { regions: FigureRegion[]; count: number }): { regions?: FigureRegion[]; regionCount?: number } {
  return count > 0 ? { regions, regionCount: count } : {};
}

/** value / allowed, as a score: <= 1 passes; anything over a limit of 0 is Infinity. */
function ratio(value: number, allowed: number): number {
  if (value === 0) return 0;
  return allowed > 0 ? value / allowed : Infinity;
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
