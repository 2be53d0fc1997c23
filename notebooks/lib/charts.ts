// Renders a vega-lite spec offline: vega-lite → vega → SVG (vega's headless renderer), SVG → PNG (resvg).
// Fonts come from one folder and system fonts are never loaded, so the PNG bytes do not depend on the machine.
import { Resvg } from '@resvg/resvg-js';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export const FONT_DIR = '/usr/share/fonts/truetype/dejavu';
export const FONT_FAMILY = 'DejaVu Sans';

export interface RenderedChart {
  svg: string;
  png: Buffer;
}

export interface RenderOptions {
  /** Folder of .ttf files handed to resvg (default: the DejaVu fonts the image installs). */
  fontDir?: string;
  /** PNG pixels per SVG pixel (default 2, for a sharp figure). */
  scale?: number;
}

/** The chart config every figure shares: one font, white background, no animation-only settings. */
export const baseConfig = {
  font: FONT_FAMILY,
  background: 'white',
  axis: { labelFont: FONT_FAMILY, titleFont: FONT_FAMILY },
  legend: { labelFont: FONT_FAMILY, titleFont: FONT_FAMILY },
  title: { font: FONT_FAMILY },
} as const;

function fontFiles(dir: string): string[] {
  // Sorted so that resvg sees the fonts in the same order everywhere.
  return readdirSync(dir)
    .filter((file) => file.endsWith('.ttf'))
    .sort()
    .map((file) => join(dir, file));
}

/** The SVG text of a vega-lite spec, with the shared font config merged under the spec's own config. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const withConfig = { ...spec, config: { ...baseConfig, ...(spec.config ?? {}) } } as TopLevelSpec;
  const vegaSpec = compile(withConfig).spec;
  const view = new View(parse(vegaSpec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Rasterises SVG text with resvg and only the given fonts. */
export function svgToPng(svg: string, options: RenderOptions = {}): Buffer {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: options.scale ?? 2 },
    font: {
      fontFiles: fontFiles(options.fontDir ?? FONT_DIR),
      loadSystemFonts: false,
      defaultFontFamily: FONT_FAMILY,
    },
  });
  return resvg.render().asPng();
}

/** A vega-lite spec → its SVG text and PNG bytes, both deterministic. */
export async function renderChart(spec: TopLevelSpec, options: RenderOptions = {}): Promise<RenderedChart> {
  const svg = await renderSvg(spec);
  return { svg, png: svgToPng(svg, options) };
}
