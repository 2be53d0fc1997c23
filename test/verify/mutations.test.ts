// The mutation suite: one change at a time to a copy of a run folder that verifies clean against the committed
// results (this repository's results/starcraft and results/games-model under research.yaml's verify rules, plus
// small generated files and a folder of files past the streaming limits), each with the verdict it must get.
// Must-fail: a change a reviewer must see. Must-pass: a change the comparers promise to forgive.
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, truncateSync, utimesSync, writeFileSync, chmodSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadManifest } from '../../src/manifest/load.ts';
import { tableInMemoryLimit, wholeFileLimit } from '../../src/verify/limits.ts';
import { fails, verifyRunFolder, type ToleranceRules } from '../../src/verify/index.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** A run folder being mutated: `run(rel)` is a path in it, `committed(rel)` the same path in the committed results. */
interface Folder {
  run: (rel: string) => string;
  committed: (rel: string) => string;
}

interface Mutation {
  name: string;
  /** The file(s) the change must show up on (must-fail: exactly these fail; must-pass: these pass). */
  target: string | string[];
  mutate: (folder: Folder) => void | Promise<void>;
  /** The change leaves the bytes as they were (a touched mtime, a mode). */
  sameBytes?: boolean;
}

const SC = 'results/starcraft';
const GM = 'results/games-model';
const GEN = 'results/generated';
const HUGE = 'results/huge';
/** Volatile output: two real tslab runs of a timing notebook (test/fixtures/verify/timing), and a log with a timing. */
const TIMING = 'results/timing';

let root: string;
let project: string;
let rules: ToleranceRules;
let outputs: string[];
let caseNumber = 0;
const servers: Server[] = [];
const counts = { mustFail: 0, mustPass: 0, total: 0 };
const started = performance.now();

// ---- edits ---------------------------------------------------------------------------------------------------

const read = (path: string) => readFileSync(path, 'utf8');
const editText = (path: string, edit: (text: string) => string) => writeFileSync(path, edit(read(path)));
/** Replaces the first occurrence of `from`, and fails the test when there is none (the mutation must apply). */
function replaceOnce(text: string, from: string | RegExp, to: string): string {
  const out = text.replace(from, to);
  if (out === text) throw new Error(`mutation did not apply: ${String(from)} not found`);
  return out;
}
const editLines = (path: string, edit: (lines: string[]) => string[]) => editText(path, (text) => edit(text.replace(/\n$/, '').split('\n')).join('\n') + '\n');
/** Sets one CSV cell (row 1 = first data row) by column name, passing the old text to `to`. */
function editCell(path: string, row: number, column: string, to: (old: string) => string): void {
  editLines(path, (lines) => {
    const header = lines[0].split(',');
    const c = header.indexOf(column);
    if (c < 0) throw new Error(`no column ${column}`);
    const cells = lines[row].split(',');
    cells[c] = to(cells[c]);
    lines[row] = cells.join(',');
    return lines;
  });
}
function editJson(path: string, edit: (value: any) => any, indent: string | number = 2): void {
  writeFileSync(path, JSON.stringify(edit(JSON.parse(read(path))), null, indent) + '\n');
}
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reverseKeys(v)]));
}
function editPng(path: string, edit: (png: PNG) => void, options: { deflateLevel?: number; filterType?: number } = {}): void {
  const png = PNG.sync.read(readFileSync(path));
  edit(png);
  writeFileSync(path, PNG.sync.write(png, { colorType: 6, ...options }));
}
function paint(png: { width: number; data: Uint8Array }, x0: number, y0: number, w: number, h: number, rgb: [number, number, number]): void {
  for (let y = y0; y < y0 + h; y++) {
    for (let x = x0; x < x0 + w; x++) {
      const i = (y * png.width + x) * 4;
      png.data.set([...rgb, 255], i);
    }
  }
}
const mkfifo = (path: string) => execFileSync('mkfifo', [path]);
const replaceWith = (path: string, make: (path: string) => void) => {
  rmSync(path, { force: true, recursive: true });
  make(path);
};
async function socketAt(path: string): Promise<void> {
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(path, resolve));
}

// ---- generated files -----------------------------------------------------------------------------------------

/** 3×5 digit glyphs, rows top to bottom, for figure labels drawn without a font. */
const glyphs: Record<string, string[]> = {
  '0': ['111', '101', '101', '101', '111'],
  '5': ['111', '100', '111', '001', '111'],
  '6': ['111', '100', '111', '101', '111'],
  '9': ['111', '101', '111', '001', '111'],
  '.': ['000', '000', '000', '000', '010'],
};

/** A small chart: axes, a line, a square marker and a numeric label; every part can be changed on its own. */
function chartPng(options: { marker?: [number, number]; label?: string } = {}): Buffer {
  const [mx, my] = options.marker ?? [60, 50];
  const png = new PNG({ width: 240, height: 160 });
  paint(png, 0, 0, 240, 160, [255, 255, 255]);
  paint(png, 20, 10, 1, 130, [0, 0, 0]);
  paint(png, 20, 140, 210, 1, [0, 0, 0]);
  for (let x = 21; x < 220; x++) paint(png, x, 139 - Math.floor((x - 21) * 0.5), 1, 1, [76, 120, 168]);
  paint(png, mx, my, 8, 8, [228, 87, 86]);
  let x = 150;
  for (const char of options.label ?? '0.95') {
    // Scaled 3×: a glyph's stroke is 3 pixels wide, as a 10 px label's is after antialiasing.
    glyphs[char].forEach((row, gy) => [...row].forEach((bit, gx) => bit === '1' && paint(png, x + gx * 3, 20 + gy * 3, 3, 3, [0, 0, 0])));
    x += 12;
  }
  return PNG.sync.write(png);
}

