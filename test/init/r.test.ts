// R's side: the packages R notebooks load, and whether they draw figures (which need a font).
import { describe, expect, it } from 'vitest';
import type { FoundNotebook } from '../../src/init/notebooks.ts';
import { drawsFigures, loadedPackages, rDependencies } from '../../src/init/r.ts';

describe('loadedPackages', () => {
  it('reads library, require, requireNamespace, pacman::p_load and pkg::fun, quoted or not, not in comments', () => {
    const code = [
      'library(ggplot2)',
      'suppressPackageStartupMessages(library("dplyr"))',
      'require(data.table, quietly = TRUE)',
      'if (!requireNamespace("jsonlite")) stop()',
      'pacman::p_load(tidyr, "readr")',
      'x <- lubridate::ymd("2020-01-01"); y <- stats:::t.test',
      '# library(notloaded)',
    ].join('\n');
    expect(loadedPackages(code).sort()).toEqual(['data.table', 'dplyr', 'ggplot2', 'jsonlite', 'lubridate', 'pacman', 'readr', 'stats', 'tidyr']);
  });
});

describe('rDependencies', () => {
  it("leaves out R's own packages and IRkernel's, and reads only R notebooks", () => {
    const nb = (path: string, language: string, code: string): FoundNotebook => ({ path, kernel: language === 'R' ? 'ir' : 'python3', language, code, readsOutputsVariable: false, savedErrors: [] });
    const deps = rDependencies([nb('a.ipynb', 'R', 'library(stats)\nlibrary(grid)\nlibrary(MASS)\nlibrary(repr)\nggplot2::qplot(1)'), nb('b.ipynb', 'python', 'library(x)')]);
    expect(deps).toEqual([
      { ecosystem: 'r', name: 'MASS', from: 'a.ipynb', imported: true },
      { ecosystem: 'r', name: 'ggplot2', from: 'a.ipynb', imported: true },
    ]);
  });
});

describe('drawsFigures', () => {
  it.each([
    ['png(file.path(out, "a.png"))', true],
    ['ggsave("a.pdf")', true],
    ['boxplot(len ~ dose, data = d)', true],
    ['qplot(mpg, data = mtcars, geom = "density")', true], // binder-examples/r draws only with qplot
    ['x <- mean(1:3)', false],
  ])('%s → %s', (code, expected) => {
    expect(drawsFigures(code)).toBe(expected);
  });
});
