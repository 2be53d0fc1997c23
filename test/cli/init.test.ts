// `repro init` through the real command line: it writes a research.yaml that loads, never over one (--force to
// replace, --print to show and write nothing), and refuses bad arguments with exit 2.
import { cp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifest } from '../../src/manifest/load.ts';
import { repoRoot, runRepro, tempDir } from '../manifest/helpers.ts';

/** A copy of a sample repository without its research.yaml. */
async function sampleWithoutManifest(name: string): Promise<string> {
  const dir = path.join(await tempDir(), name);
  await cp(path.join(repoRoot, 'test', 'fixtures', 'repos', name), dir, { recursive: true });
  await rm(path.join(dir, 'research.yaml'));
  return dir;
}

describe('repro init', () => {
  it('writes a commented research.yaml that loads, and says what it found and what to do next', async () => {
    const dir = await sampleWithoutManifest('python');
    const result = await runRepro(['-C', dir, 'init']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(
      [
        'research.yaml written: 1 notebook (python3), 3 Debian packages, 1 data file to pin, 0 verify rules',
        '  notebooks/temperature.ipynb → results/temperature',
        '1 TODO for you in research.yaml.',
        'Next: read it, then repro lock && repro build && repro verify',
        '',
      ].join('\n'),
    );
    const { manifest, text } = await loadManifest(dir);
    expect(manifest).toMatchObject({
      name: 'python',
      environment: { kernels: ['python3'], apt: ['python3-matplotlib', 'python3-numpy', 'python3-pandas'] },
      entrypoints: [{ notebook: 'notebooks/temperature.ipynb', outputs: 'results/temperature' }],
      data: [],
    });
    expect(text).toContain('    - python3-pandas # pandas (imported in notebooks/temperature.ipynb)\n');
    expect(text).toMatch(/^# {3}- path: data\/temperatures\.csv # in data\/; 1\.0 kB\n# {5}url: https:\/\/TODO\n# {5}sha256: [0-9a-f]{64}$/m);
  });

  it('never overwrites research.yaml: exit 2 with the way out, the file unchanged', async () => {
    const dir = await sampleWithoutManifest('jslab');
    await writeFile(path.join(dir, 'research.yaml'), 'name: mine # hand-written\n');
    const result = await runRepro(['-C', dir, 'init']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `repro: research.yaml already exists in ${dir}; repro init never overwrites it\n` +
        '  See what init would write with `repro init --print`, or replace the file with `repro init --force`.\n',
    );
    expect(await readFile(path.join(dir, 'research.yaml'), 'utf8')).toBe('name: mine # hand-written\n');
  });

  it('--print shows the research.yaml on stdout and writes nothing, even beside an existing one', async () => {
    const dir = await sampleWithoutManifest('jslab');
    const before = (await readdir(dir)).sort();
    const printed = await runRepro(['-C', dir, 'init', '--print']);
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toMatch(/^# research\.yaml: written by `repro init`/);
    expect(printed.stdout).toContain('  - notebook: walk.ipynb # jslab kernel\n    outputs: results/walk # where its code writes when REPRO_OUTPUTS is unset\n');
    expect(printed.stderr).toContain('research.yaml proposed: 1 notebook (jslab)');
    expect((await readdir(dir)).sort()).toEqual(before);

    await writeFile(path.join(dir, 'research.yaml'), 'name: mine\n');
    const again = await runRepro(['-C', dir, 'init', '--print']);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(printed.stdout);
    expect(await readFile(path.join(dir, 'research.yaml'), 'utf8')).toBe('name: mine\n');
  });

  it('--force replaces research.yaml with what --print shows', async () => {
    const dir = await sampleWithoutManifest('r');
    await writeFile(path.join(dir, 'research.yaml'), 'name: old\n');
    const printed = await runRepro(['-C', dir, 'init', '--print']);
    const forced = await runRepro(['-C', dir, 'init', '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toMatch(/^research\.yaml replaced: 1 notebook \(ir\), 1 Debian package, 0 data files to pin/);
    expect(await readFile(path.join(dir, 'research.yaml'), 'utf8')).toBe(printed.stdout);
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses --engine without --discover, and a project folder that is not there (exit 2)', async () => {
    const dir = await sampleWithoutManifest('tslab');
    const engine = await runRepro(['-C', dir, 'init', '--engine', 'local']);
    expect(engine.code).toBe(2);
    expect(engine.stderr).toContain('repro: --engine says where --discover runs the notebooks, and --discover was not given');
    const missing = await runRepro(['-C', path.join(dir, 'nope'), 'init']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`repro: ${path.join(dir, 'nope')} is not a folder`);
    await expect(readFile(path.join(dir, 'research.yaml'))).rejects.toThrow();
  });

  it('--discover --engine local says loudly that the notebooks run on this machine, and records what they wrote', async () => {
    const dir = await sampleWithoutManifest('jslab');
    const result = await runRepro(['-C', dir, 'init', '--discover', '--engine', 'local']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('repro init --discover --engine local: every notebook runs twice on this machine, with your rights and no container: only for code you trust');
    const { text } = await loadManifest(dir);
    expect(text).toContain('    # --discover: wrote walk.csv under REPRO_OUTPUTS (kept here, with the executed notebook)\n    # --discover: the two runs wrote the same bytes\n');
    // The scratch copy's runs left nothing in the repository.
    expect((await readdir(dir)).sort()).toEqual(['README.md', 'research.yaml', 'walk.ipynb']);
  });
});
