// Loads one of our ES-module TypeScript files from a tslab cell.
// tslab compiles a cell to CommonJS and runs it with vm, where neither `import()` nor a .ts `require`
// works; this file is an ordinary CommonJS module, so `import()` works here and tsx compiles the .ts.
'use strict';
const { resolve } = require('node:path');
const { pathToFileURL } = require('node:url');

/** Imports `file` (relative to the current directory: the notebook's folder, as in Jupyter) and resolves to its exports. */
module.exports = async function importTs(file) {
  const { tsImport } = await import('tsx/esm/api');
  return tsImport(pathToFileURL(resolve(file)).href, pathToFileURL(resolve('.') + '/').href);
};
