// Which kernel runs a notebook: the one its metadata.kernelspec names, as in Jupyter. A kernel name repro has no
// pack for is matched by the notebook's language (a notebook saved from a conda env names `conda-env-x-py`).
import { ManifestError } from '../errors.ts';
import { kernelNames, type KernelName, type Manifest } from '../manifest/schema.ts';
import { buildPacks, packKernels } from '../packs/index.ts';
import type { Notebook } from './notebook.ts';

export interface NotebookKernel {
  /** The kernel repro starts for it. */
  name: KernelName;
  /** What the notebook's metadata says, when that is another name. */
  requested: string;
  /** The language, for parameter literals: typescript, javascript, python, R. */
  language: string;
}

const byLanguage: Record<string, KernelName> = { typescript: 'tslab', javascript: 'jslab', python: 'python3', r: 'ir' };
const languageOf: Record<KernelName, string> = { tslab: 'typescript', jslab: 'javascript', python3: 'python', ir: 'R' };

/** The notebook's kernel; bad or missing kernel metadata is the notebook's mistake (exit 2). */
export function notebookKernel(notebook: Notebook, name: string): NotebookKernel {
  const spec = record(notebook.metadata.kernelspec);
  const info = record(notebook.metadata.language_info);
  const requested = typeof spec?.name === 'string' ? spec.name : undefined;
  if (requested && (kernelNames as readonly string[]).includes(requested)) {
    const kernel = requested as KernelName;
    return { name: kernel, requested, language: languageOf[kernel] };
  }
  const language = [spec?.language, info?.name].find((value): value is string => typeof value === 'string');
  const kernel = language ? byLanguage[language.toLowerCase()] : undefined;
  if (kernel) return { name: kernel, requested: requested ?? language ?? kernel, language: languageOf[kernel] };
  const said = requested ? `names the kernel "${requested}"${language ? ` (language ${language})` : ''}` : 'has no metadata.kernelspec';
  throw new ManifestError(`${name} ${said}, and repro runs only ${kernelNames.join(', ')}`, {
    hint: requested
      ? 'Open it in Jupyter and choose one of those kernels (Kernel → Change kernel), then save it.'
      : 'Open it in Jupyter, choose its kernel (Kernel → Change kernel) and save it, so the notebook says which kernel runs it.',
  });
}

/** The kernels the project's image has: repro's own two, and those research.yaml asks for. */
export function imageKernels(manifest: Manifest): Set<KernelName> {
  return new Set(packKernels(buildPacks(manifest.environment)).keys());
}

/** Refuse (exit 2) an entrypoint whose kernel the image would not have, naming the field to add. */
export function assertImageHasKernel(manifest: Manifest, notebook: string, kernel: NotebookKernel): void {
  if (imageKernels(manifest).has(kernel.name)) return;
  const wanted = [...new Set([...manifest.environment.kernels, kernel.name])].sort();
  throw new ManifestError(`${notebook} runs on the ${kernel.name} kernel, which the image does not have`, {
    hint: `Add it to research.yaml: environment.kernels: [${wanted.join(', ')}], then run \`repro lock\`.`,
  });
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
