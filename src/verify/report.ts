// report.html: one self-contained page (images inlined as data URIs) a reviewer opens to see what differs;
// no timestamps, so the same verification renders the same page. Diff images are also written beside it.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { RunEngine } from '../run/types.ts';
import { figurePng } from './comparers/png.ts';
import { esc } from './html.ts';
import { figureStyle, renderFigure } from './report-figures.ts';
import { renderUnifiedDiff, textStyle } from './report-text.ts';
import { describeFailure, type NotebookOutcome } from './run-record.ts';
import { closingLine, verdictLabel } from './summary.ts';
import { fails, passes, type FileVerdict, type Finding } from './types.ts';

export interface ReportMeta {
  toolkitVersion: string;
  imageId: string | null;
  engine?: RunEngine | null;
  lockHash: string | null;
  runFolder: string;
  /** Each notebook's outcome in the run, when known: a failed one explains its missing outputs. */
  notebooks?: NotebookOutcome[] | null;
}

/** Writes report.html and diff/<path>.diff.png (one per differing figure) into dir; returns the report's path. */
export async function writeReport(dir: string, files: FileVerdict[], meta: ReportMeta): Promise<string> {
  await mkdir(dir, { recursive: true });
  for (const file of files) {
    for (const [i, figure] of file.figures.entries()) {
      if (!figure.diff) continue;
      const target = join(dir, 'diff', `${file.path}${file.figures.length > 1 ? `.${i}` : ''}.diff.png`);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, figurePng(figure.diff));
    }
  }
  const path = join(dir, 'report.html');
  await writeFile(path, renderReport(files, meta));
  return path;
}

/** The report's order: failing files first, then informational differences, then those within tolerance, then identical ones; by path within each. */
function reportRank(file: FileVerdict): number {
  if (fails(file)) return 0;
  if (!passes(file.verdict)) return 1;
  return file.verdict === 'within tolerance' ? 2 : 3;
}

