// The proposal as research.yaml: comments beside the fields, TODOs for the author, and a file that always loads.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Proposal } from '../../src/init/detect.ts';
import { renderManifest, wrap } from '../../src/init/write-yaml.ts';
import { parseManifest } from '../../src/manifest/load.ts';

const empty: Proposal = { name: 'empty', kernels: [], apt: [], aptTodo: [], data: [], entrypoints: [], unusable: [], verify: [], notes: [] };

const full: Proposal = {
  name: 'station-temperatures',
  kernels: ['ir', 'python3'],
  apt: [
    { package: 'python3-pandas', why: 'pandas (requirements.txt pins "pandas==2.1.0"; the image gets Debian\'s version, pinned in research.lock)' },
    { package: 'r-cran-ggplot2', why: 'ggplot2 (loaded in notebooks/plots.ipynb)' },
  ],
  aptTodo: ['polars (imported in notebooks/temperature.ipynb): no Debian package python3-polars (apt-cache on this machine, Debian GNU/Linux 12 (bookworm))'],
  lockfile: 'package-lock.json',
  data: [
    { path: 'data/temperatures.csv', sha256: 'a'.repeat(64), bytes: 1234, why: ['in data/'], git: 'tracked' },
    { path: 'big/stations.parquet', sha256: 'b'.repeat(64), bytes: 25_000_000, why: ['over 1 MB', 'ignored by git'], git: 'ignored' },
  ],
  entrypoints: [
    { notebook: 'notebooks/temperature.ipynb', kernel: 'python3', language: 'python', outputs: 'results/temperature', outputsWhy: 'where its code writes when REPRO_OUTPUTS is unset', todo: [], seen: ['--discover: wrote summary.csv, timing.csv under REPRO_OUTPUTS (kept here, with the executed notebook)'] },
    { notebook: 'notebooks/plots.ipynb', kernel: 'ir', language: 'R', outputs: 'results/plots', outputsWhy: 'results/<notebook name>: its code does not read REPRO_OUTPUTS', todo: ['this notebook does not read REPRO_OUTPUTS, and repro keeps only what a notebook writes there'], seen: [] },
  ],
  unusable: [{ path: 'old/julia.ipynb', reason: 'names the kernel "julia-1.9" (language julia), and repro runs only tslab, jslab, python3, ir.' }],
  verify: [
    { glob: 'results/temperature/timing.csv', rule: { informational: true }, why: 'results/temperature/timing.csv differed between two runs of the notebook (|Δ| 0.31 (rel 1.2e+0) at row 1, column "seconds")' },
    { glob: 'results/temperature/summary.csv', rule: { columns: { mean: { rtol: 1e-9 } } }, why: 'results/temperature/summary.csv differed between two runs' },
  ],
  notes: ['--discover ran each notebook twice, in the container (repro/x:0123456789abcdef), in a scratch copy of the repository.'],
};

describe('renderManifest', () => {
  it('writes every finding with its reason, TODOs for the author, and data entries commented out (golden file)', async () => {
    await expect(renderManifest(full)).toMatchFileSnapshot('golden/full.yaml');
  });

  it('loads as every command loads research.yaml, with the proposed values', () => {
    const { manifest } = parseManifest(renderManifest(full), 'research.yaml');
    expect(manifest.name).toBe('station-temperatures');
    expect(manifest.environment).toMatchObject({ base: 'debian:bookworm', kernels: ['ir', 'python3'], apt: ['python3-pandas', 'r-cran-ggplot2'], lockfile: 'package-lock.json' });
    expect(manifest.data).toEqual([]);
    expect(manifest.entrypoints.map((e) => [e.notebook, e.outputs])).toEqual([
      ['notebooks/temperature.ipynb', 'results/temperature'],
      ['notebooks/plots.ipynb', 'results/plots'],
    ]);
    expect(manifest.verify).toEqual({ 'results/temperature/timing.csv': { informational: true }, 'results/temperature/summary.csv': { columns: { mean: { rtol: 1e-9 } } } });
    expect(manifest.run.seed).toBe(42);
  });

  it('a data entry, once its URL is written and it is uncommented, loads with its sha256', () => {
    const text = renderManifest(full);
    const block = text.split('\n').filter((line) => /^# {3}(- path|  url|  sha256): /.test(line));
    expect(block).toHaveLength(6);
    // As the comment says: write the url, delete the `[]`, uncomment the entries.
    const uncommented = text
      .replaceAll('https://TODO', 'https://example.org/file')
      .replace(/^data: \[\]$/m, 'data:')
      .replace(/^# (  - path|    url|    sha256): /gm, '$1: ');
    const { manifest } = parseManifest(uncommented, 'research.yaml');
    expect(manifest.data).toEqual([
      { path: 'data/temperatures.csv', url: 'https://example.org/file', sha256: 'a'.repeat(64) },
      { path: 'big/stations.parquet', url: 'https://example.org/file', sha256: 'b'.repeat(64) },
    ]);
  });

  it('the smallest proposal is a small valid file', () => {
    const text = renderManifest(empty);
    expect(parse(text)).toEqual({ name: 'empty', environment: { base: 'debian:bookworm' }, data: [], entrypoints: [], run: { seed: 42 } });
    expect(() => parseManifest(text, 'research.yaml')).not.toThrow();
  });

  it('is a pure function: the same proposal, the same bytes', () => {
    expect(renderManifest(full)).toBe(renderManifest(structuredClone(full)));
  });
});

describe('wrap', () => {
  it('breaks long comments between words, continuation lines indented', () => {
    expect(wrap('aaa bbb ccc ddd', 8)).toEqual(['aaa bbb', '  ccc', '  ddd']);
  });

  it('keeps a comment on its lines when the text holds a newline (R ends its error messages with one)', () => {
    const failure = '--discover: the notebook failed at cell 21: ERROR: Error in install.packages("tidyverse"): unable to install packages\n; fix it';
    expect(wrap(failure, 60)).toEqual(['--discover: the notebook failed at cell 21: ERROR: Error in', '  install.packages("tidyverse"): unable to install packages', '  ; fix it']);
    expect(wrap('a  b', 60)).toEqual(['a  b']);
  });
});