const chartSvg = `<svg xmlns="http://www.w3.org/2000/svg" width="240" height="160" viewBox="0 0 240 160">
  <rect width="240" height="160" fill="white"/>
  <path d="M20,10V140H230" stroke="#000" fill="none"/>
  <circle cx="60" cy="50" r="5" fill="#e45756"/>
  <text x="150" y="30" font-family="DejaVu Sans" font-size="14px">AUC 0.95</text>
</svg>
`;

const tableCsv = 'name,value,small,count\nalpha,1.5,0.001,10\nbeta,-2.25,1e-3,20\ngamma,1000000,0.00002,30\ndelta,0,3.0,40\n';
const tableTsv = 'step\tloss\n1\t0.5\n2\t0.25\n3\t0.125\n';
const logTxt = 'fitted 3 models in 12 folds\nbest score 0.8123 at fold 7\ndone\n';

/** Deterministic bytes (a fixed-seed LCG), so that a huge file differs nowhere but where a case changes it. */
function seededBytes(length: number, seed = 42): Buffer {
  const bytes = Buffer.alloc(length);
  let state = seed >>> 0;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    bytes[i] = state >>> 24;
  }
  return bytes;
}

function hugeCsv(): string {
  const lines = ['id,value,label'];
  let state = 7;
  for (let size = 0, i = 0; size <= tableInMemoryLimit + 1_000_000; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const line = `${i},${(state / 2 ** 32).toFixed(6)},row${i % 97}`;
    lines.push(line);
    size += line.length + 1;
  }
  return lines.join('\n') + '\n';
}

function writeGenerated(base: string): void {
  const gen = join(base, GEN);
  mkdirSync(gen, { recursive: true });
  writeFileSync(join(gen, 'chart.png'), chartPng());
  writeFileSync(join(gen, 'chart.svg'), chartSvg);
  writeFileSync(join(gen, 'table.csv'), tableCsv);
  writeFileSync(join(gen, 'loss.tsv'), tableTsv);
  writeFileSync(join(gen, 'log.txt'), logTxt);
  writeFileSync(join(gen, 'blob.bin'), seededBytes(4096, 3));
  const huge = join(base, HUGE);
  mkdirSync(huge, { recursive: true });
  writeFileSync(join(huge, 'big.bin'), seededBytes(wholeFileLimit + 1_000_000));
  writeFileSync(join(huge, 'big.csv'), hugeCsv());
  writeFileSync(join(huge, 'big.json'), JSON.stringify({ values: [...seededBytes(wholeFileLimit / 4, 9)] }));
}

const timingFixture = (name: string) => fileURLToPath(new URL(`../fixtures/verify/timing/${name}.ipynb`, import.meta.url));
const fibLog = 'naiveFib(40) = 165580141 (took 2047ms)\nnaiveFib(20) = 10946 (took 0ms)\n';

/** The committed timing notebook and log, and the rules research.yaml gives them (inserted under its verify:). */
function writeTiming(base: string): void {
  mkdirSync(join(base, TIMING), { recursive: true });
  cpSync(timingFixture('committed'), join(base, TIMING, 'timing.ipynb'));
  writeFileSync(join(base, TIMING, 'fib.log'), fibLog);
  editText(join(base, 'research.yaml'), (yaml) =>
    replaceOnce(
      yaml,
      /\nverify:\n/,
      [
        '\nverify:',
        `  "${TIMING}/*.ipynb":`,
        '    cells:',
        "      - { tag: timing, output: stdout, mask: 'took \\d+ms' }",
        "      - { id: sleep, mask: 'Slept \\d+\\[ms\\]' }",
        `  "${TIMING}/*.log": { mask: 'took \\d+ms' }`,
        '',
      ].join('\n'),
    ),
  );
}

// ---- running one case ----------------------------------------------------------------------------------------

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'repro-mutations-'));
  project = join(root, 'project');
  mkdirSync(project);
  cpSync(join(repoRoot, 'research.yaml'), join(project, 'research.yaml'));
  for (const folder of [SC, GM]) cpSync(join(repoRoot, folder), join(project, folder), { recursive: true });
  writeGenerated(project);
  writeTiming(project);
  const { manifest } = await loadManifest(project);
  rules = manifest.verify;
  outputs = [...manifest.entrypoints.map((entry) => entry.outputs), GEN, TIMING];
});

afterAll(async () => {
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
  rmSync(root, { recursive: true, force: true });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`mutation suite: ${counts.mustFail} must-fail caught, ${counts.mustPass} must-pass passed, of ${counts.total} (${seconds} s)`);
});

