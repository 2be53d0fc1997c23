// Changed words within a line, long lines windowed around their changes, in the unified diff and in report.html.
import { describe, expect, it } from 'vitest';
import { compareText, describeLineChange, windowHunk } from '../../src/verify/comparers/text.ts';
import { renderUnifiedDiff } from '../../src/verify/report-text.ts';
import { changedRanges, lineWidth, windowLine, windowPair, wordDiff } from '../../src/verify/word-diff.ts';

const long = (middle: string) => `${'alpha beta gamma '.repeat(30)}${middle}${' delta epsilon'.repeat(30)}`;

describe('wordDiff', () => {
  it('marks the changed words on each side and nothing else', () => {
    const { a, b } = wordDiff('Best model: boosted (accuracy 0.845)', 'Best model: tree (accuracy 0.845)');
    expect(a.filter((s) => s.changed).map((s) => s.text)).toEqual(['boosted']);
    expect(b.filter((s) => s.changed).map((s) => s.text)).toEqual(['tree']);
    expect(a.map((s) => s.text).join('')).toBe('Best model: boosted (accuracy 0.845)');
    expect(changedRanges(a)).toEqual([[12, 19]]);
  });

  it('falls back to the common head and tail for lines too long to word-diff', () => {
    const x = 'x'.repeat(15_000);
    const { a, b } = wordDiff(`${x}A${x}`, `${x}BC${x}`);
    expect(changedRanges(a)).toEqual([[15_000, 15_001]]);
    expect(changedRanges(b)).toEqual([[15_000, 15_002]]);
  });
});

describe('windowLine and windowPair', () => {
  it('keeps a line within the width whole', () => {
    expect(windowLine('short line', [[0, 5]])).toBe('short line');
  });

  it('shows the part of a long line around its change, with … on the cut sides', () => {
    const [a, b] = windowPair(long('label="0.5"'), long('label="0.6"'));
    // The changed token is the 5: 60 characters on each side of it.
    expect(a).toMatch(/^….{58}0\.5.{60}…$/);
    expect(b).toMatch(/^….{58}0\.6.{60}…$/);
    expect(a.length).toBeLessThan(lineWidth);
  });

  it('windows a change at the start or the end on one side only', () => {
    expect(windowLine('x'.repeat(300), [[0, 1]], 160, 10)).toBe('x'.repeat(11) + '…');
    expect(windowLine('x'.repeat(300), [[299, 300]], 160, 10)).toBe('…' + 'x'.repeat(11));
  });

  it('merges near changes into one window and keeps far ones apart', () => {
    const line = 'a'.repeat(100) + 'B' + 'a'.repeat(10) + 'C' + 'a'.repeat(300) + 'D' + 'a'.repeat(100);
    const shown = windowLine(line, [[100, 101], [111, 112], [412, 413]], 160, 5);
    expect(shown).toBe('…aaaaaBaaaaaaaaaaCaaaaa…aaaaaDaaaaa…');
  });

  it('windows a line that only gains words at the point where they go', () => {
    const [a, b] = windowPair(long(''), long('NEW '));
    expect(a).toMatch(/^….+…$/);
    expect(b).toContain('NEW');
  });

  it('starts a long line with no change at its start', () => {
    expect(windowLine('y'.repeat(400), [])).toBe('y'.repeat(lineWidth - 1) + '…');
  });
});

describe('text diffs show the change', () => {
  it('cuts a long changed line around the change in the unified diff, not at its end', () => {
    const result = compareText(`head\n${long('value seventeen')}\ntail\n`, `head\n${long('value eighteen')}\ntail\n`, {}, 'figure.svg');
    expect(result.textDiff).toMatch(/^-….*value seventeen.*…$/m);
    expect(result.textDiff).toMatch(/^\+….*value eighteen.*…$/m);
    expect(result.textDiff!.split('\n').every((line) => line.length <= lineWidth + 1)).toBe(true);
    // The summary's excerpt is around the change too.
    expect(result.largest?.text).toMatch(/^"….{12}seventeen.{12}…" → "….{12}eighteen.{12}…"$/);
  });

  it('pairs the i-th removed line with the i-th added one; unpaired long lines keep their start', () => {
    const lines = windowHunk({ lines: ['-' + long('old'), '-' + 'z'.repeat(400), '+' + long('new'), ' ' + 'c'.repeat(400)] });
    expect(lines[0]).toContain('old');
    expect(lines[2]).toContain('new');
    expect(lines[1]).toBe('-' + 'z'.repeat(lineWidth - 1) + '…');
    expect(lines[3]).toBe(' ' + 'c'.repeat(lineWidth - 1) + '…');
  });

  it('describes a short line whole and a long one around the first change', () => {
    expect(describeLineChange('a\nshort one', 'a\nshort two', 2)).toBe('"short one" → "short two"');
    expect(describeLineChange(long('0.5'), long('0.6'), 1)).toMatch(/^"….{10}0\.5.{12}…" → "….{10}0\.6.{12}…"$/);
  });

  it('highlights the changed words of paired lines in the report, escaped', () => {
    const html = renderUnifiedDiff('--- committed/a\n+++ re-run/a\n@@ -1,2 +1,2 @@\n-x <b> old y\n+x <b> new y\n-gone\n same');
    expect(html).toContain('<span class="del">-x &lt;b&gt; <mark class="word-del">old</mark> y</span>');
    expect(html).toContain('<span class="add">+x &lt;b&gt; <mark class="word-add">new</mark> y</span>');
    expect(html).toContain('<span class="del">-gone</span>');
    expect(html).toContain('<span class="head">--- committed/a</span>');
  });

  it("windows a notebook's long text output around its change", async () => {
    const { compareIpynb } = await import('../../src/verify/comparers/ipynb.ts');
    const nb = (line: string) => JSON.stringify({ cells: [{ cell_type: 'code', source: 'print(x)', outputs: [{ output_type: 'stream', name: 'stdout', text: [line] }] }] });
    const result = await compareIpynb(Buffer.from(nb(long('model A'))), Buffer.from(nb(long('model B'))), { path: 'a.ipynb', tolerance: {} });
    expect(result.textDiff).toMatch(/^-….{60}A.{60}…$/m);
    expect(result.textDiff).toMatch(/^\+….{60}B.{60}…$/m);
  });
});
