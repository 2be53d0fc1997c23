// `repro/notebook`: what a notebook may ask of repro, in every image, in `repro lab` and in this repository.
// tslab compiles a cell to CommonJS and runs it in a vm context where `import()` is unavailable, so it can load
// neither an ES module nor a `.ts` file with `.ts` import paths; this ordinary CommonJS module can call `import()`,
// and tsx compiles the TypeScript (with its own imports) as the project's tests and scripts see it.
'use strict';
const { existsSync } = require('node:fs');
const { dirname, join, resolve } = require('node:path');
const { pathToFileURL } = require('node:url');

/** Imports a TypeScript or JavaScript ES module by its path relative to the notebook's folder (the kernel's). */
async function importTs(file) {
  const { tsImport } = await import('tsx/esm/api');
  const target = resolve(file);
  return tsImport(pathToFileURL(target).href, pathToFileURL(target).href);
}

/** The project's folder: REPRO_PROJECT_ROOT under repro, else the nearest folder above holding research.yaml. */
function projectRoot() {
  if (process.env.REPRO_PROJECT_ROOT) return process.env.REPRO_PROJECT_ROOT;
  for (let dir = process.cwd(); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'research.yaml'))) return dir;
    if (dirname(dir) === dir) return process.cwd();
  }
}

/** Where the notebook writes its outputs: REPRO_OUTPUTS under repro, else `fallback` (relative to the notebook). */
function outputsDir(fallback) {
  return process.env.REPRO_OUTPUTS || resolve(fallback);
}

module.exports = { importTs, projectRoot, outputsDir };
