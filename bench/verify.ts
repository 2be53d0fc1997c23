// Times the diff phase of `repro verify` (compareTrees) on the committed results against a copy of them:
// faithful (what a passing verify does; limit 1 s), and a stress case with every file slightly changed so
// every comparer parses, renders and diffs (reported, no limit). Uses the verify fixture while results/ is empty.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
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
const header = ['case', 'files', 'size', 'not identical', 'diff', 'report.html', `< ${limitMs} ms`];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
for (const line of [header, widths.map((w) => '-'.repeat(w)), ...rows]) console.log(line.map((c, i) => c.padEnd(widths[i])).join(' | '));
process.exit(over ? 1 : 0);
