// Loads a TypeScript ES module (and everything it imports) into a tslab notebook kernel.
// tslab runs cells in a vm context where import() is unavailable and compiles local imports
// to CommonJS with settings that refuse `.ts` import paths; a real CommonJS module can call
// import(), and tsx's loader gives the lib the same module semantics as its tests and scripts.
const { pathToFileURL } = require('node:url');
const { resolve } = require('node:path');

/** @param {string} file path of a .ts module, relative to the current directory */
module.exports = async function importTs(file) {
  const { tsImport } = await import('tsx/esm/api');
  return tsImport(pathToFileURL(resolve(file)).href, pathToFileURL(__filename).href);
};