/** A fresh copy of the committed outputs as a run folder, the mutation applied, and verify's outcome. */
async function verifyMutated(mutation: Mutation, folders: string[]) {
  const run = join(root, `run-${++caseNumber}`);
  for (const folder of folders) cpSync(join(project, folder), join(run, folder), { recursive: true });
  const folder: Folder = { run: (rel) => join(run, rel), committed: (rel) => join(project, rel) };
  await mutation.mutate(folder);
  const outcome = await verifyRunFolder({ projectDir: project, runFolder: run, outputs: folders, rules, reportDir: join(root, `report-${caseNumber}`) });
  return outcome;
}

const targetsOf = (mutation: Mutation) => (Array.isArray(mutation.target) ? mutation.target : [mutation.target]);

async function expectCaught(mutation: Mutation, folders = outputs): Promise<void> {
  counts.total++;
  const { files, passed } = await verifyMutated(mutation, folders);
  const failing = files.filter(fails).map((f) => `${f.path}: ${f.verdict}`);
  expect(passed, `${mutation.name}: verify passed`).toBe(false);
  expect(failing.map((line) => line.split(':')[0]).sort()).toEqual(targetsOf(mutation).sort());
  counts.mustFail++;
}

async function expectForgiven(mutation: Mutation, folders = outputs): Promise<void> {
  counts.total++;
  const { files, passed } = await verifyMutated(mutation, folders);
  const failing = files.filter(fails).map((f) => `${f.path}: ${f.verdict} ${f.largest?.text ?? ''} at ${f.largest?.where ?? ''}; ${f.notes.join('; ')}`);
  expect(failing, `${mutation.name}: files failed`).toEqual([]);
  expect(passed).toBe(true);
  for (const target of targetsOf(mutation)) {
    const file = files.find((f) => f.path === target);
    expect(file, `${target} compared`).toBeDefined();
    if (!mutation.sameBytes) expect(file!.rerunSha256, `${target} was changed`).not.toBe(file!.committedSha256);
  }
  counts.mustPass++;
}

// ---- the cases -----------------------------------------------------------------------------------------------

const acc = `${SC}/accuracy.csv`;
const imp = `${SC}/importance.csv`;
const pub = `${SC}/published-comparison.csv`;
const paper = `${SC}/paper-comparison.csv`;
const curve = `${GM}/training-curve.csv`;
const metrics = `${GM}/metrics.json`;
const modelJson = `${GM}/model/model.json`;
const weights = `${GM}/model/weights.bin`;
const scNotebook = `${SC}/starcraft.ipynb`;
const gmNotebook = `${GM}/games-model.ipynb`;
const accPng = `${SC}/accuracy.png`;
const rocPng = `${GM}/roc-curve.png`;
const accSvg = `${SC}/accuracy.svg`;
const rocSvg = `${GM}/roc-curve.svg`;
const timing = `${SC}/timing.csv`;
const chart = `${GEN}/chart.png`;
const chartSvgPath = `${GEN}/chart.svg`;
const table = `${GEN}/table.csv`;
const tsv = `${GEN}/loss.tsv`;
const log = `${GEN}/log.txt`;
const blob = `${GEN}/blob.bin`;
const timingNotebook = `${TIMING}/timing.ipynb`;
const timingLog = `${TIMING}/fib.log`;
/** The real re-run of the timing notebook in place of the committed one, then `edit` on its text. */
const realRerun = (f: Folder, edit: (text: string) => string = (t) => t) => writeFileSync(f.run(timingNotebook), edit(read(timingFixture('rerun'))));

