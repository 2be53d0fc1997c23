// What the Python side needs: the names in requirements.txt and environment.yml (conda's r-* packages are R's), and
// the modules Python notebooks import that are neither the standard library nor the repository's own.
import { readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Dependency } from './debian.ts';
import type { RepoFile } from './files.ts';
import type { FoundNotebook } from './notebooks.ts';
import { runTimeInstalls } from './installs.ts';

export interface DependencyScan {
  dependencies: Dependency[];
  /** Lines of the dependency files that name no package init can map (URLs, local paths, options). */
  skipped: Array<{ from: string; text: string; reason: string }>;
}

const requirementFiles = /(^|\/)requirements[^/]*\.txt$/;
const condaFiles = /(^|\/)environment\.ya?ml$/;

export async function pythonDependencies(root: string, files: readonly RepoFile[], notebooks: readonly FoundNotebook[]): Promise<DependencyScan> {
  const scan: DependencyScan = { dependencies: [], skipped: [] };
  for (const file of files) {
    if (requirementFiles.test(file.path)) merge(scan, parseRequirements(await readFile(join(root, file.path), 'utf8'), file.path));
    else if (condaFiles.test(file.path)) merge(scan, parseCondaEnvironment(await readFile(join(root, file.path), 'utf8'), file.path));
  }
  const local = localModules(files);
  for (const notebook of notebooks.filter((nb) => nb.language === 'python')) {
    for (const module of importedModules(notebook.code)) {
      if (stdlib.has(module) || providedByKernel.has(module) || local(module, notebook.path)) continue;
      scan.dependencies.push({ ecosystem: 'python', name: module, from: notebook.path, imported: true });
    }
    for (const name of runTimeInstalls(notebook).packages) scan.dependencies.push({ ecosystem: 'python', name, from: notebook.path, installed: true });
  }
  return scan;
}

function merge(into: DependencyScan, from: DependencyScan): void {
  into.dependencies.push(...from.dependencies);
  into.skipped.push(...from.skipped);
}

/** pip's requirements format: one requirement a line, `#` comments, options (-r, -e, --index-url) skipped with the reason. */
export function parseRequirements(text: string, from: string): DependencyScan {
  const scan: DependencyScan = { dependencies: [], skipped: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '') continue;
    if (line.startsWith('-')) {
      scan.skipped.push({ from, text: line, reason: 'a pip option, not a package' });
      continue;
    }
    const name = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*([<>=!~;@ ]|$)/.exec(line);
    if (!name || line.includes('://')) {
      scan.skipped.push({ from, text: line, reason: 'not a package name (a URL or a path): Debian cannot provide it' });
      continue;
    }
    scan.dependencies.push({ ecosystem: 'python', name: name[1], from, pinned: /[<>=~!]/.test(line) ? line : undefined });
  }
  return scan;
}