export function renderReport(files: FileVerdict[], meta: ReportMeta): string {
  const passed = !files.some(fails);
  // A stable sort: the caller's path order is kept within each rank.
  const ordered = [...files].sort((a, b) => reportRank(a) - reportRank(b));
  const detailed = ordered.filter((f) => f.verdict !== 'identical');
  const rows = ordered
    .map((file) => {
      const name = detailed.includes(file) ? `<a href="#${anchor(file.path)}">${esc(file.path)}</a>` : esc(file.path);
      return `<tr class="${rowClass(file)}"><td>${name}</td><td>${file.kind}</td><td>${esc(verdictLabel(file))}</td><td>${esc(file.largest?.text ?? '')}</td><td>${esc(file.largest?.where ?? '')}</td></tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>repro verify: ${passed ? 'passed' : 'FAILED'}</title>
<style>${style}</style>
</head>
<body>
<h1 class="${passed ? 'pass' : 'fail'}">repro verify: ${passed ? 'passed' : 'FAILED'}</h1>
<p>${esc(closingLine(files))}</p>
<dl class="meta">
<dt>run folder</dt><dd>${esc(meta.runFolder)}</dd>
<dt>engine</dt><dd>${esc(meta.engine ?? 'not known (an existing run folder was compared)')}</dd>
<dt>image</dt><dd>${esc(meta.imageId ?? 'not recorded')}</dd>
<dt>research.lock</dt><dd>${esc(meta.lockHash ?? 'none')}</dd>
<dt>toolkit</dt><dd>repro ${esc(meta.toolkitVersion)}</dd>
</dl>
${renderNotebooks(meta.notebooks ?? [])}
<table class="summary">
<thead><tr><th>file</th><th>kind</th><th>verdict</th><th>largest deviation</th><th>where</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
${detailed.map(renderFile).join('\n')}
</body>
</html>
`;
}

/** The notebooks of the run: which failed (and so left their outputs missing), and what each warned about. */
function renderNotebooks(notebooks: readonly NotebookOutcome[]): string {
  if (notebooks.length === 0) return '';
  const rows = notebooks.map((outcome) => {
    const failed = outcome.status === 'failed';
    const what = failed ? failureLine(outcome) : 'ran';
    const warnings = outcome.warnings ?? [];
    const warned = warnings.length > 0 ? `<ul class="notes">${warnings.map((warning) => `<li>warning: ${esc(warning)}</li>`).join('')}</ul>` : '';
    return `<tr class="${failed ? 'fail' : warnings.length > 0 ? 'info' : 'pass'}"><td>${esc(outcome.notebook)}</td><td>${esc(outcome.outputs)}</td><td>${esc(what)}${warned}</td></tr>`;
  });
  return `<table class="notebooks">
<thead><tr><th>notebook</th><th>outputs</th><th>run</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>`;
}

/** "failed at cell 1: KeyError: 'x'": the error's first line without the notebook and cell it repeats; no traceback. */
function failureLine(outcome: NotebookOutcome): string {
  const first = outcome.message?.split('\n')[0];
  if (!first) return describeFailure(outcome);
  const prefix = outcome.cellIndex === null ? `${outcome.notebook}: ` : `${outcome.notebook} cell ${outcome.cellIndex}: `;
  const error = first.startsWith(prefix) ? first.slice(prefix.length) : first;
  return outcome.cellIndex === null ? `failed: ${error}` : `failed at cell ${outcome.cellIndex}: ${error}`;
}

function renderFile(file: FileVerdict): string {
  const parts = [`<section class="file ${rowClass(file)}" id="${anchor(file.path)}">`, `<h2>${esc(file.path)} <span class="verdict">${esc(verdictLabel(file))}</span></h2>`];
  if (file.largest) parts.push(`<p>Largest deviation: <b>${esc(file.largest.text)}</b> at <b>${esc(file.largest.where)}</b></p>`);
  if (file.notes.length > 0) parts.push(`<ul class="notes">${file.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`);
  for (const figure of file.figures) parts.push(renderFigure(file, figure));
  if (file.findings.length > 0) {
    const rowsChanged = file.findings.some((f) => f.change);
    const heading = file.kind === 'csv' ? (rowsChanged ? 'Deleted, inserted and differing rows' : 'Differing cells') : 'Differences';
    const more = file.findingCount > file.findings.length ? ` (first ${file.findings.length} of ${file.findingCount})` : '';
    parts.push(`<h3>${heading}${more}</h3>`, '<table class="findings"><thead><tr><th>where</th><th>committed</th><th>re-run</th><th>deviation</th></tr></thead><tbody>');
    for (const f of file.findings) parts.push(renderFinding(f, file.informational));
    parts.push('</tbody></table>');
  }
  if (file.textDiff) parts.push(`<pre class="diff">${renderUnifiedDiff(file.textDiff)}</pre>`);
  parts.push('</section>');
  return parts.join('\n');
}

/** A deleted or inserted table row is one line saying so, with its content on its side. */
function renderFinding(f: Finding, informational: boolean): string {
  const cls = f.withinTolerance || informational ? 'within' : 'beyond';
  if (f.change) {
    return `<tr class="${cls} ${f.change}"><td class="change">${esc(f.deviation)}</td><td>${esc(f.committed)}</td><td>${esc(f.rerun)}</td><td>${esc(f.where)}</td></tr>`;
  }
  return `<tr class="${cls}"><td>${esc(f.where)}</td><td>${esc(f.committed)}</td><td>${esc(f.rerun)}</td><td>${esc(f.deviation)}${f.withinTolerance ? ' (within tolerance)' : ''}</td></tr>`;
}

function rowClass(file: FileVerdict): string {
  return fails(file) ? 'fail' : passes(file.verdict) ? 'pass' : 'info';
}

function anchor(path: string): string {
  return 'file-' + path.replace(/[^A-Za-z0-9_-]/g, '_');
}

const style = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
h1.pass { color: #1a7f37; } h1.fail { color: #cf222e; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 0 1em; font-family: monospace; }
dl.meta dt { color: #666; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid #ddd; padding: 2px 8px; text-align: left; font-family: monospace; vertical-align: top; }
tr.fail td, tr.beyond td { background: #ffebe9; } tr.info td, tr.within td { background: #fff8c5; }
section.file { border-top: 2px solid #ddd; margin-top: 1.5em; }
section.fail h2 .verdict { color: #cf222e; } section.info h2 .verdict { color: #9a6700; } section.pass h2 .verdict { color: #1a7f37; }
tr.deleted td.change { color: #cf222e; font-weight: bold; } tr.inserted td.change { color: #1a7f37; font-weight: bold; }
${figureStyle}${textStyle}`;
