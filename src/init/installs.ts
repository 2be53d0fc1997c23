// Packages a notebook installs as it runs: `install.packages("x")` (or `c("x", "y")`) in R, `!pip install x` and
// `%pip install x` in Python. In the container that fails (no network, a read-only file system), so init proposes
// their Debian packages as for a library() or an import, and a TODO to remove the calls.
import type { FoundNotebook } from './notebooks.ts';

export interface RunTimeInstalls {
  /** The calls as written, for the TODO (at most the first line of each). */
  calls: string[];
  /** The package names they install (R's, or pip's as in requirements.txt). */
  packages: string[];
}

export function runTimeInstalls(notebook: Pick<FoundNotebook, 'code' | 'language'>): RunTimeInstalls {
  const found: RunTimeInstalls = { calls: [], packages: [] };
  const lines = notebook.code.split('\n');
  if (notebook.language === 'R') {
    const code = lines.map((line) => line.replace(/#.*$/, '')).join('\n');
    for (const match of code.matchAll(/\binstall\.packages\s*\(\s*(?:pkgs\s*=\s*)?(c\s*\([^)]*\)|["'][^"']+["'])/g)) {
      const names = [...match[1].matchAll(/["']([A-Za-z][A-Za-z0-9.]*)["']/g)].map((name) => name[1]);
      if (names.length === 0) continue;
      found.calls.push(`${match[0]})`);
      found.packages.push(...names);
    }
  } else if (notebook.language === 'python') {
    for (const line of lines) {
      const match = /^\s*[!%]\s*(?:python3?\s+-m\s+)?pip3?\s+install\s+(.+)$/.exec(line.replace(/\s#.*$/, ''));
      if (!match) continue;
      // Options and their values (-r file, --index-url URL), paths and URLs are no package names.
      const words = match[1].trim().split(/\s+/);
      const names: string[] = [];
      for (let i = 0; i < words.length; i++) {
        const word = words[i];
        if (word.startsWith('-')) {
          if (/^-(?:r|c|e|i|f)$|^--(?:requirement|constraint|editable|index-url|extra-index-url|find-links|target|prefix)$/.test(word)) i++;
          continue;
        }
        const name = /^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?(?:[<>=!~;].*)?$/.exec(word.replace(/^["']|["']$/g, ''))?.[1];
        if (name && !name.includes('/')) names.push(name);
      }
      if (names.length === 0) continue;
      found.calls.push(line.trim());
      found.packages.push(...names);
    }
  }
  found.packages = [...new Set(found.packages)];
  return found;
}
