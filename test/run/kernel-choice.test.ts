// Which kernel runs a notebook: the one its metadata names, else the one for its language; and a notebook whose
// kernel the image would not have is refused (exit 2) with the research.yaml line that fixes it.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManifestError } from '../../src/errors.ts';
import { findKernelSpec, KernelSpecNotFoundError } from '../../src/kernel/kernelspec.ts';
import { parseManifest } from '../../src/manifest/load.ts';
import { assertImageHasKernel, imageKernels, notebookKernel } from '../../src/run/kernel-choice.ts';
import type { Notebook } from '../../src/run/notebook.ts';

const name = 'notebooks/a.ipynb';

function notebook(metadata: Record<string, unknown>): Notebook {
  return { nbformat: 4, nbformat_minor: 5, metadata, cells: [] };
}

function manifest(environment: string) {
  return parseManifest(`name: p\nenvironment: ${environment}\n`, '/p/research.yaml').manifest;
}

function thrown(action: () => unknown): ManifestError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ManifestError);
    expect((error as ManifestError).exitCode).toBe(2);
    return error as ManifestError;
  }
  throw new Error('expected a ManifestError');
}

describe('notebookKernel', () => {
  it.each([
    ['tslab', 'typescript', 'TypeScript'],
    ['jslab', 'javascript', 'JavaScript'],
    ['python3', 'python', 'Python 3 (ipykernel)'],
    ['ir', 'R', 'R'],
  ])('takes the kernel metadata.kernelspec names: %s (language %s)', (kernel, language, displayName) => {
    const chosen = notebookKernel(notebook({ kernelspec: { name: kernel, display_name: displayName, language } }), name);
    expect(chosen).toEqual({ name: kernel, requested: kernel, language });
  });

  it('trusts the name over a language that disagrees', () => {
    expect(notebookKernel(notebook({ kernelspec: { name: 'ir', language: 'python' } }), name)).toEqual({ name: 'ir', requested: 'ir', language: 'R' });
  });

  it.each([
    [{ kernelspec: { name: 'conda-env-x-py', display_name: 'Python [conda env:x]', language: 'python' } }, 'python3', 'conda-env-x-py', 'python'],
    [{ kernelspec: { name: 'python3.11', language: 'Python' } }, 'python3', 'python3.11', 'python'],
    [{ kernelspec: { name: 'conda-env-r-r', language: 'R' } }, 'ir', 'conda-env-r-r', 'R'],
    [{ kernelspec: { name: 'deno', language: 'typescript' } }, 'tslab', 'deno', 'typescript'],
    [{ kernelspec: { name: 'javascript', language: 'javascript' } }, 'jslab', 'javascript', 'javascript'],
    // No kernelspec at all, but the kernel that last ran it left language_info.
    [{ language_info: { name: 'python', version: '3.11.2' } }, 'python3', 'python', 'python'],
    [{ kernelspec: { display_name: 'R' }, language_info: { name: 'R' } }, 'ir', 'R', 'R'],
  ])('falls back on the language for another kernel name: %j → %s', (metadata, kernel, requested, language) => {
    expect(notebookKernel(notebook(metadata), name)).toEqual({ name: kernel, requested, language });
  });

  it('refuses a notebook with no kernel metadata, saying how to give it one', () => {
    for (const metadata of [{}, { kernelspec: 'tslab' }, { kernelspec: { display_name: 'TypeScript' } }]) {
      const error = thrown(() => notebookKernel(notebook(metadata), name));
      expect(error.message).toBe('notebooks/a.ipynb has no metadata.kernelspec, and repro runs only tslab, jslab, python3, ir');
      expect(error.hint).toBe('Open it in Jupyter, choose its kernel (Kernel → Change kernel) and save it, so the notebook says which kernel runs it.');
    }
  });

  it('refuses a kernel of a language repro has no pack for, naming it and its language', () => {
    const error = thrown(() => notebookKernel(notebook({ kernelspec: { name: 'julia-1.10', display_name: 'Julia 1.10', language: 'julia' } }), name));
    expect(error.message).toBe('notebooks/a.ipynb names the kernel "julia-1.10" (language julia), and repro runs only tslab, jslab, python3, ir');
    expect(error.hint).toBe('Open it in Jupyter and choose one of those kernels (Kernel → Change kernel), then save it.');
  });

  it('refuses an unknown kernel name with no language', () => {
    const error = thrown(() => notebookKernel(notebook({ kernelspec: { name: 'mystery' } }), name));
    expect(error.message).toBe('notebooks/a.ipynb names the kernel "mystery", and repro runs only tslab, jslab, python3, ir');
  });
});

