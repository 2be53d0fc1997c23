// The must-show of `repro init`: on each sample repository (test/fixtures/repos/<case>/) with its research.yaml
// removed, `repro init --discover` (notebooks run twice in the container, in a scratch copy) writes a research.yaml
// with which `repro lock`, `repro build`, `repro run`, `repro verify` (after `repro accept`) pass, through the
// command line as a user meets it. Needs a Docker engine: fails in CI without one, skips elsewhere.
import { chmod, cp, mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadManifest } from '../../src/manifest/load.ts';
import { requireEngine } from '../helpers/engine.ts';
import { command, git, said, type Result } from '../helpers/command.ts';

const repoRoot = join(import.meta.dirname, '..', '..');
const bin = join(repoRoot, 'bin', 'repro.js');
const engineAnswers = await requireEngine();

interface SampleCase {
  name: string;
  /** Every file a run writes into the outputs folder, the executed notebook included. */
  files: string[];
  /** A line init must write: what it found in the repository. */
  found: string;
}

const cases: SampleCase[] = [
  { name: 'tslab', files: ['analysis.ipynb', 'metrics.json', 'summary.csv'], found: '    outputs: results/analysis # where its code writes when REPRO_OUTPUTS is unset' },
  { name: 'jslab', files: ['walk.csv', 'walk.ipynb'], found: '  - notebook: walk.ipynb # jslab kernel' },
  { name: 'python', files: ['rolling.csv', 'summary.csv', 'temperature.ipynb', 'temperature.png'], found: '    - python3-pandas # pandas (imported in notebooks/temperature.ipynb)' },
  { name: 'r', files: ['length-by-dose.png', 'summary.csv', 'toothgrowth.ipynb'], found: '    - ir # notebooks/toothgrowth.ipynb' },
];

describe.runIf(engineAnswers).each(cases)('repro init --discover on the sample repository $name', { timeout: 10 * 60_000 }, (sample) => {
  let root: string;
  let dir: string;
  let original: Awaited<ReturnType<typeof loadManifest>>['manifest'];
  let initialised: Result;
  const repro = (...args: string[]) => command(process.execPath, [bin, '-C', dir, ...args], dir);

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), `repro-e2e-init-${sample.name}-`));
    dir = join(root, sample.name);
    const fixture = join(repoRoot, 'test', 'fixtures', 'repos', sample.name);
    original = (await loadManifest(fixture)).manifest;
    await cp(fixture, dir, { recursive: true });
    await rm(join(dir, 'research.yaml'));
    await chmod(root, 0o755);
    await git(dir, 'init', '-q', '-b', 'main');
    await git(dir, 'add', '-A');
    await git(dir, 'commit', '-q', '-m', 'The analysis, with no research.yaml');
    initialised = await repro('init', '--discover');
  }, 15 * 60_000);

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('writes a research.yaml that loads, with the kernels and outputs the author chose, and changes nothing else', async () => {
    expect(initialised.code, said(initialised)).toBe(0);
    expect(initialised.stdout).toMatch(/^research\.yaml written: 1 notebook/);
    const { manifest, text } = await loadManifest(dir);
    expect(text).toContain(`${sample.found}\n`);
    expect(text).toContain('# --discover ran each notebook twice, in the container (repro/');
    expect(manifest.environment.kernels).toEqual(original.environment.kernels);
    expect(manifest.entrypoints).toEqual(original.entrypoints);
    expect(manifest.environment.apt).toEqual(expect.arrayContaining(original.environment.apt));
    // Both trial runs wrote the same bytes: no verify rule is needed.
    expect(manifest.verify).toEqual({});
    // The trial runs were in a scratch copy: the repository holds only research.yaml more.
    const status = await git(dir, 'status', '--porcelain', '--untracked-files=all');
    expect(status.stdout).toBe('?? research.yaml\n');
    await git(dir, 'add', 'research.yaml');
    await git(dir, 'commit', '-q', '-m', 'repro init --discover');
  });

  it('repro lock and repro build accept it', async () => {
    const locked = await repro('lock');
    expect(locked.code, said(locked)).toBe(0);
    const built = await repro('build', '--json');
    expect(built.code, said(built)).toBe(0);
    expect(JSON.parse(built.stdout).tag).toMatch(new RegExp(`^repro/${sample.name}:[0-9a-f]{16}$`));
  });

  it('repro run runs every entrypoint in the container', async () => {
    const out = join(root, 'run');
    const result = await repro('run', '--out', out);
    expect(result.code, said(result)).toBe(0);
    for (const entry of original.entrypoints) expect((await readdir(join(out, entry.outputs))).sort()).toEqual(sample.files);
  });

  it('repro verify passes after repro accept', async () => {
    const first = await repro('verify');
    expect(first.code, said(first)).toBe(1);
    expect(first.stderr).toContain('differ from the committed results');
    const accepted = await repro('accept');
    expect(accepted.code, said(accepted)).toBe(0);
    for (const entry of original.entrypoints) await stat(join(dir, entry.outputs));
    const verified = await repro('verify');
    expect(verified.code, said(verified)).toBe(0);
    expect(await readFile(join(dir, 'research.yaml'), 'utf8')).toContain('repro init');
  });
});
