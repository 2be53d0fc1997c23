// report.html: one self-contained page (images inlined as data URIs) a reviewer opens to see what differs;
// no timestamps, so the same verification renders the same page. Diff images are also written beside it.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { figurePng } from './comparers/png.ts';
import { closingLine, verdictLabel } from './summary.ts';
import { fails, passes, type FigureDiff, type FigureImage, type FileVerdict } from './types.ts';

export interface ReportMeta {
  toolkitVersion: string;
  imageId: string | null;
  engine?: 'docker' | 'local' | null;
  lockHash: string | null;
  runFolder: string;
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

export function renderReport(files: FileVerdict[], meta: ReportMeta): string {
  const passed = !files.some(fails);
  const detailed = files.filter((f) => f.verdict !== 'identical');
  const rows = files
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

function renderFile(file: FileVerdict): string {
  const parts = [`<section class="file ${rowClass(file)}" id="${anchor(file.path)}">`, `<h2>${esc(file.path)} <span class="verdict">${esc(verdictLabel(file))}</span></h2>`];
  if (file.largest) parts.push(`<p>Largest deviation: <b>${esc(file.largest.text)}</b> at <b>${esc(file.largest.where)}</b></p>`);
  if (file.notes.length > 0) parts.push(`<ul class="notes">${file.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`);
  for (const figure of file.figures) parts.push(renderFigure(file, figure));
  if (file.findings.length > 0) {
    const heading = file.kind === 'csv' ? 'Differing cells' : 'Differences';
    const more = file.findingCount > file.findings.length ? ` (first ${file.findings.length} of ${file.findingCount})` : '';
    parts.push(`<h3>${heading}${more}</h3>`, '<table class="findings"><thead><tr><th>where</th><th>committed</th><th>re-run</th><th>deviation</th></tr></thead><tbody>');
    for (const f of file.findings) {
      parts.push(`<tr class="${f.withinTolerance || file.informational ? 'within' : 'beyond'}"><td>${esc(f.where)}</td><td>${esc(f.committed)}</td><td>${esc(f.rerun)}</td><td>${esc(f.deviation)}${f.withinTolerance ? ' (within tolerance)' : ''}</td></tr>`);
    }
    parts.push('</tbody></table>');
  }
  if (file.textDiff) parts.push(`<pre class="diff">${renderUnifiedDiff(file.textDiff)}</pre>`);
  parts.push('</section>');
  return parts.join('\n');
}

function renderFigure(file: FileVerdict, figure: FigureDiff): string {
  const panel = (label: string, image: FigureImage | undefined, cls: string) =>
    `<figure class="${cls}"><figcaption>${label}</figcaption>${
      image ? `<img class="${cls}" alt="${esc(`${label}: ${file.path}`)}" src="data:image/png;base64,${Buffer.from(figurePng(image)).toString('base64')}">` : '<p class="absent">(none)</p>'
    }</figure>`;
  const count = figure.differingPixels === undefined ? '' : ` (${figure.differingPixels} of ${figure.totalPixels} pixels differ)`;
  return `<div class="figures">${figure.label ? `<h3>${esc(figure.label)}</h3>` : ''}
${panel('committed', figure.committed, 'committed')}
${panel('re-run', figure.rerun, 'rerun')}
${figure.diff ? panel(`difference${count}`, figure.diff, 'diff') : ''}
</div>`;
}

function renderUnifiedDiff(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const cls = line.startsWith('+++') || line.startsWith('---') ? 'head' : line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : line.startsWith('@@') ? 'hunk' : '';
      return cls ? `<span class="${cls}">${esc(line)}</span>` : esc(line);
    })
    .join('\n');
}

function rowClass(file: FileVerdict): string {
  return fails(file) ? 'fail' : passes(file.verdict) ? 'pass' : 'info';
}

function anchor(path: string): string {
  return 'file-' + path.replace(/[^A-Za-z0-9_-]/g, '_');
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
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
.figures { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 1em; align-items: start; }
.figures h3 { grid-column: 1 / -1; margin-bottom: 0; }
figure { margin: 0; } figcaption { font-weight: bold; }
figure img { width: 100%; border: 1px solid #ccc; image-rendering: pixelated; }
pre.diff { background: #f6f8fa; padding: 0.5em; overflow-x: auto; }
pre.diff .add { color: #1a7f37; } pre.diff .del { color: #cf222e; } pre.diff .hunk { color: #8250df; } pre.diff .head { color: #666; }
`;