const mustFail: Mutation[] = [
  // tables
  { name: 'CSV: an accuracy beyond rtol 1e-9 (0.316901 → 0.316902)', target: acc, mutate: (f) => editCell(f.run(acc), 1, 'accuracy', () => '0.316902') },
  { name: 'CSV: NaN where a number was', target: acc, mutate: (f) => editCell(f.run(acc), 2, 'accuracy', () => 'NaN') },
  { name: 'CSV: a sign flip', target: acc, mutate: (f) => editCell(f.run(acc), 1, 'accuracy', (old) => `-${old}`) },
  { name: 'CSV: Infinity where a number was', target: acc, mutate: (f) => editCell(f.run(acc), 3, 'accuracy', () => 'inf') },
  { name: 'CSV: an empty cell where a number was', target: acc, mutate: (f) => editCell(f.run(acc), 4, 'n_train', () => '') },
  { name: 'CSV: an integer off by one (n_train 855 → 856)', target: acc, mutate: (f) => editCell(f.run(acc), 1, 'n_train', () => '856') },
  { name: 'CSV: a text cell changed (model name)', target: acc, mutate: (f) => editCell(f.run(acc), 1, 'model', () => 'boosted_tree') },
  { name: 'CSV: a deleted row', target: acc, mutate: (f) => editLines(f.run(acc), (lines) => lines.filter((_, i) => i !== 10)) },
  { name: 'CSV: an inserted row', target: acc, mutate: (f) => editLines(f.run(acc), (lines) => [...lines.slice(0, 10), '3,3.000000,cart,0.5,855,284', ...lines.slice(10)]) },
  { name: 'CSV: a duplicated row', target: acc, mutate: (f) => editLines(f.run(acc), (lines) => [...lines.slice(0, 10), lines[9], ...lines.slice(10)]) },
  { name: 'CSV: the last row deleted', target: curve, mutate: (f) => editLines(f.run(curve), (lines) => lines.slice(0, -1)) },
  { name: 'CSV: two rows swapped', target: imp, mutate: (f) => editLines(f.run(imp), (lines) => [lines[0], lines[2], lines[1], ...lines.slice(3)]) },
  { name: 'CSV: a renamed column', target: acc, mutate: (f) => editLines(f.run(acc), (lines) => [lines[0].replace('accuracy', 'acc'), ...lines.slice(1)]) },
  { name: 'CSV: a dropped column', target: acc, mutate: (f) => editLines(f.run(acc), (lines) => lines.map((line) => line.split(',').slice(0, -1).join(','))) },
  { name: 'CSV: an added column', target: imp, mutate: (f) => editLines(f.run(imp), (lines) => lines.map((line, i) => `${line},${i === 0 ? 'extra' : i}`)) },
  { name: 'CSV: two columns swapped', target: paper, mutate: (f) => editLines(f.run(paper), (lines) => lines.map((line) => { const c = line.split(','); [c[1], c[2]] = [c[2], c[1]]; return c.join(','); })) },
  { name: 'CSV: a truncated file (cut mid-row)', target: acc, mutate: (f) => truncateSync(f.run(acc), Math.floor(read(f.committed(acc)).length / 2) + 3) },
  { name: 'CSV: an empty file', target: acc, mutate: (f) => writeFileSync(f.run(acc), '') },
  { name: 'CSV: the header only', target: pub, mutate: (f) => editLines(f.run(pub), (lines) => lines.slice(0, 1)) },
  { name: 'CSV: a gain beyond tolerance in importance.csv', target: imp, mutate: (f) => editCell(f.run(imp), 2, 'gain', (old) => String(Number(old) * 1.001)) },
  { name: 'CSV: a loss beyond tolerance in the training curve', target: curve, mutate: (f) => editCell(f.run(curve), 50, 'val_loss', (old) => (Number(old) + 1e-6).toFixed(6)) },
  { name: 'CSV: a number written where text was', target: pub, mutate: (f) => editCell(f.run(pub), 1, 'model', () => '0') },
  { name: 'CSV: 1e-3 written as 0.0011 (generated table)', target: table, mutate: (f) => editText(f.run(table), (t) => replaceOnce(t, '1e-3', '0.0011')) },
  { name: 'TSV: a loss beyond tolerance', target: tsv, mutate: (f) => editText(f.run(tsv), (t) => replaceOnce(t, '0.25', '0.2501')) },
  // JSON
  { name: 'JSON: a number beyond tolerance (roc_auc)', target: metrics, mutate: (f) => editJson(f.run(metrics), (m) => ((m.validation_split.network.roc_auc += 1e-6), m)) },
  { name: 'JSON: a count off by one', target: metrics, mutate: (f) => editJson(f.run(metrics), (m) => ((m.data.rows += 1), m)) },
  { name: 'JSON: a sign flip', target: metrics, mutate: (f) => editJson(f.run(metrics), (m) => ((m.first_5000.logistic_regression.coefficients.G8 *= -1), m)) },
  { name: 'JSON: a renamed key', target: metrics, mutate: (f) => editText(f.run(metrics), (t) => replaceOnce(t, '"positives"', '"positive"')) },
  { name: 'JSON: a removed key', target: metrics, mutate: (f) => editJson(f.run(metrics), (m) => (delete m.data.features, m)) },
  { name: 'JSON: an added key', target: metrics, mutate: (f) => editJson(f.run(metrics), (m) => ((m.data.extra = 1), m)) },
  { name: 'JSON: a number turned into a string', target: metrics, mutate: (f) => editJson(f.run(metrics), (m) => ((m.data.rows = String(m.data.rows)), m)) },
  { name: 'JSON: null where a number was', target: metrics, mutate: (f) => editJson(f.run(metrics), (m) => ((m.validation_split.network.log_loss = null), m)) },
  { name: 'JSON: a string value changed', target: metrics, mutate: (f) => editJson(f.run(metrics), (m) => ((m.model.optimizer = 'Adam'), m)) },
  { name: 'JSON: an array item dropped', target: metrics, mutate: (f) => editJson(f.run(metrics), (m) => (m.model.layers.pop(), m)) },
  { name: 'JSON: two array items swapped', target: metrics, mutate: (f) => editJson(f.run(metrics), (m) => ((m.model.layers = [m.model.layers[1], m.model.layers[0], ...m.model.layers.slice(2)]), m)) },
  { name: 'JSON: a truncated file (invalid JSON)', target: metrics, mutate: (f) => truncateSync(f.run(metrics), 100) },
  { name: 'JSON: an empty file', target: modelJson, mutate: (f) => writeFileSync(f.run(modelJson), '') },
  { name: 'JSON: a layer size changed in model.json', target: modelJson, mutate: (f) => editText(f.run(modelJson), (t) => replaceOnce(t, '"units": 64', '"units": 32')) },
  // binary
  { name: 'binary: one byte of weights.bin changed', target: weights, mutate: (f) => { const b = readFileSync(f.run(weights)); b[1000] ^= 1; writeFileSync(f.run(weights), b); } },
  { name: 'binary: weights.bin truncated by one byte', target: weights, mutate: (f) => truncateSync(f.run(weights), readFileSync(f.committed(weights)).length - 1) },
  { name: 'binary: a byte appended', target: blob, mutate: (f) => appendFileSync(f.run(blob), Buffer.from([0])) },
  // text
  { name: 'text: a number beyond tolerance', target: log, mutate: (f) => editText(f.run(log), (t) => replaceOnce(t, '0.8123', '0.8124')) },
  { name: 'text: a word changed', target: log, mutate: (f) => editText(f.run(log), (t) => replaceOnce(t, 'done', 'failed')) },
  { name: 'text: a line removed', target: log, mutate: (f) => editText(f.run(log), (t) => replaceOnce(t, 'done\n', '')) },
  // notebooks
  { name: "notebook: an output's number changed", target: scNotebook, mutate: (f) => editText(f.run(scNotebook), (t) => replaceOnce(t, 'ProtossFirstExpansion    0.247', 'ProtossFirstExpansion    0.248')) },
  { name: 'notebook: an output line removed', target: scNotebook, mutate: (f) => editJson(f.run(scNotebook), (nb) => (nb.cells[13].outputs[0].text.splice(2, 1), nb), 1) },
  { name: 'notebook: an output dropped', target: gmNotebook, mutate: (f) => editJson(f.run(gmNotebook), (nb) => (nb.cells[16].outputs.pop(), nb), 1) },
  { name: 'notebook: a stream turned into an error', target: scNotebook, mutate: (f) => editJson(f.run(scNotebook), (nb) => ((nb.cells[17].outputs[0] = { output_type: 'error', ename: 'Error', evalue: 'boom', traceback: [] }), nb), 1) },
  { name: 'notebook: a cell source edited', target: gmNotebook, mutate: (f) => editJson(f.run(gmNotebook), (nb) => ((nb.cells[3].source = [...[nb.cells[3].source].flat(), '\n// edited']), nb), 1) },
  { name: 'notebook: a number in an output line beyond tolerance (rows)', target: gmNotebook, mutate: (f) => editText(f.run(gmNotebook), (t) => replaceOnce(t, '22905 rows, 10 features', '22906 rows, 10 features')) },
  { name: 'notebook: an embedded SVG figure’s label changed', target: gmNotebook, mutate: (f) => editText(f.run(gmNotebook), (t) => replaceOnce(t, /\(AUC 0\.(\d+)\)<\/text>/, '(AUC 0.9$1)</text>')) },
  // volatile output: cell rules, masks, ignore tags
  { name: 'cell rules: a changed result next to a masked timing (165580141 → 200000000)', target: timingNotebook, mutate: (f) => realRerun(f, (t) => replaceOnce(t, '165580141 (took', '200000000 (took')) },
  { name: 'cell rules: the timing written in seconds (the mask matches one side only)', target: timingNotebook, mutate: (f) => realRerun(f, (t) => replaceOnce(t, 'took 1324ms', 'took 1.3s')) },
  { name: 'cell rules: a result changed in a cell no rule selects (naiveFib(20))', target: timingNotebook, mutate: (f) => realRerun(f, (t) => replaceOnce(t, '"10946\\n"', '"10947\\n"')) },
  { name: 'cell rules: the masked cell’s output removed', target: timingNotebook, mutate: (f) => editJson(f.run(timingNotebook), (nb) => ((nb.cells[2].outputs = []), nb), 1) },
  { name: 'cell rules: the source of the nbval-ignore-output cell edited', target: timingNotebook, mutate: (f) => editJson(f.run(timingNotebook), (nb) => ((nb.cells[4].source = ["console.log('ran at', Date.now());"]), nb), 1) },
  { name: 'text mask: a changed result next to a masked timing in a log', target: timingLog, mutate: (f) => editText(f.run(timingLog), (t) => replaceOnce(t, '165580141 (took 2047ms)', '165580142 (took 1324ms)')) },
  // files
  { name: 'files: a committed file removed', target: imp, mutate: (f) => rmSync(f.run(imp)) },
  { name: 'files: a file added', target: `${SC}/extra.csv`, mutate: (f) => writeFileSync(f.run(`${SC}/extra.csv`), 'a\n1\n') },
  { name: 'files: a file added in a new sub-folder', target: `${GM}/model/more/w.bin`, mutate: (f) => { mkdirSync(f.run(`${GM}/model/more`)); writeFileSync(f.run(`${GM}/model/more/w.bin`), 'x'); } },
  { name: 'files: a file renamed', target: [imp, `${SC}/importances.csv`], mutate: (f) => renameSync(f.run(imp), f.run(`${SC}/importances.csv`)) },
  { name: 'files: a folder removed', target: [modelJson, weights], mutate: (f) => rmSync(f.run(`${GM}/model`), { recursive: true }) },
  // figures
  { name: 'PNG: a painted 30×30 block', target: accPng, mutate: (f) => editPng(f.run(accPng), (png) => paint(png, 400, 300, 30, 30, [0, 0, 0])) },
  { name: 'PNG: a painted 3×3 block (larger than region 4)', target: rocPng, mutate: (f) => editPng(f.run(rocPng), (png) => paint(png, 500, 500, 3, 3, [255, 0, 0])) },
  { name: 'PNG: a changed label (0.95 → 0.96)', target: chart, mutate: (f) => writeFileSync(f.run(chart), chartPng({ label: '0.96' })) },
  { name: 'PNG: a moved marker (6 px right)', target: chart, mutate: (f) => writeFileSync(f.run(chart), chartPng({ marker: [66, 50] })) },
  { name: 'PNG: a moved marker (1 px down)', target: chart, mutate: (f) => writeFileSync(f.run(chart), chartPng({ marker: [60, 51] })) },
  { name: 'PNG: cropped by one row', target: chart, mutate: (f) => { const png = PNG.sync.read(readFileSync(f.run(chart))); const out = new PNG({ width: png.width, height: png.height - 1 }); png.data.copy(out.data, 0, 0, out.data.length); writeFileSync(f.run(chart), PNG.sync.write(out)); } },
  { name: 'PNG: a truncated file', target: accPng, mutate: (f) => truncateSync(f.run(accPng), 5000) },
  { name: 'SVG: a changed label (AUC 0.7506 → 0.7509)', target: rocSvg, mutate: (f) => editText(f.run(rocSvg), (t) => replaceOnce(t, '(AUC 0.7506)</text>', '(AUC 0.7509)</text>')) },
  { name: 'SVG: a changed title', target: accSvg, mutate: (f) => editText(f.run(accSvg), (t) => replaceOnce(t, 'Protoss vs. Terran</text>', 'Protoss vs. Zerg</text>')) },
  { name: 'SVG: a moved legend symbol', target: accSvg, mutate: (f) => editText(f.run(accSvg), (t) => replaceOnce(t, 'translate(6,6)" d="M-5,0L5,0"', 'translate(6,9)" d="M-5,0L5,0"')) },
  { name: 'SVG: a moved marker (circle cx +6)', target: chartSvgPath, mutate: (f) => editText(f.run(chartSvgPath), (t) => replaceOnce(t, 'cx="60"', 'cx="66"')) },
  { name: 'SVG: a changed colour', target: chartSvgPath, mutate: (f) => editText(f.run(chartSvgPath), (t) => replaceOnce(t, '#e45756', '#4c78a8')) },
  // links and special files
  { name: 'special: a symlink to the committed file itself', target: acc, mutate: (f) => replaceWith(f.run(acc), (p) => symlinkSync(f.committed(acc), p)) },
  { name: 'special: a relative symlink to a sibling copy (the copy is an extra file)', target: [imp, `${SC}/.imp`], mutate: (f) => { cpSync(f.run(imp), f.run(`${SC}/.imp`)); replaceWith(f.run(imp), (p) => symlinkSync('.imp', p)); } },
  { name: 'special: a symlink to /dev/zero', target: weights, mutate: (f) => replaceWith(f.run(weights), (p) => symlinkSync('/dev/zero', p)) },
  { name: 'special: a symlink to a FIFO', target: metrics, mutate: (f) => { mkfifo(f.run('fifo')); replaceWith(f.run(metrics), (p) => symlinkSync(f.run('fifo'), p)); } },
  { name: 'special: a FIFO in place of a file', target: log, mutate: (f) => replaceWith(f.run(log), mkfifo) },
  { name: 'special: a socket in place of a file', target: blob, mutate: (f) => replaceWith(f.run(blob), socketAt) },
  { name: 'special: an extra FIFO', target: `${SC}/pipe.csv`, mutate: (f) => mkfifo(f.run(`${SC}/pipe.csv`)) },
  { name: 'special: a symlink to the committed file under an informational rule', target: timing, mutate: (f) => replaceWith(f.run(timing), (p) => symlinkSync(f.committed(timing), p)) },
  { name: 'special: a sub-folder replaced by a link to the committed one (its files missing)', target: [`${GM}/model`, modelJson, weights], mutate: (f) => replaceWith(f.run(`${GM}/model`), (p) => symlinkSync(f.committed(`${GM}/model`), p)) },
];

