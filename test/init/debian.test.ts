// From PyPI, conda and CRAN names to Debian packages, and the TODO when Debian has none.
import { describe, expect, it } from 'vitest';
import { aptCacheIndex, builtinIndex, chooseDebianIndex, debianCandidates, resolveDependencies, type DebianIndex, type Dependency } from '../../src/init/debian.ts';

const py = (name: string, from = 'requirements.txt'): Dependency => ({ ecosystem: 'python', name, from });
const r = (name: string): Dependency => ({ ecosystem: 'r', name, from: 'a.ipynb', imported: true });

describe('debianCandidates', () => {
  it.each([
    ['pandas', 'python3-pandas'],
    ['scikit-learn', 'python3-sklearn'],
    ['sklearn', 'python3-sklearn'],
    ['PIL', 'python3-pil'],
    ['PyYAML', 'python3-yaml'],
    ['beautifulsoup4', 'python3-bs4'],
    ['python-dateutil', 'python3-dateutil'],
    ['typing_extensions', 'python3-typing-extensions'],
    ['ruamel.yaml', 'python3-ruamel.yaml'],
  ])('Python %s → %s', (name, expected) => {
    expect(debianCandidates(py(name))).toEqual([expected]);
  });

  it("R: CRAN's r-cran-<lowercase>, then Bioconductor's r-bioc-<lowercase>", () => {
    expect(debianCandidates(r('data.table'))).toEqual(['r-cran-data.table', 'r-bioc-data.table']);
    expect(debianCandidates(r('DESeq2'))).toEqual(['r-cran-deseq2', 'r-bioc-deseq2']);
  });
});

describe('resolveDependencies', () => {
  const index: DebianIndex = { describe: 'test index', available: async (names) => new Set(names.filter((n) => ['python3-pandas', 'python3-sklearn', 'r-bioc-deseq2'].includes(n))) };

  it('one apt entry per Debian package with every name that asked for it; the rest as TODOs with the reason', async () => {
    const resolved = await resolveDependencies([py('pandas'), py('pandas', 'a.ipynb'), py('scikit-learn'), py('polars'), r('DESeq2'), r('notinr')], index);
    expect(resolved.apt.map((item) => [item.package, item.for.map((d) => d.from)])).toEqual([
      ['python3-pandas', ['requirements.txt', 'a.ipynb']],
      ['python3-sklearn', ['requirements.txt']],
      ['r-bioc-deseq2', ['a.ipynb']],
    ]);
    expect(resolved.unresolved.map((item) => [item.dependency.name, item.reason])).toEqual([
      ['polars', 'no Debian package python3-polars (test index)'],
      ['notinr', 'no Debian package r-cran-notinr (test index)'],
    ]);
  });
});

describe('where Debian is asked', () => {
  it("apt-cache, once for every name: the Package: lines are the real packages (virtual ones and unknown names have none)", async () => {
    const calls: string[][] = [];
    const index = aptCacheIndex('Debian GNU/Linux 12 (bookworm)', async (args) => {
      calls.push(args);
      return 'Package: python3-pandas\nVersion: 1.5.3\nDescription: x\n\nPackage: r-cran-ggplot2\nVersion: 3.4.1\n';
    });
    expect(await index.available(['python3-pandas', 'python3-polars', 'r-cran-ggplot2'])).toEqual(new Set(['python3-pandas', 'r-cran-ggplot2']));
    expect(calls).toEqual([['show', '--no-all-versions', 'python3-pandas', 'python3-polars', 'r-cran-ggplot2']]);
    expect(index.describe).toBe('apt-cache on this machine, Debian GNU/Linux 12 (bookworm)');
  });

  it('the built-in table knows common names and says what it is', async () => {
    expect(await builtinIndex.available(['python3-pandas', 'python3-sklearn', 'r-cran-ggplot2', 'python3-polars'])).toEqual(new Set(['python3-pandas', 'python3-sklearn', 'r-cran-ggplot2']));
    expect(builtinIndex.describe).toContain("not in repro's table of common Debian packages");
  });

  it('falls back to the table when apt-cache fails', async () => {
    const index = await chooseDebianIndex(async () => {
      throw new Error('no apt-cache');
    });
    expect(index).toBe(builtinIndex);
  });
});
