// compareTrees over a run folder, and the report, record and summary built from its verdicts.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { explainMissing } from '../../src/verify/index.ts';
import { buildRecord } from '../../src/verify/record.ts';
import { renderReport } from '../../src/verify/report.ts';
import { formatSummary } from '../../src/verify/summary.ts';
import { compareTrees } from '../../src/verify/tree.ts';

const fixture = fileURLToPath(new URL('../fixtures/verify/repo', import.meta.url));
const rules = { default: { rtol: 1e-9 }, 'results/**/*.png': { pixels: 0.001 }, 'results/analysis/timing.csv': { informational: true } };
let run: string;
const compare = (outputs = ['results/analysis/']) => compareTrees({ committedRoot: fixture, rerunRoot: run, outputs, rules });

beforeEach(() => {
  run = mkdtempSync(join(tmpdir(), 'repro-tree-'));
  cpSync(join(fixture, 'results'), join(run, 'results'), { recursive: true });
});
afterEach(() => rmSync(run, { recursive: true, force: true }));

describe('compareTrees', () => {
  it('gives every file a verdict, sorted by path', async () => {
    const { files, passed } = await compare();
    expect(passed).toBe(true);
    expect(files.map((f) => f.path)).toEqual([
      'results/analysis/accuracy.csv', 'results/analysis/analysis.ipynb', 'results/analysis/chart.svg', 'results/analysis/figure.png',
      'results/analysis/metrics.json', 'results/analysis/model.bin', 'results/analysis/notes.txt', 'results/analysis/timing.csv',
    ]);
    expect(files[0].committedSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reports every committed file missing when the run lacks an outputs folder', async () => {
    rmSync(join(run, 'results'), { recursive: true });
    const { files, passed } = await compare();
    expect(passed).toBe(false);
    expect(new Set(files.map((f) => f.verdict))).toEqual(new Set(['missing']));
  });

  it('lets an informational file differ, go missing or appear without failing', async () => {
    rmSync(join(run, 'results/analysis/timing.csv'));
    expect((await compare()).passed).toBe(true);
  });

  it('never follows a link: a dangling one, like any other, is a failing special verdict, not a crash', async () => {
    mkdirSync(join(run, 'results/analysis/sub'));
    symlinkSync('/nonexistent/file', join(run, 'results/analysis/sub/broken.csv'));
    const { files } = await compare();
    const broken = files.find((f) => f.path === 'results/analysis/sub/broken.csv');
    expect(broken).toMatchObject({ verdict: 'special', largest: { text: 'symlink → /nonexistent/file', where: 're-run' } });
    rmSync(join(run, 'results/analysis/notes.txt'));
    symlinkSync('/nonexistent/notes', join(run, 'results/analysis/notes.txt'));
    const notes = (await compare()).files.find((f) => f.path === 'results/analysis/notes.txt');
    expect(notes?.verdict).toBe('special');
    expect(notes?.notes[0]).toBe('the re-run results/analysis/notes.txt is a symlink → /nonexistent/notes, not a regular file: links, FIFOs, sockets and devices are never followed or read');
  });
});

describe('report.html, verify.json and the summary table', () => {
  it('renders the same page for the same verdicts (no timestamps) and escapes file content', async () => {
    writeFileSync(join(run, 'results/analysis/notes.txt'), '<script>alert(1)</script>\n');
    const { files } = await compare();
    const meta = { toolkitVersion: '0.1.0', imageId: null, lockHash: null, runFolder: 'run' };
    const html = renderReport(files, meta);
    expect(renderReport(files, meta)).toBe(html);
    expect(html).not.toContain('<script>');
    expect(html).toContain('+<mark class="word-add">&lt;script&gt;alert(1)&lt;/script&gt;</mark>');
    expect(html).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:/);
  });

  it('the report lists failing files first, then informational differences, then those within tolerance, then identical ones', async () => {
    writeFileSync(join(run, 'results/analysis/notes.txt'), 'changed\n');
    writeFileSync(join(run, 'results/analysis/timing.csv'), 'step,seconds\nfit,99\n');
    rmSync(join(run, 'results/analysis/model.bin'));
    const { files } = await compare();
    const html = renderReport(files, { toolkitVersion: '0.1.0', imageId: null, lockHash: null, runFolder: 'run' });
    const listed = [...html.matchAll(/<tr class="[^"]*"><td>(?:<a href="[^"]*">)?([^<]+)</g)].map((match) => match[1].replace('results/analysis/', ''));
    expect(listed).toEqual(['model.bin', 'notes.txt', 'timing.csv', 'accuracy.csv', 'analysis.ipynb', 'chart.svg', 'figure.png', 'metrics.json']);
    // The sections in detail follow the same order.
    const sections = [...html.matchAll(/<section class="file[^"]*" id="([^"]+)"/g)].map((match) => match[1]);
    expect(sections.slice(0, 3)).toEqual(['file-results_analysis_model_bin', 'file-results_analysis_notes_txt', 'file-results_analysis_timing_csv']);
  });

  it('the report says which notebook failed, so its outputs are missing, and what an allowErrors notebook let through', async () => {
    rmSync(join(run, 'results/analysis'), { recursive: true });
    const { files } = await compare();
    const notebooks = [
      { notebook: 'notebooks/analysis.ipynb', outputs: 'results/analysis', status: 'failed' as const, cellIndex: 1, error: 'KeyError', message: "notebooks/analysis.ipynb cell 1: KeyError: 'NO_SUCH_COLUMN'\n    traceback", warnings: [] },
      { notebook: 'notebooks/counts.ipynb', outputs: 'results/counts', status: 'ok' as const, cellIndex: null, error: null, message: null, warnings: ['cell 2 raised ZeroDivisionError (allowed)'] },
    ];
    const html = renderReport(files, { toolkitVersion: '0.1.0', imageId: null, lockHash: null, runFolder: 'run', notebooks });
    expect(html).toContain(`<tr class="fail"><td>notebooks/analysis.ipynb</td><td>results/analysis</td><td>failed at cell 1: KeyError: 'NO_SUCH_COLUMN'</td></tr>`);
    expect(html).toContain('<tr class="info"><td>notebooks/counts.ipynb</td><td>results/counts</td><td>ran<ul class="notes"><li>warning: cell 2 raised ZeroDivisionError (allowed)</li></ul></td></tr>');
    expect(html).not.toContain('traceback');
    const died = { ...notebooks[0], cellIndex: null, error: 'KernelDied', message: 'notebooks/analysis.ipynb: KernelDied: the kernel died' };
    expect(renderReport(files, { toolkitVersion: '0.1.0', imageId: null, lockHash: null, runFolder: 'run', notebooks: [died] })).toContain('<td>failed: KernelDied: the kernel died</td>');
    expect(renderReport(files, { toolkitVersion: '0.1.0', imageId: null, lockHash: null, runFolder: 'run' })).not.toContain('class="notebooks"');
  });

  it("a committed file missing because its notebook failed says which notebook, cell and error; other missing files stay as they are", async () => {
    rmSync(join(run, 'results/analysis/model.bin'));
    const { files } = await compare();
    const failed = { notebook: 'notebooks/analysis.ipynb', outputs: 'results/analysis', status: 'failed' as const, cellIndex: 1, error: 'KeyError', message: null };
    explainMissing(files, [{ ...failed, outputs: 'results/other' }]);
    expect(files.find((f) => f.path.endsWith('model.bin'))?.largest?.text).toBe('missing from the re-run');
    explainMissing(files, [failed]);
    const model = files.find((f) => f.path.endsWith('model.bin'));
    expect(model).toMatchObject({ verdict: 'missing', largest: { text: 'its notebook failed (cell 1: KeyError)', where: 'file' } });
    expect(model?.notes.at(-1)).toBe('not written: notebooks/analysis.ipynb failed (cell 1: KeyError) before writing it');
    expect(formatSummary(files)).toMatch(/MISSING +its notebook failed \(cell 1: KeyError\) +file/);
  });

  it('records verdicts, hashes and timestamps in verify.json', async () => {
    rmSync(join(run, 'results/analysis/model.bin'));
    const { files } = await compare();
    const at = new Date('2026-11-25T10:00:00Z');
    const record = buildRecord(files, { toolkitVersion: '0.1.0', imageId: 'sha256:abc', engine: 'docker', lockHash: 'f00', runFolder: 'run', startedAt: at, finishedAt: at });
    expect(record).toMatchObject({ passed: false, imageId: 'sha256:abc', lockHash: 'f00', startedAt: '2026-11-25T10:00:00.000Z' });
    expect(record.files.find((f) => f.path.endsWith('model.bin'))).toMatchObject({ verdict: 'missing', fails: true, rerunSha256: null });
  });

  it('prints one row per file, or only the problems with --quiet', async () => {
    rmSync(join(run, 'results/analysis/model.bin'));
    const { files } = await compare();
    const table = formatSummary(files);
    expect(table.split('\n')[0]).toMatch(/^file\s+kind\s+verdict\s+largest deviation\s+where$/);
    expect(table).toContain('verify: FAILED, 1 file of 8 differ beyond tolerance (7 match)');
    const quiet = formatSummary(files, { onlyProblems: true });
    expect(quiet.trim().split('\n')).toHaveLength(4);
  });

  it('a place too long for its cell is shortened in the middle, keeping the column', async () => {
    const changed = readFileSync(join(run, 'results/analysis/accuracy.csv'), 'utf8').split('\n');
    changed[1] = changed[1].replace(/[0-9.]+$/, (value) => String(Number(value) + 0.5));
    writeFileSync(join(run, 'results/analysis/accuracy.csv'), changed.join('\n'));
    const { files } = await compare();
    const where = files.find((file) => file.path.endsWith('accuracy.csv'))?.largest?.where ?? '';
    expect(where).toMatch(/, column "[^"]+"$/);
    const row = formatSummary(files, { maxCell: 30 }).split('\n').find((line) => line.includes('accuracy.csv')) ?? '';
    const shown = row.slice(row.lastIndexOf('row '));
    expect(shown.length).toBeLessThanOrEqual(30);
    expect(shown).toMatch(/^row 1 \(.*…\), column "[^"]+"$/);
  });
});
