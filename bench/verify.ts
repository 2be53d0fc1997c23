// Times the diff phase of `repro verify` (compareTrees) on the committed results against a copy of them:
// faithful (what a passing verify does; limit 1 s), and a stress case with every file slightly changed so
// every comparer parses, renders and diffs (reported, no limit). Uses the verify fixture while results/ is empty.
// Then time and peak memory for large CSVs (10 MB, 100 MB, 1 GB; `-- --quick` stops at 100 MB), each compared in a
// child process whose RSS high-water mark (VmHWM) is read at the end: an identical pair and one cell changed.
import { spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, cpSync, existsSync, fstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { formatBytes } from '../src/cli/progress.ts';
import { loadManifest } from '../src/manifest/load.ts';
import { kindOf } from '../src/verify/comparers/index.ts';
import { writeReport } from '../src/verify/report.ts';
import { compareTrees, listFiles } from '../src/verify/tree.ts';
import type { FileVerdict } from '../src/verify/types.ts';

const limitMs = 1000;
const repetitions = 5;
const repoRoot = fileURLToPath(new URL('..', import.meta.url));

async function chooseProject(): Promise<{ dir: string; label: string; outputs: string[]; rules: Record<string, object> }> {
  const { manifest } = await loadManifest(repoRoot);
  const outputs = manifest.entrypoints.map((e) => e.outputs);
  const files = (await Promise.all(outputs.map((o) => listFiles(repoRoot, o)))).flat();
  if (files.length > 0) return { dir: repoRoot, label: 'results/ (this repository)', outputs, rules: manifest.verify };
  const fixture = join(repoRoot, 'test/fixtures/verify/repo');
  const loaded = await loadManifest(fixture);
  return { dir: fixture, label: 'test fixture (results/ not committed yet)', outputs: loaded.manifest.entrypoints.map((e) => e.outputs), rules: loaded.manifest.verify };
}

/** A small change of the kind each comparer must look into (not just compare bytes). */
function perturb(path: string): void {
  const kind = kindOf(path);
  const bytes = readFileSync(path);
  if (kind === 'png') {
    const png = PNG.sync.read(bytes);
    png.data[0] ^= 0xff;
    writeFileSync(path, PNG.sync.write(png));
  } else if (kind === 'svg') {
    writeFileSync(path, bytes.toString('utf8').replace(/<\/svg>\s*$/, '<rect x="0" y="0" width="1" height="1" fill="red"/></svg>\n'));
  } else if (kind === 'csv' || kind === 'json' || kind === 'text' || kind === 'ipynb') {
    // The last digit changed: every number before it is still compared.
    const text = bytes.toString('utf8');
    const at = text.search(/\d(?=\D*$)/);
    writeFileSync(path, at < 0 ? text + ' ' : text.slice(0, at) + ((Number(text[at]) + 1) % 10) + text.slice(at + 1));
  } else if (bytes.length > 0) {
    bytes[bytes.length - 1] ^= 1;
    writeFileSync(path, bytes);
  }
}

async function time(run: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < repetitions; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

if (process.argv[2] === '--child') await child(process.argv[3], process.argv[4]);

/** In the child: compare one run folder with one committed folder, print verdict, time and peak RSS as JSON. */
async function child(committedRoot: string, rerunRoot: string): Promise<never> {
  const start = performance.now();
  const { files } = await compareTrees({ committedRoot, rerunRoot, outputs: ['results'], rules: { default: { rtol: 1e-9 } } });
  const ms = performance.now() - start;
  const hwmKb = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? process.resourceUsage().maxRSS);
  console.log(JSON.stringify({ ms, hwmKb, verdict: files[0]?.verdict ?? 'no file', largest: files[0]?.largest, notes: files[0]?.notes }));
  process.exit(0);
}

const project = await chooseProject();
const scratch = mkdtempSync(join(tmpdir(), 'repro-bench-verify-'));
const rows: string[][] = [];
let over = false;
try {
  const files = (await Promise.all(project.outputs.map((o) => listFiles(project.dir, o)))).flat();
  const bytes = files.reduce((sum, f) => sum + readFileSync(join(project.dir, f)).length, 0);
  for (const variant of ['faithful re-run', 'every file changed (stress)'] as const) {
    const run = join(scratch, variant.replace(/\W+/g, '-'));
    for (const output of project.outputs) if (existsSync(join(project.dir, output))) cpSync(join(project.dir, output), join(run, output), { recursive: true });
    const stress = variant !== 'faithful re-run';
    if (stress) for (const file of files) perturb(join(run, file));
    const compare = () => compareTrees({ committedRoot: project.dir, rerunRoot: run, outputs: project.outputs, rules: project.rules });
    let result: FileVerdict[] = [];
    const diffMs = await time(async () => (result = (await compare()).files));
    const reportMs = await time(() => writeReport(join(run, 'report'), result, { toolkitVersion: 'bench', imageId: null, lockHash: null, runFolder: run }));
    const ok = diffMs < limitMs;
    if (!stress) over ||= !ok;
    const failing = result.filter((f) => f.verdict !== 'identical').length;
    rows.push([variant, String(files.length), formatBytes(bytes), String(failing), `${diffMs.toFixed(0)} ms`, `${reportMs.toFixed(0)} ms`, stress ? (ok ? 'yes (no limit)' : 'no (no limit)') : ok ? 'yes' : 'NO']);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

console.log(`diff phase of repro verify on ${project.label}; median of ${repetitions}; load average ${loadavg()[0].toFixed(1)}\n`);
printTable(['case', 'files', 'size', 'not identical', 'diff', 'report.html', `< ${limitMs} ms`], rows);

const large = await largeCsvs(process.argv.includes('--quick') ? [10e6, 100e6] : [10e6, 100e6, 1e9]);
process.exit(over || !large ? 1 : 0);

/** The large-CSV table; false when a comparison's peak RSS went over the bound. */
async function largeCsvs(sizes: number[]): Promise<boolean> {
  const boundMb = 300;
  const folder = mkdtempSync(join(tmpdir(), 'repro-bench-csv-'));
  const table: string[][] = [];
  let within = true;
  try {
    const baseline = runChild(folder, folder);
    for (const size of sizes) {
      const committed = join(folder, 'committed');
      const file = join(committed, 'results/table.csv');
      mkdirSync(dirname(file), { recursive: true });
      const rows = writeTable(file, size, 42);
      for (const variant of ['identical', 'one cell changed'] as const) {
        const rerun = join(folder, variant.replace(/\W+/g, '-'));
        mkdirSync(join(rerun, 'results'), { recursive: true });
        copyFileSync(file, join(rerun, 'results/table.csv'));
        if (variant !== 'identical') changeOneCell(join(rerun, 'results/table.csv'));
        const result = runChild(committed, rerun);
        const peakMb = result.hwmKb / 1024;
        within &&= peakMb < boundMb;
        const deviation = result.largest ? `${result.largest.text} at ${result.largest.where}` : '';
        table.push([formatBytes(size), rows.toLocaleString('en'), variant, result.verdict, `${(result.ms / 1000).toFixed(1)} s`, `${peakMb.toFixed(0)} MB`, deviation]);
        rmSync(rerun, { recursive: true, force: true });
      }
      rmSync(committed, { recursive: true, force: true });
    }
    console.log(`\nlarge CSVs, each compared in a child process (its RSS high-water mark, VmHWM; comparing no file: ${(baseline.hwmKb / 1024).toFixed(0)} MB); bound ${boundMb} MB\n`);
    printTable(['size', 'rows', 'pair', 'verdict', 'time', 'peak RSS', 'largest deviation'], table);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  return within;
}

interface ChildResult {
  ms: number;
  hwmKb: number;
  verdict: string;
  largest?: { text: string; where: string };
}

function runChild(committedRoot: string, rerunRoot: string): ChildResult {
  const result = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', committedRoot, rerunRoot], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`the comparison failed:\n${result.stderr}`);
  const line = result.stdout.trim().split('\n').pop() ?? '';
  return line.startsWith('{') ? (JSON.parse(line) as ChildResult) : { ms: 0, hwmKb: 0, verdict: 'none' };
}

/** A table of about `bytes` bytes: an id, a label and six numbers per row, from a seeded generator (mulberry32). */
function writeTable(path: string, bytes: number, seed: number): number {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const labels = ['protoss', 'terran', 'zerg', 'random'];
  const fd = openSync(path, 'w');
  let written = writeSync(fd, 'id,label,a,b,c,d,e,f\n');
  let rows = 0;
  while (written < bytes) {
    let chunk = '';
    for (let i = 0; i < 10_000 && written + chunk.length < bytes; i++, rows++) {
      chunk += `${rows},${labels[Math.floor(random() * 4)]}`;
      for (let c = 0; c < 6; c++) chunk += `,${(random() * 1000).toFixed(6)}`;
      chunk += '\n';
    }
    written += writeSync(fd, chunk);
  }
  closeSync(fd);
  return rows;
}

/** Changes the last digit of the first number after the middle of the file: one cell, beyond rtol 1e-9. */
function changeOneCell(path: string): void {
  const fd = openSync(path, 'r+');
  const size = fstatSync(fd).size;
  const window = Buffer.alloc(256);
  const at = Math.floor(size / 2);
  readSync(fd, window, 0, window.length, at);
  const text = window.toString('latin1');
  let end = text.indexOf('.');
  while (/\d/.test(text[end + 1])) end++;
  const digit = Number(text[end]);
  writeSync(fd, String((digit + 1) % 10), at + end, 'latin1');
  closeSync(fd);
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const line of [header, widths.map((w) => '-'.repeat(w)), ...rows]) console.log(line.map((c, i) => c.padEnd(widths[i])).join(' | '));
}
