// The project's own npm dependencies: npm's lockfile (which `npm ci` installs in the image), or why there is none
// to name: another package manager's lockfile, a package.json alone, or notebooks importing packages with neither.
import { builtinModules } from 'node:module';
import { posix } from 'node:path';
import type { RepoFile } from './files.ts';
import type { FoundNotebook } from './notebooks.ts';

export interface NpmProposal {
  /** package-lock.json to name as environment.lockfile. */
  lockfile?: string;
  /** What to do when there is none to name (or more than one). */
  todo?: string;
  /** npm packages the TypeScript and JavaScript notebooks import or require. */
  imported: string[];
}

const otherLockfiles = ['yarn.lock', 'pnpm-lock.yaml', 'bun.lockb', 'bun.lock'];
const lockFix = 'run `npm install --package-lock-only` beside package.json to write package-lock.json, then name it as environment.lockfile';

export function detectNpm(files: readonly RepoFile[], notebooks: readonly FoundNotebook[]): NpmProposal {
  const paths = files.map((file) => file.path);
  const imported = [...new Set(notebooks.filter((nb) => nb.kernel === 'tslab' || nb.kernel === 'jslab').flatMap((nb) => importedPackages(nb.code)))].sort();
  // The top-most lockfile is the project's; deeper ones belong to sub-projects or vendored code.
  const locks = paths.filter((path) => posix.basename(path) === 'package-lock.json').sort((a, b) => depth(a) - depth(b) || (a < b ? -1 : 1));
  if (locks.length > 0) {
    const lockfile = locks[0];
    const others = locks.slice(1);
    const withPackageJson = paths.includes(posix.join(posix.dirname(lockfile), 'package.json'));
    if (!withPackageJson) return { imported, todo: `${lockfile} has no package.json beside it, which \`npm ci\` needs; add it, then name the lockfile as environment.lockfile` };
    return { lockfile, imported, todo: others.length > 0 ? `other npm lockfiles were found and are not installed: ${others.join(', ')}` : undefined };
  }
  const other = paths.find((path) => otherLockfiles.includes(posix.basename(path)));
  if (other) return { imported, todo: `${other} is not npm's lockfile and the image installs with \`npm ci\`: ${lockFix}` };
  if (paths.includes('package.json')) return { imported, todo: `package.json has no package-lock.json beside it: ${lockFix}` };
  if (imported.length > 0) {
    return { imported, todo: `the notebooks import npm packages (${imported.join(', ')}) and the repository has no package.json: \`npm install ${imported.join(' ')}\`, then name package-lock.json as environment.lockfile` };
  }
  return { imported };
}

function depth(path: string): number {
  return path.split('/').length;
}

/** Packages (not node: builtins, not relative paths, not repro's own) that `import … from 'x'`, `import('x')` and `require('x')` name. */
export function importedPackages(code: string): string[] {
  const names = new Set<string>();
  for (const match of code.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)(['"])([^'"\n]+)\1/gm)) {
    const specifier = match[2];
    if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) continue;
    const parts = specifier.split('/');
    const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
    if (builtinModules.includes(name) || provided.has(name)) continue;
    names.add(name);
  }
  return [...names];
}

/** In every image already: repro itself (repro/notebook) and the kernels. */
const provided = new Set(['repro', 'tslab']);
