// End to end on sample repositories as strangers write them (test/fixtures/repos/<case>/: a tslab, a jslab, a
// Python and an R notebook saved by Jupyter with stale outputs, no package.json naming repro or tslab), through the
// command line as a user meets it: lock, build, run with a -p override, verify with nothing committed, accept,
// verify twice, `docker run IMAGE`, and a changed committed number caught. Needs a Docker engine: fails in CI
// without one, skips elsewhere.
import { chmod, cp, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireEngine } from '../helpers/engine.ts';
import { command, git, said, type Result } from '../helpers/command.ts';

const repoRoot = join(import.meta.dirname, '..', '..');
const bin = join(repoRoot, 'bin', 'repro.js');
const engineAnswers = await requireEngine();

interface SampleCase {
  name: string;
  /** The entrypoint and the folder it writes, as in the fixture's research.yaml. */
  notebook: string;
  outputs: string;
  kernel: string;
  language: string;
  /** Every file a run writes into the outputs folder, the executed notebook included. */
  files: string[];
  /** One -p override and what it must change in the outputs (folder given). */
  param: [string, string];
  recorded: Record<string, unknown>;
  expectOverride(outputs: string): Promise<void>;
  /** The committed CSV whose number the last test changes. */
  csv: string;
}

const lines = async (file: string) => (await readFile(file, 'utf8')).trimEnd().split('\n');

const cases: SampleCase[] = [
  {
    name: 'tslab',
    notebook: 'notebooks/analysis.ipynb',
    outputs: 'results/analysis',
    kernel: 'tslab',
    language: 'typescript',
    files: ['analysis.ipynb', 'metrics.json', 'summary.csv'],
    param: ['scale', '1'],
    recorded: { scale: 1 },
    async expectOverride(outputs) {
      const metrics = JSON.parse(await readFile(join(outputs, 'metrics.json'), 'utf8'));
      expect(metrics).toMatchObject({ scale: 1, seed: 42, resamples: 500 });
      // input.csv beside the notebook, read as ./input.csv and not rescaled to mm: control plots average 12.3 cm.
      expect((await lines(join(outputs, 'summary.csv')))[1]).toMatch(/^control,6,12\.3,/);
    },
    csv: 'summary.csv',
  },
  {
    name: 'jslab',
    notebook: 'walk.ipynb',
    outputs: 'results/walk',
    kernel: 'jslab',
    language: 'javascript',
    files: ['walk.csv', 'walk.ipynb'],
    param: ['steps', '30'],
    recorded: { steps: 30 },
    async expectOverride(outputs) {
      const walk = await lines(join(outputs, 'walk.csv'));
      expect(walk[0]).toBe('step,position');
      expect(walk.at(-1)).toMatch(/^30,-?\d+$/);
      expect(walk).toHaveLength(32);
    },
    csv: 'walk.csv',
  },
  {
    name: 'python',
    notebook: 'notebooks/temperature.ipynb',
    outputs: 'results/temperature',
    kernel: 'python3',
    language: 'python',
    files: ['rolling.csv', 'summary.csv', 'temperature.ipynb', 'temperature.png'],
    param: ['window', '5'],
    recorded: { window: 5 },
    async expectOverride(outputs) {
      expect((await lines(join(outputs, 'rolling.csv')))[0]).toBe('station,month,temp_c,rolling_5');
      expect((await readFile(join(outputs, 'temperature.png'))).subarray(1, 4).toString()).toBe('PNG');
    },
    csv: 'summary.csv',
  },
  {
    name: 'r',
    notebook: 'notebooks/toothgrowth.ipynb',
    outputs: 'results/toothgrowth',
    kernel: 'ir',
    language: 'R',
    files: ['length-by-dose.png', 'summary.csv', 'toothgrowth.ipynb'],
    param: ['supplement', 'OJ'],
    recorded: { supplement: 'OJ' },
    async expectOverride(outputs) {
      const summary = await lines(join(outputs, 'summary.csv'));
      expect(summary[0]).toBe('"supp","dose","n","mean_len","ci_low","ci_high"');
      expect(summary.slice(1).map((row) => row.split(',')[0])).toEqual(['"OJ"', '"OJ"', '"OJ"']);
      expect((await readFile(join(outputs, 'length-by-dose.png'))).subarray(1, 4).toString()).toBe('PNG');
    },
    csv: 'summary.csv',
  },
];

/** The summary-table row of one file, columns collapsed to ` | `. */
const row = (stdout: string, path: string) =>
  stdout
    .split('\n')
    .find((line) => line.startsWith(`${path} `))
    ?.replace(/\s{2,}/g, ' | ');

