// SVG figures: equal after normalizing the text passes at once; otherwise both are rendered with resvg (fonts
// loaded from fixed DejaVu files, never the system's, so renders match across machines) and compared as pixels.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { renderAsync } from '@resvg/resvg-js';
import { pixelLimit, type Deadline } from '../limits.ts';
import type { Comparison, CompareContext, Image } from '../types.ts';
import { identical, unreadable } from './collect.ts';
import { compareImages, tooManyPixels } from './png.ts';
import { unifiedDiff } from './text.ts';

const fontDir = '/usr/share/fonts/truetype/dejavu';
/** The files of Debian's fonts-dejavu-core, which the image installs; the host may have more, which must not matter. */
const fontNames = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', 'DejaVuSansMono.ttf', 'DejaVuSansMono-Bold.ttf', 'DejaVuSerif.ttf', 'DejaVuSerif-Bold.ttf'];

export async function compareSvg(committed: Buffer, rerun: Buffer, context: CompareContext): Promise<Comparison> {
  const textA = normalizeSvg(committed.toString('utf8'));
  const textB = normalizeSvg(rerun.toString('utf8'));
  if (textA === textB) return identical();
  const huge = [svgSize(textA), svgSize(textB)].find((size) => size !== undefined && size.width * size.height > pixelLimit);
  if (huge) return tooManyPixels(huge, false);
  const rendered = await renderBoth(committed, rerun);
  if ('comparison' in rendered) return rendered.comparison;
  const result = compareImages(rendered.a, rendered.b, context.tolerance, { committed: rendered.a, rerun: rendered.b, label: '' }, context.deadline);
  result.textDiff = unifiedDiff(context.path.split('/').pop() ?? 'figure.svg', prettyLines(textA), prettyLines(textB));
  if (result.verdict === 'identical') result.notes.push('the SVG text differs but renders to the same pixels');
  return result;
}

/** Drops what does not change the picture: the XML prolog, comments, whitespace between tags, line endings. */
export function normalizeSvg(text: string): string {
  return text
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .replace(/<\?xml[^>]*\?>/g, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/>\s+</g, '><')
    .replace(/[ \t\n]+/g, ' ')
    .trim();
}

const cssPixels: Record<string, number> = { '': 1, px: 1, in: 96, cm: 96 / 2.54, mm: 96 / 25.4, pt: 96 / 72, pc: 16, em: 16, ex: 8 };

/**
 * The size resvg would render at, read from the root element's width and height (else its viewBox), so that a
 * figure too large to hold is never rendered; undefined when it cannot be read (resvg then decides).
 */
export function svgSize(normalized: string): { width: number; height: number } | undefined {
  const root = /<svg\b[^>]*>/i.exec(normalized)?.[0];
  if (!root) return undefined;
  const attribute = (name: string) => new RegExp(`\\s${name}\\s*=\\s*["']([^"']*)["']`, 'i').exec(root)?.[1]?.trim();
  const length = (value: string | undefined) => {
    const match = /^([+-]?\d*\.?\d+(?:e[+-]?\d+)?)\s*([a-z]*)$/i.exec(value ?? '');
    const scale = match ? cssPixels[match[2].toLowerCase()] : undefined;
    return match && scale !== undefined ? Math.ceil(Number(match[1]) * scale) : undefined;
  };
  const box = attribute('viewBox')?.split(/[\s,]+/).map(Number);
  const width = length(attribute('width')) ?? (box && box.length === 4 ? Math.ceil(box[2]) : undefined);
  const height = length(attribute('height')) ?? (box && box.length === 4 ? Math.ceil(box[3]) : undefined);
  return width !== undefined && height !== undefined ? { width, height } : undefined;
}

/** Renders both sides at once (resvg works off the main thread), so a changed figure costs one render's time. */
async function renderBoth(committed: Buffer, rerun: Buffer): Promise<{ a: Image; b: Image } | { comparison: Comparison }> {
  const [a, b] = await Promise.allSettled([renderSvg(committed), renderSvg(rerun)]);
  if (a.status === 'rejected') return { comparison: unreadable('committed', `not a valid SVG (${messageOf(a.reason)})`) };
  if (b.status === 'rejected') return { comparison: unreadable('re-run', `not a valid SVG (${messageOf(b.reason)})`) };
  return { a: a.value, b: b.value };
}

/** The SVG's pixels on white; opaque, so resvg's premultiplied RGBA is plain RGBA. */
export async function renderSvg(svg: Buffer | string): Promise<Image> {
  const rendered = await renderAsync(svg, {
    font: { loadSystemFonts: false, fontFiles: fontFiles(), defaultFontFamily: 'DejaVu Sans' },
    background: 'white',
  });
  return { width: rendered.width, height: rendered.height, data: rendered.pixels };
}

let fonts: string[] | undefined;
function fontFiles(): string[] {
  fonts ??= fontNames.map((name) => join(fontDir, name)).filter((file) => existsSync(file));
  return fonts;
}

/** One tag per line, so that the unified diff of two one-line SVGs points at the element that changed. */
function prettyLines(normalized: string): string {
  return normalized.replace(/></g, '>\n<') + '\n';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