/** conda's environment.yml: `dependencies:` strings (name, name=version) and a `pip:` list; conda's r-* packages are R's. */
export function parseCondaEnvironment(text: string, from: string): DependencyScan {
  const scan: DependencyScan = { dependencies: [], skipped: [] };
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    scan.skipped.push({ from, text: from, reason: `not valid YAML (${(error as Error).message.split('\n')[0]})` });
    return scan;
  }
  const list = (doc as { dependencies?: unknown } | null)?.dependencies;
  if (!Array.isArray(list)) return scan;
  for (const item of list) {
    if (typeof item === 'string') {
      const spec = item.trim();
      const name = /^(?:[A-Za-z0-9_-]+::)?([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(spec)?.[1];
      if (!name) {
        scan.skipped.push({ from, text: spec, reason: 'not a package name' });
        continue;
      }
      const pinned = /[<>=]/.test(spec) ? spec : undefined;
      const lower = name.toLowerCase();
      if (condaProvided.has(lower) || lower === 'r-base' || lower === 'r-irkernel') continue;
      if (lower.startsWith('r-')) scan.dependencies.push({ ecosystem: 'r', name: name.slice(2), from, pinned });
      else scan.dependencies.push({ ecosystem: 'python', name: condaToPip[lower] ?? name, from, pinned });
    } else if (item && typeof item === 'object' && Array.isArray((item as { pip?: unknown }).pip)) {
      const pip = (item as { pip: unknown[] }).pip.filter((line): line is string => typeof line === 'string');
      merge(scan, parseRequirements(pip.join('\n'), `${from} (pip)`));
    }
  }
  return scan;
}

/** Conda packages the image has anyway: the interpreter, pip, Jupyter and the kernels. */
const condaProvided = new Set(['python', 'pip', 'setuptools', 'wheel', 'ipykernel', 'ipython', 'jupyter', 'jupyterlab', 'notebook', 'nb_conda_kernels']);
const condaToPip: Record<string, string> = { pytorch: 'torch', 'matplotlib-base': 'matplotlib', 'py-opencv': 'opencv-python' };

/** Top-level modules named by `import a.b, c as d` and `from e.f import g` lines (relative imports are local). */
export function importedModules(code: string): string[] {
  const modules = new Set<string>();
  for (const line of code.split('\n')) {
    const statement = line.replace(/#.*$/, '').trim();
    const from = /^from\s+([A-Za-z_][\w.]*)\s+import\b/.exec(statement);
    if (from) modules.add(from[1].split('.')[0]);
    const imports = /^import\s+(.+)$/.exec(statement);
    if (imports) {
      for (const part of imports[1].split(',')) {
        const name = /^\s*([A-Za-z_][\w.]*)/.exec(part)?.[1];
        if (name) modules.add(name.split('.')[0]);
      }
    }
  }
  return [...modules];
}

/** A module the repository holds itself: name.py or a package folder name/ beside the notebook or at the top. */
function localModules(files: readonly RepoFile[]): (module: string, notebook: string) => boolean {
  const paths = new Set(files.map((file) => file.path));
  const folders = new Set(files.flatMap((file) => file.path.split('/').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/'))));
  return (module, notebook) => {
    const dirs = [posix.dirname(notebook), '.'];
    return dirs.some((dir) => {
      const base = dir === '.' ? module : `${dir}/${module}`;
      return paths.has(`${base}.py`) || folders.has(base);
    });
  };
}

/** Modules ipykernel brings with it. */
const providedByKernel = new Set(['IPython', 'ipykernel', 'matplotlib_inline', 'traitlets', 'jupyter_client', '__future__']);

// sys.stdlib_module_names of Python 3.11 (Debian bookworm's), without the private ones.
const stdlib = new Set(
  (
    'abc aifc antigravity argparse array ast asynchat asyncio asyncore atexit audioop base64 bdb binascii bisect builtins bz2 ' +
    'cProfile calendar cgi cgitb chunk cmath cmd code codecs codeop collections colorsys compileall concurrent configparser ' +
    'contextlib contextvars copy copyreg crypt csv ctypes curses dataclasses datetime dbm decimal difflib dis distutils doctest ' +
    'email encodings ensurepip enum errno faulthandler fcntl filecmp fileinput fnmatch fractions ftplib functools gc genericpath ' +
    'getopt getpass gettext glob graphlib grp gzip hashlib heapq hmac html http idlelib imaplib imghdr imp importlib inspect io ' +
    'ipaddress itertools json keyword lib2to3 linecache locale logging lzma mailbox mailcap marshal math mimetypes mmap ' +
    'modulefinder msilib msvcrt multiprocessing netrc nis nntplib nt ntpath nturl2path numbers opcode operator optparse os ' +
    'ossaudiodev pathlib pdb pickle pickletools pipes pkgutil platform plistlib poplib posix posixpath pprint profile pstats pty ' +
    'pwd py_compile pyclbr pydoc pydoc_data pyexpat queue quopri random re readline reprlib resource rlcompleter runpy sched ' +
    'secrets select selectors shelve shlex shutil signal site smtpd smtplib sndhdr socket socketserver spwd sqlite3 sre_compile ' +
    'sre_constants sre_parse ssl stat statistics string stringprep struct subprocess sunau symtable sys sysconfig syslog tabnanny ' +
    'tarfile telnetlib tempfile termios textwrap this threading time timeit tkinter token tokenize tomllib trace traceback ' +
    'tracemalloc tty turtle turtledemo types typing unicodedata unittest urllib uu uuid venv warnings wave weakref webbrowser ' +
    'winreg winsound wsgiref xdrlib xml xmlrpc zipapp zipfile zipimport zlib zoneinfo'
  ).split(' '),
);