// Each step runs notebooks in containers; on two shared cores a verify can take a minute or more.
describe.runIf(engineAnswers).each(cases)('sample repository $name', { timeout: 5 * 60_000 }, (sample) => {
  let root: string;
  let dir: string;
  let tag: string;
  let locked: Result;
  let built: Result;
  const repro = (...args: string[]) => command(process.execPath, [bin, '-C', dir, ...args], dir);

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), `repro-e2e-${sample.name}-`));
    dir = join(root, sample.name);
    await cp(join(repoRoot, 'test', 'fixtures', 'repos', sample.name), dir, { recursive: true });
    // A user's clone is readable by others, as the container's non-root user needs.
    await chmod(root, 0o755);
    await git(dir, 'init', '-q', '-b', 'main');
    await git(dir, 'add', '-A');
    await git(dir, 'commit', '-q', '-m', 'The analysis');
    locked = await repro('lock');
    if (locked.code !== 0) return;
    await git(dir, 'add', 'research.lock');
    await git(dir, 'commit', '-q', '-m', 'repro lock');
    built = await repro('build', '--json');
    if (built.code === 0) tag = (JSON.parse(built.stdout) as { tag: string }).tag;
  }, 15 * 60_000);

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('locks and builds an image, with no package.json naming repro or tslab', async () => {
    expect(locked.code, said(locked)).toBe(0);
    const lock = await readFile(join(dir, 'research.lock'), 'utf8');
    expect(lock.length).toBeGreaterThan(0);
    expect(built.code, said(built)).toBe(0);
    expect(tag).toMatch(new RegExp(`^repro/sample-${sample.name}:[0-9a-f]{16}$`));
    // A second build with nothing changed builds nothing.
    const again = await repro('build', '--json');
    expect(again.code, said(again)).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ tag, built: false });
  });

  it(`runs in the container with -p ${sample.param.join('=')} into --out, and the executed notebook records it`, async () => {
    const out = join(root, 'override');
    const result = await repro('run', '-p', sample.param.join('='), '--out', out);
    expect(result.code, said(result)).toBe(0);
    const outputs = join(out, sample.outputs);
    expect((await readdir(outputs)).sort()).toEqual(sample.files);
    await sample.expectOverride(outputs);

    const executed = JSON.parse(await readFile(join(outputs, sample.notebook.split('/').at(-1) ?? ''), 'utf8'));
    expect(executed.metadata.repro?.parameters).toEqual(sample.recorded);
    expect(executed.metadata.kernelspec.name).toBe(sample.kernel);
    expect(executed.metadata.language_info.name).toBe(sample.language);
    const injected = executed.cells.findIndex((cell: { metadata: { tags?: string[] } }) => cell.metadata.tags?.includes('injected-parameters'));
    expect(executed.cells[injected - 1].metadata.tags).toContain('parameters');
    const errors = executed.cells.flatMap((cell: { outputs?: { output_type: string }[] }) => cell.outputs ?? []).filter((o: { output_type: string }) => o.output_type === 'error');
    expect(errors).toEqual([]);
    // The committed results are untouched: there are none yet.
    await expect(stat(join(dir, sample.outputs))).rejects.toThrow();
  });

  it('verify with no committed results: exit 1, every output reported as not committed', async () => {
    const result = await repro('verify');
    expect(result.code, said(result)).toBe(1);
    for (const file of sample.files) expect(row(result.stdout, `${sample.outputs}/${file}`), result.stdout).toMatch(/EXTRA/);
    expect(result.stderr).toContain('differ from the committed results');
  });

  it('accepts the run, then verifies twice (exit 0 both)', async () => {
    const accepted = await repro('accept');
    expect(accepted.code, said(accepted)).toBe(0);
    for (const file of sample.files) expect(accepted.stdout).toContain(`added    ${sample.outputs}/${file}`);
    await git(dir, 'add', sample.outputs);
    expect((await git(dir, 'commit', '-q', '-m', 'Results')).code).toBe(0);

    for (const attempt of [1, 2]) {
      const result = await repro('verify');
      expect(result.code, `verify #${attempt}: ${said(result)}`).toBe(0);
      for (const file of sample.files) expect(row(result.stdout, `${sample.outputs}/${file}`), result.stdout).toBeDefined();
    }
  });

  it('docker run IMAGE re-runs every entrypoint (exit 0)', async () => {
    expect(tag, 'no image was built').toBeDefined();
    const result = await command('docker', ['run', '--rm', tag], dir);
    expect(result.code, said(result)).toBe(0);
    expect(result.stdout + result.stderr).toContain(`✓ ${sample.notebook}`);
  });

  it('catches one changed number in a committed CSV, naming the file (exit 1)', async () => {
    const path = `${sample.outputs}/${sample.csv}`;
    const csv = await lines(join(dir, path));
    // The last field of the first data row is a number in every sample: add one to it.
    const fields = csv[1].split(',');
    fields[fields.length - 1] = String(Number(fields.at(-1)) + 1);
    csv[1] = fields.join(',');
    await writeFile(join(dir, path), csv.join('\n') + '\n');
    const result = await repro('verify');
    expect(result.code, said(result)).toBe(1);
    expect(row(result.stdout, path), result.stdout).toMatch(/\| DIFFERS \|/);
    expect(result.stderr).toContain('1 file differs from the committed results beyond tolerance');
  });
});
