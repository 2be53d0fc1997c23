// Finds how to start a kernel: its kernelspec (kernels/<name>/kernel.json in the Jupyter data dirs) or,
// for tslab and jslab, the copy installed with the toolkit, so a host without Jupyter still runs notebooks.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

export interface KernelSpec {
  name: string;
  /** Command line; `{connection_file}` is replaced by the connection file's path. */
  argv: string[];
  /** kernel.json's path, or a description of the fallback. */
  source: string;
  interruptMode: 'signal' | 'message';
  env: Record<string, string>;
}

/** No kernelspec of that name in any Jupyter data dir. */
export class KernelSpecNotFoundError extends Error {
  constructor(
    readonly kernel: string,
    readonly searched: string[],
  ) {
    super(`no kernelspec named ${kernel} (looked in ${searched.map((dir) => join(dir, 'kernels')).join(', ')})`);
  }
}

/** Kernels that come with the toolkit's own tslab: TypeScript, and JavaScript (tslab's --js mode). */
const tslabKernels = new Set(['tslab', 'jslab']);

/** Jupyter's data directories in its search order: JUPYTER_PATH, the user's, then the system's. */
export function jupyterDataDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const dirs: string[] = [];
  if (env.JUPYTER_PATH) dirs.push(...env.JUPYTER_PATH.split(delimiter).filter(Boolean));
  dirs.push(env.JUPYTER_DATA_DIR ?? join(env.XDG_DATA_HOME ?? join(env.HOME ?? homedir(), '.local', 'share'), 'jupyter'));
  dirs.push('/usr/local/share/jupyter', '/usr/share/jupyter');
  return dirs;
}

export function findKernelSpec(name = 'tslab', env: NodeJS.ProcessEnv = process.env): KernelSpec {
  for (const dir of jupyterDataDirs(env)) {
    const file = join(dir, 'kernels', name, 'kernel.json');
    if (!existsSync(file)) continue;
    const spec = JSON.parse(readFileSync(file, 'utf8')) as {
      argv?: unknown;
      interrupt_mode?: unknown;
      env?: Record<string, string>;
    };
    if (!Array.isArray(spec.argv) || spec.argv.length === 0 || !spec.argv.every((a) => typeof a === 'string')) {
      throw new Error(`${file}: kernelspec without an argv list`);
    }
    const argv = spec.argv as string[];
    // A spec naming a program that is not on PATH would fail late with ENOENT; prefer our own copy then.
    if (tslabKernels.has(name) && !onPath(argv[0], env)) continue;
    return {
      name,
      argv,
      source: file,
      interruptMode: spec.interrupt_mode === 'message' ? 'message' : 'signal',
      env: spec.env ?? {},
    };
  }
  if (!tslabKernels.has(name)) throw new KernelSpecNotFoundError(name, jupyterDataDirs(env));
  return bundledTslab(name === 'jslab');
}

/** The tslab installed with the toolkit, started with this very Node.js; `--js` makes it the JavaScript kernel. */
export function bundledTslab(javascript = false): KernelSpec {
  const require = createRequire(import.meta.url);
  const main = require.resolve('tslab/package.json');
  const bin = join(dirname(main), 'bin', 'tslab');
  return {
    name: javascript ? 'jslab' : 'tslab',
    argv: [process.execPath, bin, 'kernel', '--config-path', '{connection_file}', ...(javascript ? ['--js'] : [])],
    source: bin,
    interruptMode: 'signal',
    env: {},
  };
}

function onPath(program: string, env: NodeJS.ProcessEnv): boolean {
  if (program.includes('/')) return existsSync(program);
  return (env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, program)));
}