const mustPass: Mutation[] = [
  // tables
  { name: 'CSV: CRLF line endings', target: acc, mutate: (f) => editText(f.run(acc), (t) => t.replace(/\n/g, '\r\n')) },
  { name: 'CSV: no final newline', target: acc, mutate: (f) => editText(f.run(acc), (t) => t.replace(/\n$/, '')) },
  { name: 'CSV: 0.316901 written as 3.16901e-1', target: acc, mutate: (f) => editCell(f.run(acc), 1, 'accuracy', () => '3.16901e-1') },
  { name: 'CSV: trailing zeros added (0.316901 → 0.31690100)', target: acc, mutate: (f) => editCell(f.run(acc), 1, 'accuracy', (old) => `${old}00`) },
  { name: 'CSV: trailing zeros dropped (0.000000 → 0)', target: acc, mutate: (f) => editCell(f.run(acc), 1, 'minutes', () => '0') },
  { name: 'CSV: an integer written as 855.0', target: acc, mutate: (f) => editCell(f.run(acc), 1, 'n_train', () => '855.0') },
  { name: 'CSV: +855 for 855', target: acc, mutate: (f) => editCell(f.run(acc), 1, 'n_train', () => '+855') },
  { name: 'CSV: -0 for 0', target: acc, mutate: (f) => editCell(f.run(acc), 1, 'frame', () => '-0') },
  { name: 'CSV: a number within rtol (rel 3e-10)', target: acc, mutate: (f) => editCell(f.run(acc), 1, 'accuracy', () => '0.3169010001') },
  { name: 'CSV: a quoted text cell', target: acc, mutate: (f) => editCell(f.run(acc), 1, 'model', (old) => `"${old}"`) },
  { name: 'CSV: 0.001 written as 1e-3 and 1e-3 as 0.001', target: table, mutate: (f) => editText(f.run(table), (t) => replaceOnce(replaceOnce(t, '0.001', 'X'), '1e-3', '0.001').replace('X', '1e-3')) },
  { name: 'CSV: 1000000 written as 1e6 and 0.00002 as 2E-5', target: table, mutate: (f) => editText(f.run(table), (t) => replaceOnce(replaceOnce(t, '1000000', '1e6'), '0.00002', '2E-5')) },
  { name: 'CSV: 3.0 written as 3', target: table, mutate: (f) => editText(f.run(table), (t) => replaceOnce(t, '3.0,', '3,')) },
  { name: 'CSV: an informational file changed beyond tolerance (timing.csv)', target: timing, mutate: (f) => editText(f.run(timing), (t) => t.replace(/^(this run,boosted_trees,)[\d.]+$/m, (_, row: string) => `${row}9999.999`)) },
  { name: 'TSV: CRLF line endings', target: tsv, mutate: (f) => editText(f.run(tsv), (t) => t.replace(/\n/g, '\r\n')) },
  // JSON
  { name: 'JSON: keys in reverse order at every level', target: metrics, mutate: (f) => editJson(f.run(metrics), reverseKeys) },
  { name: 'JSON: minified', target: metrics, mutate: (f) => editJson(f.run(metrics), (m) => m, 0) },
  { name: 'JSON: indented with a tab', target: modelJson, mutate: (f) => editJson(f.run(modelJson), (m) => m, '\t') },
  { name: 'JSON: 22905 written as 22905.0 and 0.819924 as 8.19924e-1', target: metrics, mutate: (f) => editText(f.run(metrics), (t) => replaceOnce(replaceOnce(t, '22905,', '22905.0,'), '0.819924', '8.19924e-1')) },
  { name: 'JSON: a number within rtol', target: metrics, mutate: (f) => editText(f.run(metrics), (t) => replaceOnce(t, '0.819924', '0.8199240001')) },
  { name: 'JSON: CRLF line endings', target: metrics, mutate: (f) => editText(f.run(metrics), (t) => t.replace(/\n/g, '\r\n')) },
  // notebooks
  { name: 'notebook: reindented (4 spaces)', target: scNotebook, mutate: (f) => editJson(f.run(scNotebook), (nb) => nb, 4) },
  { name: 'notebook: minified', target: gmNotebook, mutate: (f) => editJson(f.run(gmNotebook), (nb) => nb, 0) },
  { name: 'notebook: execution counts and metadata changed', target: scNotebook, mutate: (f) => editJson(f.run(scNotebook), (nb) => { nb.metadata = { ...nb.metadata, repro: { ranAt: '2031-01-01T00:00:00Z' } }; nb.cells.forEach((c: any) => { if (c.cell_type === 'code') c.execution_count = (c.execution_count ?? 0) + 100; c.metadata = { ...c.metadata, execution: { started: 'later' } }; }); return nb; }, 1) },
  { name: 'notebook: stream text as one string instead of lines', target: scNotebook, mutate: (f) => editJson(f.run(scNotebook), (nb) => { for (const c of nb.cells) for (const o of c.outputs ?? []) if (Array.isArray(o.text)) o.text = o.text.join(''); return nb; }, 1) },
  { name: 'notebook: keys in reverse order', target: gmNotebook, mutate: (f) => editJson(f.run(gmNotebook), reverseKeys, 1) },
  { name: 'notebook: an output number within rtol', target: scNotebook, mutate: (f) => editText(f.run(scNotebook), (t) => replaceOnce(t, 'test rows at minute 0: 284', 'test rows at minute 0: 284.0000000001')) },
  // figures
  { name: 'PNG: re-encoded, zlib level 0, no filter', target: accPng, mutate: (f) => editPng(f.run(accPng), () => {}, { deflateLevel: 0, filterType: 0 }) },
  { name: 'PNG: re-encoded, zlib level 9, Paeth filter', target: rocPng, mutate: (f) => editPng(f.run(rocPng), () => {}, { deflateLevel: 9, filterType: 4 }) },
  { name: 'PNG: re-encoded, zlib level 1, Sub filter', target: chart, mutate: (f) => editPng(f.run(chart), () => {}, { deflateLevel: 1, filterType: 1 }) },
  { name: 'PNG: every colour moved by 1/255 (below threshold 0.1)', target: chart, mutate: (f) => editPng(f.run(chart), (png) => { for (let i = 0; i < png.data.length; i += 4) png.data[i] = png.data[i] === 255 ? 254 : png.data[i] + 1; }) },
  { name: 'PNG: one pixel changed (a region of 1, within region 4)', target: accPng, mutate: (f) => editPng(f.run(accPng), (png) => paint(png, 401, 301, 1, 1, [0, 0, 0])) },
  { name: 'SVG: whitespace between tags and CRLF', target: accSvg, mutate: (f) => editText(f.run(accSvg), (t) => t.replace(/></g, '>\r\n  <')) },
  { name: 'SVG: an XML prolog and a comment', target: rocSvg, mutate: (f) => editText(f.run(rocSvg), (t) => `<?xml version="1.0" encoding="UTF-8"?>\n<!-- drawn again -->\n${t}`) },
  { name: 'SVG: an attribute that draws nothing changed (aria-roledescription)', target: chartSvgPath, mutate: (f) => editText(f.run(chartSvgPath), (t) => replaceOnce(t, '<circle ', '<circle aria-roledescription="marker" ')) },
  // volatile output: cell rules, masks, ignore tags
  { name: 'cell rules: the real re-run (took 2047 → 1324 ms, slept 52 → 51 ms, another clock in the nbval-ignore-output cell)', target: timingNotebook, mutate: (f) => realRerun(f) },
  { name: 'cell rules: the nbval-ignore-output cell printing something else entirely', target: timingNotebook, mutate: (f) => editJson(f.run(timingNotebook), (nb) => ((nb.cells[4].outputs = [{ output_type: 'stream', name: 'stderr', text: ['clock unavailable\n'] }]), nb), 1) },
  { name: 'text mask: a log with other timings', target: timingLog, mutate: (f) => editText(f.run(timingLog), (t) => replaceOnce(replaceOnce(t, 'took 2047ms', 'took 1324ms'), 'took 0ms', 'took 1ms')) },
  // text and files
  { name: 'text: CRLF line endings', target: log, mutate: (f) => editText(f.run(log), (t) => t.replace(/\n/g, '\r\n')) },
  { name: 'text: a number within rtol', target: log, mutate: (f) => editText(f.run(log), (t) => replaceOnce(t, '0.8123', '0.81230000001')) },
  { name: 'files: a touched mtime', target: weights, sameBytes: true, mutate: (f) => utimesSync(f.run(weights), new Date(0), new Date(0)) },
  { name: 'files: a different mode (0600)', target: blob, sameBytes: true, mutate: (f) => chmodSync(f.run(blob), 0o600) },
];

