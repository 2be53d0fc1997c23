// What R notebooks need: the packages their code loads (library, require, requireNamespace, pkg::fun), less the
// ones R itself ships; and a font, since R draws a figure's text with the system's fonts and the image has none.
import type { Dependency } from './debian.ts';
import { runTimeInstalls } from './installs.ts';
import type { FoundNotebook } from './notebooks.ts';

/** Packages in Debian's r-base-core: nothing to install. */
const baseR = new Set(['base', 'compiler', 'datasets', 'graphics', 'grDevices', 'grid', 'methods', 'parallel', 'splines', 'stats', 'stats4', 'tcltk', 'tools', 'utils']);

/** Packages IRkernel brings with it. */
const providedByKernel = new Set(['IRkernel', 'IRdisplay', 'repr', 'evaluate', 'pbdZMQ', 'uuid', 'jsonlite', 'crayon', 'digest']);

export function rDependencies(notebooks: readonly FoundNotebook[]): Dependency[] {
  const dependencies: Dependency[] = [];
  for (const notebook of notebooks.filter((nb) => nb.language === 'R')) {
    for (const name of loadedPackages(notebook.code)) {
      if (baseR.has(name) || providedByKernel.has(name)) continue;
      dependencies.push({ ecosystem: 'r', name, from: notebook.path, imported: true });
    }
    for (const name of runTimeInstalls(notebook).packages) {
      if (baseR.has(name) || providedByKernel.has(name)) continue;
      dependencies.push({ ecosystem: 'r', name, from: notebook.path, installed: true });
    }
  }
  return dependencies;
}

/** Package names in library(x), library("x"), require(x), requireNamespace("x"), pacman::p_load(x, y) and x::f / x:::f. */
export function loadedPackages(code: string): string[] {
  const packages = new Set<string>();
  const withoutComments = code
    .split('\n')
    .map((line) => line.replace(/#.*$/, ''))
    .join('\n');
  for (const match of withoutComments.matchAll(/\b(?:library|require|requireNamespace)\s*\(\s*(?:package\s*=\s*)?["']?([A-Za-z][A-Za-z0-9.]*)["']?\s*[,)]/g)) {
    packages.add(match[1]);
  }
  for (const match of withoutComments.matchAll(/\bp_load\s*\(([^)]*)\)/g)) {
    for (const name of match[1].split(',').map((part) => part.trim().replace(/^["']|["']$/g, ''))) if (/^[A-Za-z][A-Za-z0-9.]*$/.test(name)) packages.add(name);
  }
  for (const match of withoutComments.matchAll(/(?<![A-Za-z0-9._])([A-Za-z][A-Za-z0-9.]*):::?[A-Za-z.]/g)) packages.add(match[1]);
  return [...packages];
}

/** Whether an R notebook draws figures (a graphics device or a plotting call). */
export function drawsFigures(code: string): boolean {
  return /\b(?:png|jpeg|tiff|bmp|svg|pdf|cairo_pdf|ggsave|plot|boxplot|hist|barplot|ggplot|qplot)\s*\(/.test(code);
}
