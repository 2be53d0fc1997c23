// repro itself, as it goes into every image at /opt/repro: the CLI bundled by esbuild (its pure JavaScript
// dependencies inlined) plus the npm lockfile of what cannot be bundled (the tslab kernel, ZeroMQ's and resvg's
// native binaries). research.lock pins both by sha256, so an image never depends on what the project installs.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { toolkitRoot, toolkitVersion } from '../version.ts';

/** toolkit/: the package.json and package-lock.json of the run-time dependencies installed beside the bundle. */
export const toolkitDepsDir = join(toolkitRoot, 'toolkit');

/**
 * Left out of the bundle. Installed from toolkit/package-lock.json: zeromq and @resvg/resvg-js (native).
 * Never needed inside an image, and only ever imported lazily (engine, build, serve): the rest.
 */
const external = ['zeromq', '@resvg/resvg-js', 'dockerode', 'esbuild', 'tsx', 'tsx/*', '@tensorflow/*', 'h5wasm', 'h5wasm/*', 'nodejs-polars'];

export interface BundleFile {
  /** Relative to /opt/repro. */
  path: string;
  content: Uint8Array;
  mode: number;
}

export interface ToolkitBundle {
  files: BundleFile[];
  /** sha256 over `path sha256(content)` lines, in path order. */
  sha256: string;
}

/** The package a notebook's `import … from 'repro/notebook'` finds: repro's own exports, nothing else. */
const notebookPackageJson = JSON.stringify(
  { name: 'repro', version: toolkitVersion, private: true, exports: { './notebook': { types: './notebook/index.d.ts', default: './notebook/index.cjs' } } },
  null,
  2,
) + '\n';

let bundled: Promise<ToolkitBundle> | undefined;

/** The bundle, made once per process; the same sources give the same bytes on any machine. */
export function toolkitBundle(): Promise<ToolkitBundle> {
  bundled ??= makeBundle();
  return bundled;
}

async function makeBundle(): Promise<ToolkitBundle> {
  // Loaded only here: inside an image (where this very bundle runs) esbuild is not installed.
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: { main: join(toolkitRoot, 'src/cli/main.ts') },
    absWorkingDir: toolkitRoot,
    outdir: join(toolkitRoot, 'dist/toolkit/cli'),
    bundle: true,
    // Commands import their modules lazily; chunks keep each command's imports out of the others' way.
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external,
    write: false,
    logLevel: 'silent',
    legalComments: 'none',
    // Bundled CommonJS packages call require() for Node built-ins; an ES module has no require of its own.
    banner: { js: "import { createRequire as reproCreateRequire } from 'node:module'; const require = reproCreateRequire(import.meta.url);" },
  });
  const outRoot = join(toolkitRoot, 'dist/toolkit');
  const files: BundleFile[] = result.outputFiles.map((file) => ({ path: file.path.slice(outRoot.length + 1), content: file.contents, mode: 0o644 }));
  const text = (value: string) => new TextEncoder().encode(value);
  files.push({ path: 'bin/repro', content: text("#!/usr/bin/env node\nimport '../cli/main.js';\n"), mode: 0o755 });
  files.push({ path: 'package.json', content: await readFile(join(toolkitDepsDir, 'package.json')), mode: 0o644 });
  files.push({ path: 'package-lock.json', content: await readFile(join(toolkitDepsDir, 'package-lock.json')), mode: 0o644 });
  // `repro/notebook` for notebooks, as a package named repro (the image links it at /node_modules/repro).
  files.push({ path: 'notebook-package/package.json', content: text(notebookPackageJson), mode: 0o644 });
  for (const name of ['index.cjs', 'index.d.ts']) {
    files.push({ path: `notebook-package/notebook/${name}`, content: await readFile(join(toolkitRoot, 'notebook', name)), mode: 0o644 });
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const hash = createHash('sha256');
  for (const file of files) hash.update(`${file.path} ${file.mode.toString(8)} ${createHash('sha256').update(file.content).digest('hex')}\n`);
  return { files, sha256: hash.digest('hex') };
}

/** sha256 of toolkit/package-lock.json. */
export async function toolkitDependenciesSha256(): Promise<string> {
  return createHash('sha256').update(await readFile(join(toolkitDepsDir, 'package-lock.json'))).digest('hex');
}

export { toolkitVersion };