describe('the mutation suite: the run folder before any change', () => {
  it('verifies clean against the committed results', async () => {
    const run = join(root, 'clean');
    for (const folder of [...outputs, HUGE]) cpSync(join(project, folder), join(run, folder), { recursive: true });
    const { files, passed } = await verifyRunFolder({ projectDir: project, runFolder: run, outputs: [...outputs, HUGE], rules, reportDir: join(root, 'report-clean') });
    expect(files.filter(fails)).toEqual([]);
    expect(passed).toBe(true);
    expect(files.length).toBeGreaterThan(20);
  });
});

describe('must-fail: verify reports the change', () => {
  it.each(mustFail)('$name', async (mutation) => expectCaught(mutation), 30_000);
});

describe('must-pass: verify forgives the change', () => {
  it.each(mustPass)('$name', async (mutation) => expectForgiven(mutation), 30_000);
});

// Past the streaming limits: tables are read row by row, anything else compared by sha256.
const big = { bin: `${HUGE}/big.bin`, csv: `${HUGE}/big.csv`, json: `${HUGE}/big.json` };
const hugeFail: Mutation[] = [
  { name: 'huge binary (over 16 MB): one byte changed in the middle', target: big.bin, mutate: (f) => { const b = readFileSync(f.run(big.bin)); b[b.length >> 1] ^= 0x40; writeFileSync(f.run(big.bin), b); } },
  { name: 'huge binary: truncated by one byte', target: big.bin, mutate: (f) => truncateSync(f.run(big.bin), readFileSync(f.committed(big.bin)).length - 1) },
  { name: 'huge binary: emptied', target: big.bin, mutate: (f) => writeFileSync(f.run(big.bin), '') },
  { name: 'huge JSON (by sha256): one digit changed', target: big.json, mutate: (f) => { const b = readFileSync(f.run(big.json)); const i = b.indexOf('7', b.length >> 1); b[i] = '8'.charCodeAt(0); writeFileSync(f.run(big.json), b); } },
  { name: 'huge CSV (streamed): one value beyond tolerance', target: big.csv, mutate: (f) => editText(f.run(big.csv), (t) => t.replace(/\n(50000,0\.\d)/, (_, cell: string) => `\n${cell}9`)) },
  { name: 'huge CSV: a row deleted', target: big.csv, mutate: (f) => editText(f.run(big.csv), (t) => replaceOnce(t, /\n60000,[^\n]*/, '')) },
  { name: 'huge CSV: a label changed near the end', target: big.csv, mutate: (f) => editText(f.run(big.csv), (t) => t.slice(0, -3) + 'x' + t.slice(-2)) },
  { name: 'huge CSV: truncated', target: big.csv, mutate: (f) => truncateSync(f.run(big.csv), tableInMemoryLimit + 10) },
];
const hugePass: Mutation[] = [
  { name: 'huge CSV: CRLF line endings', target: big.csv, mutate: (f) => editText(f.run(big.csv), (t) => t.replace(/\n/g, '\r\n')) },
  { name: 'huge CSV: a number within rtol', target: big.csv, mutate: (f) => editText(f.run(big.csv), (t) => t.replace(/\n(50000,0\.\d+)/, (_, cell: string) => `\n${cell}0000001`)) },
];

describe('huge files, one change each', () => {
  it.each(hugeFail)('must fail: $name', async (mutation) => expectCaught(mutation, [HUGE]), 60_000);
  it.each(hugePass)('must pass: $name', async (mutation) => expectForgiven(mutation, [HUGE]), 60_000);
});
