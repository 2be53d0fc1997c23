// SVG figures: equal after normalizing the text passes at once; otherwise both are rendered with resvg (fonts
// loaded from fixed DejaVu files, never the system's, so renders match across machines) and compared as pixels.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import type { Comparison, CompareContext } from '../types.ts';
import { identical, unreadable } from './collect.ts';
import { compareImages, decodePng, type Image } from './png.ts';
import { unifiedDiff } from './text.ts';

const fontDir = '/usr/share/fonts/truetype/dejavu';
/** The files of Debian's fonts-dejavu-core, which the image installs; the host may have more, which must not matter. */
const fontNames = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', 'DejaVuSansMono.ttf', 'DejaVuSansMono-Bold.ttf', 'DejaVuSerif.ttf', 'DejaVuSerif-Bold.ttf'];

export function compareSvg(committed: Buffer, rerun: Buffer, context: CompareContext): Comparison {
  const textA = normalizeSvg(committed.toString('utf8'));
  const textB = normalizeSvg(rerun.toString('utf8'));
  if (textA === textB) return identical();
  const rendered = renderBoth(committed, rerun);
  if ('comparison' in rendered) return rendered.comparison;
  const result = compareImages(rendered.a.image, rendered.b.image, context.tolerance, {
    committed: rendered.a.png,
    rerun: rendered.b.png,
    label: '',
  });
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

interface Rendered {
  image: Image;
  png: Uint8Array;
}

function renderBoth(committed: Buffer, rerun: Buffer): { a: Rendered; b: Rendered } | { comparison: Comparison } {
  let a: Rendered;
  try {
    a = renderSvg(committed);
  } catch (error) {
    return { comparison: unreadable('committed', `not a valid SVG (${messageOf(error)})`) };
  }
  try {
    return { a, b: renderSvg(rerun) };
  } catch (error) {
    return { comparison: unreadable('re-run', `not a valid SVG (${messageOf(error)})`) };
  }
}

export function renderSvg(svg: Buffer | string): Rendered {
  const resvg = new Resvg(svg, {
    font: { loadSystemFonts: false, fontFiles: fontFiles(), defaultFontFamily: 'DejaVu Sans' },
    background: 'white',
  });
  const png = resvg.render().asPng();
  return { image: decodePng(png), png };
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
