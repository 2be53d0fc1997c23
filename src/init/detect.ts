// What `repro init` finds without running anything: every detector over the repository's files, composed into one
// Proposal (plain data) that the YAML writer turns into a commented research.yaml.
import { basename, posix, resolve } from 'node:path';
import type { KernelName, Tolerance } from '../manifest/schema.ts';
import type { CellProposal } from './cell-variation.ts';
import { detectData, type DataProposal } from './data.ts';
import { chooseDebianIndex, resolveDependencies, type DebianIndex, type Dependency } from './debian.ts';
import { listRepoFiles, type RepoFile } from './files.ts';
import { surveyNotebooks, outputsSnippet, type SavedError, type UnusableNotebook } from './notebooks.ts';
import { detectNpm } from './npm.ts';
import { proposeOutputs } from './outputs.ts';
import { pythonDependencies } from './python.ts';
import { drawsFigures, rDependencies } from './r.ts';
import { runTimeInstalls } from './installs.ts';

export interface EntrypointProposal {
  notebook: string;
  kernel: KernelName;
  language: string;
  outputs: string;
  /** Why this outputs folder. */
  outputsWhy: string;
  /** TODO lines for the author, written beside the entrypoint. */
  todo: string[];
  /** What --discover saw, written beside the entrypoint. */
  seen: string[];
  /** Error outputs saved in the notebook, in cells not tagged raises-exception. */
  savedErrors?: SavedError[];
}

export interface VerifyProposal {
  glob: string;
  rule: Tolerance;
  why: string;
  /** For a notebook: its cell rules (also in `rule.cells`), each with its own why. */
  cells?: CellProposal[];
}

export interface Proposal {
  name: string;
  /** Kernels besides tslab and jslab. */
  kernels: KernelName[];
  apt: Array<{ package: string; why: string }>;
  /** Dependencies with no Debian package: "foo (requirements.txt): no Debian package python3-foo (…)". */
  aptTodo: string[];
  lockfile?: string;
  npmTodo?: string;
  data: DataProposal[];
  entrypoints: EntrypointProposal[];
  unusable: UnusableNotebook[];
  verify: VerifyProposal[];
  /** Lines for the head of the file (what --discover did, what init cannot know). */
  notes: string[];
}

export interface DetectOptions {
  /** Where Debian package names are checked; default: this machine's apt-cache if Debian, else a built-in table. */
  debian?: DebianIndex;
}

export interface Detection {
  proposal: Proposal;
  files: RepoFile[];
  git: boolean;
}