describe('the image\'s kernels', () => {
  it('are tslab and jslab always, and those environment.kernels adds', () => {
    expect([...imageKernels(manifest('{}'))].sort()).toEqual(['jslab', 'tslab']);
    expect([...imageKernels(manifest('{ kernels: [ir] }'))].sort()).toEqual(['ir', 'jslab', 'tslab']);
    expect([...imageKernels(manifest('{ kernels: [python3, ir] }'))].sort()).toEqual(['ir', 'jslab', 'python3', 'tslab']);
  });

  it('run TypeScript and JavaScript notebooks whatever research.yaml says', () => {
    for (const kernel of ['tslab', 'jslab'] as const) {
      expect(() => assertImageHasKernel(manifest('{}'), name, { name: kernel, requested: kernel, language: 'typescript' })).not.toThrow();
    }
    expect(() => assertImageHasKernel(manifest('{ kernels: [python3] }'), name, { name: 'python3', requested: 'conda-env-x-py', language: 'python' })).not.toThrow();
  });

  it('refuse a notebook whose kernel research.yaml does not ask for, naming the notebook, the kernel and the line to write', () => {
    const python = notebookKernel(notebook({ kernelspec: { name: 'conda-env-x-py', language: 'python' } }), name);
    const error = thrown(() => assertImageHasKernel(manifest('{}'), name, python));
    expect(error.message).toBe('notebooks/a.ipynb runs on the python3 kernel, which the image does not have');
    expect(error.hint).toBe('Add it to research.yaml: environment.kernels: [python3], then run `repro lock`.');
  });

  it('keep the kernels research.yaml has in the line to write', () => {
    const error = thrown(() => assertImageHasKernel(manifest('{ kernels: [python3] }'), 'notebooks/plots.ipynb', { name: 'ir', requested: 'ir', language: 'R' }));
    expect(error.message).toBe('notebooks/plots.ipynb runs on the ir kernel, which the image does not have');
    expect(error.hint).toBe('Add it to research.yaml: environment.kernels: [ir, python3], then run `repro lock`.');
  });
});

describe('the kernelspec for the chosen kernel on this machine', () => {
  const made: string[] = [];
  afterEach(async () => {
    await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  /** Jupyter's data dirs point at a fresh folder, with PATH empty: nothing of this machine's user is found. */
  async function isolated(): Promise<NodeJS.ProcessEnv> {
    const dir = await mkdtemp(join(tmpdir(), 'repro-kernels-'));
    made.push(dir);
    return { HOME: dir, JUPYTER_PATH: join(dir, 'path'), JUPYTER_DATA_DIR: join(dir, 'data'), PATH: '' };
  }

  it('is the toolkit\'s own tslab in --js mode for jslab, when no usable jslab kernelspec is registered', async () => {
    const env = await isolated();
    // A registered spec whose program is not on PATH is passed over for repro's own copy.
    await mkdir(join(env.JUPYTER_PATH!, 'kernels/jslab'), { recursive: true });
    await writeFile(join(env.JUPYTER_PATH!, 'kernels/jslab/kernel.json'), JSON.stringify({ argv: ['tslab', 'kernel', '--js'], language: 'javascript' }));
    const spec = findKernelSpec('jslab', env);
    expect(spec.name).toBe('jslab');
    expect(spec.argv[0]).toBe(process.execPath);
    expect(spec.argv.slice(1)).toEqual([spec.source, 'kernel', '--config-path', '{connection_file}', '--js']);
    expect(spec.source).toMatch(/node_modules\/tslab\/bin\/tslab$/);
    expect(findKernelSpec('tslab', env).argv).not.toContain('--js');
  });

  it('is a KernelSpecNotFoundError naming the kernel and every folder searched for any other kernel', async () => {
    const env = await isolated();
    let error: unknown;
    try {
      findKernelSpec('no-such-kernel', env);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(KernelSpecNotFoundError);
    expect((error as KernelSpecNotFoundError).kernel).toBe('no-such-kernel');
    expect((error as KernelSpecNotFoundError).message).toBe(
      `no kernelspec named no-such-kernel (looked in ${env.JUPYTER_PATH}/kernels, ${env.JUPYTER_DATA_DIR}/kernels, /usr/local/share/jupyter/kernels, /usr/share/jupyter/kernels)`,
    );
  });
});
