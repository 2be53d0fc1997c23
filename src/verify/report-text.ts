// A unified diff in report.html: lines coloured by kind, and within a removed line and the added line paired with
// it, the changed words highlighted (the comparers have already cut long lines to the part around their changes).
import { esc } from './html.ts';
import { wordDiff, type Segment } from './word-diff.ts';

export function renderUnifiedDiff(text: string): string {
  const lines = text.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; ) {
    if (!isRemoved(lines[i])) {
      out.push(plainLine(lines[i]));
      i++;
      continue;
    }
    let removed = i;
    while (removed < lines.length && isRemoved(lines[removed])) removed++;
    let added = removed;
    while (added < lines.length && isAdded(lines[added])) added++;
    const pairs = Math.min(removed - i, added - removed);
    const highlighted: string[] = [];
    for (let k = 0; k < pairs; k++) {
      const diff = wordDiff(lines[i + k].slice(1), lines[removed + k].slice(1));
      out.push(`<span class="del">-${segments(diff.a, 'word-del')}</span>`);
      highlighted.push(`<span class="add">+${segments(diff.b, 'word-add')}</span>`);
    }
    for (let k = i + pairs; k < removed; k++) out.push(plainLine(lines[k]));
    out.push(...highlighted);
    for (let k = removed + pairs; k < added; k++) out.push(plainLine(lines[k]));
    i = added;
  }
  return out.join('\n');
}

function isRemoved(line: string): boolean {
  return line.startsWith('-') && !line.startsWith('---');
}

function isAdded(line: string): boolean {
  return line.startsWith('+') && !line.startsWith('+++');
}

function segments(parts: Segment[], cls: string): string {
  return parts.map((s) => (s.changed ? `<mark class="${cls}">${esc(s.text)}</mark>` : esc(s.text))).join('');
}

function plainLine(line: string): string {
  const cls = line.startsWith('+++') || line.startsWith('---') ? 'head' : line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : line.startsWith('@@') ? 'hunk' : '';
  return cls ? `<span class="${cls}">${esc(line)}</span>` : esc(line);
}

export const textStyle = `
pre.diff { background: #f6f8fa; padding: 0.5em; overflow-x: auto; }
pre.diff .add { color: #1a7f37; } pre.diff .del { color: #cf222e; } pre.diff .hunk { color: #8250df; } pre.diff .head { color: #666; }
pre.diff mark.word-del { background: #ffc1bd; color: #82071e; text-decoration: line-through; }
pre.diff mark.word-add { background: #aceebb; color: #044f1e; font-weight: bold; }
`;