export async function detectProject(root: string, options: DetectOptions = {}): Promise<Detection> {
  const { files, git } = await listRepoFiles(root);
  const survey = await surveyNotebooks(root, files);
  const data = await detectData(root, files);
  const npm = detectNpm(files, survey.notebooks);
  const python = await pythonDependencies(root, files, survey.notebooks);
  const dependencies = dedupe([...python.dependencies, ...rDependencies(survey.notebooks)]);
  const resolved = await resolveDependencies(dependencies, options.debian ?? (await chooseDebianIndex()));

  const apt = resolved.apt.map((item) => ({ package: item.package, why: item.for.map(describeDependency).join('; ') }));
  const plotting = survey.notebooks.filter((nb) => nb.language === 'R' && drawsFigures(nb.code));
  if (plotting.length > 0 && !apt.some((item) => item.package.startsWith('fonts-'))) {
    apt.push({ package: 'fonts-dejavu-core', why: `R draws the text of figures with the system's fonts, and the image has none (${plotting.map((nb) => nb.path).join(', ')})` });
  }
  const aptTodo = [
    ...resolved.unresolved.map((item) => `${describeDependency(item.dependency)}: ${item.reason}`),
    ...python.skipped.map((item) => `${item.from}: "${item.text}" is ${item.reason}`),
  ];

  const kept = { paths: [...files.map((file) => file.path), 'research.yaml', 'research.lock', 'package.json', '.git', 'node_modules'] };
  const outputs = proposeOutputs(survey.notebooks, kept);
  const gitState = new Map(files.map((file) => [file.path, file.git]));
  const entrypoints = survey.notebooks.map((nb, i): EntrypointProposal => {
    const todo: string[] = [];
    const state = gitState.get(nb.path);
    if (state !== undefined && state !== 'tracked') todo.push(`git does not track this notebook, and the image holds only the files git tracks: git add ${nb.path}`);
    if (!nb.readsOutputsVariable) {
      todo.push(`${staticOutputsTodo}, and repro keeps only what a notebook writes there: write its outputs into that folder, e.g. ${outputsSnippet(nb.language, posix.relative(posix.dirname(nb.path), outputs[i].outputs))}`);
    }
    const installs = runTimeInstalls(nb);
    if (installs.calls.length > 0) {
      todo.push(
        `it installs packages as it runs (${installs.calls.join('; ')}): in the container, with no network and a read-only file system, that fails. ` +
          `The packages are proposed under apt: (or in its TODO when Debian lacks one): remove ${installs.calls.length === 1 ? 'the call' : 'the calls'} from the notebook`,
      );
    }
    for (const saved of nb.savedErrors) todo.push(savedErrorTodo(saved, 'its saved outputs show'));
    const savedErrors = nb.savedErrors.length > 0 ? { savedErrors: nb.savedErrors } : {};
    return { notebook: nb.path, kernel: nb.kernel, language: nb.language, outputs: outputs[i].outputs, outputsWhy: outputs[i].why, todo, seen: [], ...savedErrors };
  });
  // tslab and jslab are in every image; python3 and ir are build packs research.yaml must ask for.
  const kernels = [...new Set(survey.notebooks.map((nb) => nb.kernel).filter((k) => k === 'python3' || k === 'ir'))].sort();
  const proposal: Proposal = {
    name: projectName(root),
    kernels,
    apt,
    aptTodo,
    lockfile: npm.lockfile,
    npmTodo: npm.todo,
    data,
    entrypoints,
    unusable: survey.unusable,
    verify: [],
    notes: git ? ['The image holds the files git tracks: commit research.yaml, and every file the notebooks read, before `repro build`.'] : [],
  };
  return { proposal, files, git };
}

/** How the TODO for a notebook whose code does not read REPRO_OUTPUTS begins (--discover replaces or drops it). */
export const staticOutputsTodo = 'this notebook does not read REPRO_OUTPUTS';

/**
 * The TODO for an error a cell raises (in its saved outputs, or in a --discover run as well): repro run stops at an
 * untagged error, and only the author knows whether the error is the point of the cell.
 */
export function savedErrorTodo(saved: SavedError, what: string): string {
  return (
    `cell ${saved.cell} raises ${saved.ename}${saved.evalue ? ` (${saved.evalue})` : ''}: ${what} it, and repro run stops at an error. ` +
    'If the error is intended, tag the cell `raises-exception` (the run keeps the error and goes on); if errors are part of this notebook, ' +
    'set `allowErrors: true` on this entrypoint; otherwise fix the cell'
  );
}

function describeDependency(dependency: Dependency): string {
  if (dependency.installed) return `${dependency.name} (installed by ${dependency.from} as it runs)`;
  if (dependency.imported) return `${dependency.name} (${dependency.ecosystem === 'r' ? 'loaded' : 'imported'} in ${dependency.from})`;
  if (dependency.pinned) return `${dependency.name} (${dependency.from} pins "${dependency.pinned}"; the image gets Debian's version, pinned in research.lock)`;
  return `${dependency.name} (${dependency.from})`;
}

/** One entry per name and place. */
function dedupe(dependencies: Dependency[]): Dependency[] {
  const seen = new Set<string>();
  return dependencies.filter((dependency) => {
    const key = `${dependency.ecosystem} ${dependency.name.toLowerCase()} ${dependency.from}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The folder's name as research.yaml's `name` allows it: lowercase letters, digits, ".", "_", "-". */
export function projectName(root: string): string {
  const name = basename(resolve(root))
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .replace(/-+$/, '');
  return name || 'analysis';
}
