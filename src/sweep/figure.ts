// band.svg: per metric, the mean across seeds as a line over x with its 95% interval shaded, one line per series,
// and a reference curve's points (dashed, hollow diamonds) in their series' colour. x is the last `by` column (else
// the last parameter); the other group columns make the series. Hand-written SVG with fixed number formatting: the
// same bands give the same bytes.
import type { Band } from './aggregate.ts';
import type { ReferenceShare, SweepReference } from './reference.ts';

const panelHeight = 260;
const margin = { left: 64, top: 34, bottom: 40 };
/** The legend's column: at least this wide, wider for long names (DejaVu Sans at 11 px: about 6.5 px a character). */
const legendWidth = 150;
const plotWidth = 640 - margin.left - legendWidth;
const palette = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

interface SeriesPoint {
  x: string;
  mean: number;
  low: number;
  high: number;
}

export interface FigureReference {
  reference: SweepReference;
  /** Per series, then all together (the last). */
  shares: readonly ReferenceShare[];
}

interface Layout {
  width: number;
  /** x of the legend's left edge. */
  legend: number;
}

/** `groupColumns` names the columns of Band.group (parameters but the seed, then `by`). */
export function bandSvg(bands: readonly Band[], groupColumns: readonly string[], fields: readonly string[], overlay?: FigureReference): string {
  const height = panelHeight * fields.length;
  const texts = [...bands.map((band) => seriesName(band.group.slice(0, -1), groupColumns)), ...(overlay ? legendLines(overlay) : [])];
  const right = Math.max(legendWidth, 38 + Math.ceil(6.5 * Math.max(0, ...texts.map((text) => text.length))));
  const layout: Layout = { width: margin.left + plotWidth + right, legend: margin.left + plotWidth };
  const { width } = layout;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
  ];
  fields.forEach((field, panel) => {
    const mine = bands.filter((band) => band.field === field);
    const reference = overlay?.reference.field === field ? overlay : undefined;
    parts.push(...panelSvg(mine, groupColumns, field, panel * panelHeight, layout, reference));
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

function panelSvg(bands: readonly Band[], groupColumns: readonly string[], field: string, top: number, layout: Layout, overlay?: FigureReference): string[] {
  const xIndex = groupColumns.length - 1;
  const xName = groupColumns[xIndex] ?? '';
  const series = new Map<string, SeriesPoint[]>();
  const xs: string[] = [];
  for (const band of bands) {
    const x = xIndex >= 0 ? band.group[xIndex] : '';
    const name = seriesName(band.group.slice(0, -1), groupColumns);
    if (!xs.includes(x)) xs.push(x);
    const { mean, low, high } = band.stats;
    series.set(name, [...(series.get(name) ?? []), { x, mean, low: Number.isNaN(low) ? mean : low, high: Number.isNaN(high) ? mean : high }]);
  }
  const numeric = xs.length > 0 && xs.every(isNumber);
  // Reference points are drawn where their x is on the axis: a number on a numeric axis, else one of the bands' x.
  const referencePoints = (overlay?.reference.points ?? []).filter((p) => (numeric ? isNumber(p.x) : xs.includes(p.x)));
  const xValues = numeric ? [...xs, ...referencePoints.map((p) => p.x)].map(Number) : xs.map((_, i) => i);
  const [x0, x1] = extent(xValues);
  const ys = [...[...series.values()].flat().flatMap((p) => [p.low, p.high]), ...referencePoints.map((p) => p.value)].filter(Number.isFinite);
  const [y0, y1] = extent(ys);
  const plotW = plotWidth;
  const plotH = panelHeight - margin.top - margin.bottom;
  const sx = (x: string) => margin.left + (((numeric ? Number(x) : xs.indexOf(x)) - x0) / (x1 - x0 || 1)) * plotW;
  const sy = (y: number) => top + margin.top + plotH - ((y - y0) / (y1 - y0 || 1)) * plotH;
  const out = [
    `<text x="${margin.left}" y="${fmt(top + 20)}" font-size="13" font-weight="bold">${escape(field)}: mean and 95% interval</text>`,
    `<rect x="${margin.left}" y="${fmt(top + margin.top)}" width="${plotW}" height="${plotH}" fill="none" stroke="#999999"/>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const y = y0 + ((y1 - y0) * i) / 4;
    out.push(`<text x="${margin.left - 6}" y="${fmt(sy(y) + 4)}" text-anchor="end">${escape(label(y))}</text>`);
  }
  const ticks = xs.length <= 12 ? xs : xs.filter((_, i) => i % Math.ceil(xs.length / 12) === 0);
  for (const x of ticks) out.push(`<text x="${fmt(sx(x))}" y="${fmt(top + margin.top + plotH + 16)}" text-anchor="middle">${escape(numeric ? label(Number(x)) : x)}</text>`);
  out.push(`<text x="${fmt(margin.left + plotW / 2)}" y="${fmt(top + panelHeight - 6)}" text-anchor="middle">${escape(xName)}</text>`);
  [...series.entries()].forEach(([name, points], i) => {
    const colour = palette[i % palette.length];
    const sorted = [...points].sort((a, b) => sx(a.x) - sx(b.x));
    const finite = sorted.filter((p) => Number.isFinite(p.mean));
    if (finite.length === 0) return;
    const upper = finite.map((p) => `${fmt(sx(p.x))},${fmt(sy(p.high))}`);
    const lower = [...finite].reverse().map((p) => `${fmt(sx(p.x))},${fmt(sy(p.low))}`);
    out.push(`<polygon points="${[...upper, ...lower].join(' ')}" fill="${colour}" fill-opacity="0.2" stroke="none"/>`);
    out.push(`<polyline points="${finite.map((p) => `${fmt(sx(p.x))},${fmt(sy(p.mean))}`).join(' ')}" fill="none" stroke="${colour}" stroke-width="1.5"/>`);
    for (const p of finite) out.push(`<circle cx="${fmt(sx(p.x))}" cy="${fmt(sy(p.mean))}" r="2.5" fill="${colour}"/>`);
    const ly = top + margin.top + 8 + i * 16;
    out.push(`<rect x="${layout.legend + 12}" y="${fmt(ly - 8)}" width="12" height="10" fill="${colour}" fill-opacity="0.5"/>`);
    out.push(`<text x="${layout.legend + 30}" y="${fmt(ly + 1)}">${escape(name || 'all')}</text>`);
  });
  if (!overlay) return out;
  const names = [...series.keys()];
  const bySeries = new Map<string, typeof referencePoints>();
  for (const p of referencePoints) {
    const name = seriesName(p.series, groupColumns);
    bySeries.set(name, [...(bySeries.get(name) ?? []), p]);
  }
  for (const [name, points] of bySeries) {
    const index = names.indexOf(name);
    const colour = index >= 0 ? palette[index % palette.length] : '#555555';
    const at = [...points].sort((a, b) => sx(a.x) - sx(b.x)).map((p) => [sx(p.x), sy(p.value)]);
    out.push(`<polyline points="${at.map(([x, y]) => `${fmt(x)},${fmt(y)}`).join(' ')}" fill="none" stroke="${colour}" stroke-width="1" stroke-dasharray="4 3"/>`);
    for (const [x, y] of at) out.push(diamond(x, y, colour));
  }
  const ly = top + margin.top + 8 + series.size * 16 + 8;
  out.push(`<line x1="${layout.legend + 10}" y1="${fmt(ly - 3)}" x2="${layout.legend + 26}" y2="${fmt(ly - 3)}" stroke="#333333" stroke-dasharray="4 3"/>`);
  out.push(diamond(layout.legend + 18, ly - 3, '#333333'));
  legendLines(overlay).forEach((text, i) => out.push(`<text x="${layout.legend + 30}" y="${fmt(ly + 1 + i * 16)}"${i === 0 ? '' : ' fill="#555555"'}>${escape(text)}</text>`));
  return out;
}

/** The reference's legend: its label, then how many of its points lie inside the interval and the range. */
function legendLines({ reference, shares }: FigureReference): string[] {
  const all = shares.at(-1);
  if (!all) return [reference.label];
  return [reference.label, `${all.inInterval} of ${all.points} in the 95% interval`, `${all.inRange} of ${all.points} in the range`];
}

function seriesName(values: readonly string[], groupColumns: readonly string[]): string {
  return values.map((value, i) => `${groupColumns[i]}=${value}`).join(', ');
}

function diamond(x: number, y: number, colour: string): string {
  return `<path d="M${fmt(x)} ${fmt(y - 4.5)}L${fmt(x + 4.5)} ${fmt(y)}L${fmt(x)} ${fmt(y + 4.5)}L${fmt(x - 4.5)} ${fmt(y)}Z" fill="#ffffff" stroke="${colour}" stroke-width="1.5"/>`;
}

function isNumber(text: string): boolean {
  return text.trim() !== '' && Number.isFinite(Number(text));
}

function extent(values: readonly number[]): [number, number] {
  if (values.length === 0) return [0, 1];
  let low = values[0];
  let high = values[0];
  for (const value of values) {
    low = Math.min(low, value);
    high = Math.max(high, value);
  }
  return low === high ? [low - 1, high + 1] : [low, high];
}

function fmt(value: number): string {
  return (Math.round(value * 100) / 100).toString();
}

function label(value: number): string {
  return Number(value.toPrecision(4)).toString();
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
