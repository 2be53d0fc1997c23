// The terminal summary: one row per file (file, kind, verdict, largest deviation, where) and a closing line.
// Colour only on a TTY, and the verdict word always says it too.
import { fails, passes, type FileVerdict } from './types.ts';

export interface SummaryOptions {
  color?: boolean;
  /** Show only files that did not pass (for --quiet). */
  onlyProblems?: boolean;
  /** Widest a deviation or location cell may get before it is shortened. */
  maxCell?: number;
}

export function formatSummary(files: FileVerdict[], options: SummaryOptions = {}): string {
  const maxCell = options.maxCell ?? 48;
  const shown = options.onlyProblems ? files.filter((f) => !passes(f.verdict)) : files;
  const rows = shown.map((file) => [
    file.path,
    file.kind,
    verdictLabel(file),
    clip(file.largest?.text ?? '', maxCell),
    clipWhere(file.largest?.where ?? '', maxCell),
  ]);
  const header = ['file', 'kind', 'verdict', 'largest deviation', 'where'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const paint = (text: string, file: FileVerdict) => {
    if (!options.color) return text;
    const code = fails(file) ? 31 : passes(file.verdict) ? 32 : 33;
    return `\x1b[${code}m${text}\x1b[0m`;
  };
  const out = rows.length > 0 ? [line(header), widths.map((w) => '-'.repeat(w)).join('  ')] : [];
  rows.forEach((row, i) => out.push(paint(line(row), shown[i])));
  out.push(closingLine(files));
  return out.join('\n') + '\n';
}

export function verdictLabel(file: FileVerdict): string {
  if (passes(file.verdict)) return file.verdict;
  return file.informational ? `${file.verdict} (informational)` : `${file.verdict.toUpperCase()}`;
}

export function closingLine(files: FileVerdict[]): string {
  const failing = files.filter(fails).length;
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  const matched = files.filter((f) => passes(f.verdict)).length;
  const informational = files.filter((f) => !passes(f.verdict) && f.informational).length;
  const extras = informational > 0 ? `, ${informational} informational difference${informational === 1 ? '' : 's'}` : '';
  return failing === 0
    ? `verify: OK, ${count(files.length, 'file')} match within tolerance${extras}`
    : `verify: FAILED, ${count(failing, 'file')} of ${files.length} differ beyond tolerance (${matched} match${extras})`;
}

/** A place, shortened in its middle when a table cell's column would be cut off: `row 2 (line 3; frame=0, mo…), column "accuracy"`. */
function clipWhere(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, ' ');
  const at = oneLine.lastIndexOf(', column "');
  const tail = at > 0 ? oneLine.slice(at) : '';
  if (oneLine.length <= max || tail === '' || tail.length > max / 2) return clip(oneLine, max);
  return oneLine.slice(0, max - tail.length - 2) + '…)' + tail;
}

function clip(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length > max ? oneLine.slice(0, max - 1) + '…' : oneLine;
}
