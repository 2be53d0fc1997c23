// A unified diff in report.html: lines coloured by kind, and within a removed line and the added line paired with
// it, the changed words highlighted (the comparers have already cut long lines to the part around their changes).
import { esc } from './html.ts';
import { wordDiff, type Segment } from './word-diff.ts';

export function renderUnifiedDiff(text: string): string {
  const lines = text.split('\n');
  const out = lines.map(plainLine);
  for (let i = 0; i < lines.length; ) {
    if (!isRemoved(lines[i])) {
      i++;
      continue;
    }
    // A "\ No newline at end of file" marker may sit inside either run.
    const removed: number[] = [];
    const added: number[] = [];
    for (; i < lines.length && (isRemoved(lines[i]) || lines[i].startsWith('\\')); i++) if (isRemoved(lines[i])) removed.push(i);
    for (; i < lines.length && (isAdded(lines[i]) || lines[i].startsWith('\\')); i++) if (isAdded(lines[i])) added.push(i);
    for (let k = 0; k < Math.min(removed.length, added.length); k++) {
      const diff = wordDiff(lines[removed[k]].slice(1), lines[added[k]].slice(1));
      out[removed[k]] = `<span class="del">-${segments(diff.a, 'word-del')}</span>`;
      out[added[k]] = `<span class="add">+${segments(diff.b, 'word-add')}</span>`;
    }
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
