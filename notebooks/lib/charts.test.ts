import { describe, expect, it } from 'vitest';
import type { TopLevelSpec } from 'vega-lite';
import { renderChart } from './charts.ts';

const spec: TopLevelSpec = {
  width: 200,
  height: 100,
  data: { values: [{ x: 0, y: 1 }, { x: 1, y: 3 }, { x: 2, y: 2 }] },
  mark: 'line',
  encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
};

describe('renderChart', () => {
  it('renders SVG and PNG, the same bytes every time', async () => {
    const first = await renderChart(spec);
    const second = await renderChart(spec);
    expect(first.svg.startsWith('<svg')).toBe(true);
    expect(first.svg).toContain('DejaVu Sans');
    expect(first.png.subarray(1, 4).toString('ascii')).toBe('PNG');
    expect(second.svg).toBe(first.svg);
    expect(second.png.equals(first.png)).toBe(true);
  });
});
