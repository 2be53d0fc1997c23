// Runs entrypoints with a tslab kernel on this machine: one fresh kernel and one fresh outputs folder per
// notebook; success renames the folder into place, failure keeps the partial notebook in the failed folder.
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { ensureData } from '../data/index.ts';
import { swapFolder } from '../files/swap.ts';
import { EngineError, ExitCode, NotebookError, ReproError } from '../errors.ts';
import { KernelDiedError, KernelTimeoutError, startKernel, type LeftoverProcess } from '../kernel/kernel.ts';
import { findKernelSpec, KernelSpecNotFoundError, type KernelSpec } from '../kernel/kernelspec.ts';
import type { Entrypoint } from '../manifest/schema.ts';
import { cleanNotebook, pathScrubber } from './clean.ts';
import { executeNotebook, type CellFailure } from './executor.ts';
import { noErrorRaisedHint, noErrorRaisedName } from './expected-errors.ts';
import { isNetworkFailure, noNetworkHint } from './network-failure.ts';
import { readNotebook, serializeNotebook, type Notebook } from './notebook.ts';
import { injectParameters } from './parameters.ts';
import { notebookKernel, type NotebookKernel } from './kernel-choice.ts';
import { kernelEnvironment } from './environment.ts';
import { oomKills } from './memory.ts';
import { refuseSpecialOutputs } from './output-check.ts';
import { entrypointOf, specsFor } from './results.ts';
import type { RunSpec } from './spec.ts';
import { defaultFailedDir, type NotebookResult, type RunOptions } from './types.ts';
import type { LoadedManifest } from '../manifest/load.ts';
import type { Progress } from '../cli/progress.ts';

export async function runLocally(options: RunOptions, entrypoints: Entrypoint[]): Promise<NotebookResult[]> {
  const projectDir = resolve(options.projectDir);
  const specs = specsFor(entrypoints, {
    manifest: options.loaded.manifest,
    parameters: options.parameters,
    seed: options.seed,
    ...(options.outDir === undefined ? {} : { outDir: resolve(options.outDir) }),
    failedDir: resolve(options.failedDir ?? defaultFailedDir(projectDir)),
  });
  return runSpecsLocally({ projectDir, loaded: options.loaded, progress: options.progress, signal: options.signal }, specs, projectDir);
}

/** What running a spec on this machine needs besides the spec. */
export interface LocalContext {
  projectDir: string;
  loaded: LoadedManifest;
  progress: Progress;
  /** Owned by the CLI (Ctrl-C): aborting kills the running kernel and runs no further notebook. */
  signal?: AbortSignal;
}

/**
 * Runs specs one after another, each in a fresh kernel; `baseDir` is the folder relative paths in the specs are
 * resolved against (the spec file's). A failing notebook does not stop the others.
 */
export async function runSpecsLocally(context: LocalContext, specs: readonly RunSpec[], baseDir: string): Promise<NotebookResult[]> {
  const projectDir = resolve(context.projectDir);
  // The data files must be in place (and match their pins) before any notebook reads them.
  await ensureData(projectDir, context.loaded.manifest.data, { progress: context.progress });
  // Every notebook is read and validated before any runs: a malformed file is bad input, not a failed run.
  const notebooks = await Promise.all(specs.map((spec) => readNotebook(join(projectDir, spec.notebook), spec.notebook)));
  // …and every kernel found: a missing one is known before the first notebook spends its minutes.
  const kernels = specs.map((spec, i) => localKernel(spec.notebook, notebookKernel(notebooks[i], spec.notebook)));
  // …and every -p value written in each notebook's language (a name R allows may not be one Python does).
  for (const [i, notebook] of notebooks.entries()) injectParameters(notebook, specs[i].parameters, kernels[i].choice.language);
  const results: NotebookResult[] = [];
  for (const [i, spec] of specs.entries()) {
    context.signal?.throwIfAborted();
    results.push(await runOne(context, projectDir, baseDir, spec, notebooks[i], kernels[i]));
  }
  context.signal?.throwIfAborted();
  return results;
}

interface ChosenKernel {
  choice: NotebookKernel;
  spec: KernelSpec;
}

/** The kernelspec on this machine for the notebook's kernel; none is an environment problem with the fix. */
function localKernel(notebook: string, choice: NotebookKernel): ChosenKernel {
  try {
    return { choice, spec: findKernelSpec(choice.name) };
  } catch (error) {
    if (!(error instanceof KernelSpecNotFoundError)) throw error;
    const install = { python3: 'Debian\'s python3-ipykernel', ir: 'Debian\'s r-cran-irkernel' }[choice.name as 'python3' | 'ir'] ?? 'the kernel';
    throw new EngineError(`${notebook} needs the ${choice.name} kernel, and this machine has none: ${error.message}`, {
      hint: `Run it in the container (repro run, with ${choice.name} under environment.kernels in research.yaml), or install ${install} here.`,
      cause: error,
    });
  }
}

async function runOne(
  context: LocalContext,
  projectDir: string,
  baseDir: string,
  spec: RunSpec,
  source: Notebook,
  kernel: ChosenKernel,
): Promise<NotebookResult> {
  const started = Date.now();
  const entry = entrypointOf(spec);
  const destination = resolve(spec.outDir === undefined ? projectDir : resolve(baseDir, spec.outDir), entry.outputs);
  let staging: string;
  try {
    await mkdir(dirname(destination), { recursive: true });
    // Beside the destination, so the final rename stays on one file system (atomic).
    staging = await mkdtemp(join(dirname(destination), `.${basename(destination)}.repro-`));
  } catch (error) {
    throw new ReproError(`cannot write the outputs of ${entry.notebook} to ${dirname(destination)}: ${(error as Error).message}`, {
      exitCode: ExitCode.environment,
      hint: 'Make the folder writable, or write the outputs elsewhere with --out DIR.',
      cause: error,
    });
  }
  // Stopped by Ctrl-C mid-run, repro exits from a signal handler: the half-written folder must not stay behind.
  const removeStaging = () => rmSync(staging, { recursive: true, force: true });
  process.on('exit', removeStaging);
  try {
    const failedDir = resolve(baseDir, spec.failedDir);
    return await runInStaging({ ...context, spec, entry, failedDir }, projectDir, source, kernel, destination, staging, started);
  } finally {
    process.off('exit', removeStaging);
    // Gone already after success (renamed into place); anything else leaves nothing half-written behind.
    await rm(staging, { recursive: true, force: true });
  }
}

interface OneRun extends LocalContext {
  spec: RunSpec;
  entry: Entrypoint;
  failedDir: string;
}

async function runInStaging(
  options: OneRun,
  projectDir: string,
  source: Notebook,
  chosen: ChosenKernel,
  destination: string,
  staging: string,
  started: number,
): Promise<NotebookResult> {
  const { manifest } = options.loaded;
  const { entry, spec } = options;
  const parameters = spec.parameters;
  const injected = injectParameters(source, parameters, chosen.choice.language);
  for (const warning of injected.warnings) options.progress.log(`${entry.notebook}: ${warning}`);
  const scrub = pathScrubber(await pathsToHide(projectDir, staging, entry.outputs.replace(/\/+$/, '')));

  let kernel;
  try {
    // As in Jupyter, the kernel starts in the notebook's folder; the project and the outputs are named by variables.
    kernel = await startKernel({
      spec: chosen.spec,
      cwd: dirname(join(projectDir, entry.notebook)),
      baseEnv: kernelEnvironment(process.env, manifest.run.env),
      env: { REPRO_OUTPUTS: staging, REPRO_PROJECT_ROOT: projectDir, REPRO_SEED: String(spec.seed) },
      onRestart: (reason) => options.progress.log(`${entry.notebook}: the ${chosen.choice.name} kernel did not start (${reason}); starting it once more`),
    });
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    const detail =
      error instanceof KernelDiedError || error instanceof KernelTimeoutError ? `${error.message}\n${lastLines(error.outputTail, 20)}` : String(error);
    throw new EngineError(`the ${chosen.choice.name} kernel (${chosen.spec.source}) did not start for ${entry.notebook}: ${detail.trim()}`, {
      hint: chosen.spec.name === 'tslab' || chosen.spec.name === 'jslab' ? 'Run `npm ci` in repro so that it holds tslab and zeromq.' : `Check that ${chosen.spec.argv[0]} runs here.`,
      cause: error,
    });
  }
  let executed;
  let languageInfo: unknown;
  let leftovers: LeftoverProcess[] = [];
  // Ctrl-C: the kernel is killed, the cell fails as a dead kernel, and the caller stops after this notebook.
  const onAbort = () => kernel.process.killGroup('SIGKILL');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    executed = await executeNotebook({
      name: entry.notebook,
      notebook: injected.notebook,
      kernel,
      cellTimeoutMs: spec.timeouts.cellMs,
      notebookTimeoutMs: spec.timeouts.notebookMs,
      progress: options.progress,
      injectedAt: injected.injectedAt,
      oomKills,
      allowErrors: spec.allowErrors,
    });
    languageInfo = kernel.info.language_info;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    leftovers = await kernel.shutdown();
  }
  const warnings = [...executed.warnings, ...(leftovers.length > 0 ? [leftoverWarning(leftovers)] : [])];
  for (const warning of warnings) options.progress.log(`${entry.notebook}: warning: ${warning}`);
  const notebook = cleanNotebook(executed.notebook, { languageInfo, parameters, scrub });
  const fileName = basename(entry.notebook);
  const base = { notebook: entry.notebook, outputs: entry.outputs, elapsedMs: Date.now() - started, ...(warnings.length > 0 ? { warnings } : {}) };

  if (!executed.failure) {
    await writeFile(join(staging, fileName), serializeNotebook(notebook));
    const refused = await refuseSpecialOutputs(staging, entry, base);
    if (refused) return refused;
    await swapFolder(staging, destination);
    return { ...base, status: 'ok', outputsDir: destination };
  }
  const { failedDir } = options;
  await mkdir(failedDir, { recursive: true });
  const failedNotebook = join(failedDir, fileName);
  await writeFile(failedNotebook, serializeNotebook(notebook));
  await rm(staging, { recursive: true, force: true });
  const failure = scrubFailure(executed.failure, scrub);
  return {
    ...base,
    status: 'failed',
    failedNotebook,
    error: notebookError(entry.notebook, failure, relative(projectDir, failedNotebook) || failedNotebook),
    cellIndex: failure.cellIndex,
    ename: failure.ename,
    evalue: failure.evalue,
    traceback: failure.traceback,
  };
}

/** `offline`: the run had no network, so a cell failing to reach it is told why. */
export function notebookError(notebook: string, failure: CellFailure, failedNotebook: string, offline = false): NotebookError {
  // The traceback's own first line usually repeats "ename: evalue"; print the rest under the headline.
  const headline = `${failure.ename}: ${failure.evalue}`;
  const trace = failure.traceback.filter((line) => line.trim() !== '' && line !== headline);
  const body = trace.length > 0 ? `\n${trace.map((line) => `    ${line}`).join('\n')}` : '';
  // A tagged cell that raised nothing: every cell ran, and the fix is in the notebook (the tag or the cell).
  const kept = `The partially executed notebook is in ${failedNotebook}; outputs were left as they were.`;
  const hint = failure.ename === noErrorRaisedName ? noErrorRaisedHint(failedNotebook) : offline && isNetworkFailure(failure) ? `${noNetworkHint}. ${kept}` : kept;
  return new NotebookError(headline + body, { notebook, cellIndex: failure.cellIndex, hint });
}

function leftoverWarning(leftovers: LeftoverProcess[]): string {
  const list = leftovers.map((leftover) => `${leftover.command} (pid ${leftover.pid})`).join(', ');
  const count = leftovers.length === 1 ? 'a process' : `${leftovers.length} processes`;
  return `the notebook left ${count} running, killed after it: ${list}`;
}

function scrubFailure(failure: CellFailure, scrub: (text: string) => string): CellFailure {
  return { ...failure, evalue: scrub(failure.evalue), traceback: failure.traceback.map(scrub) };
}

/** Both the given and the resolved (symlink-free) spelling of each folder may appear in outputs. */
async function pathsToHide(projectDir: string, staging: string, outputs: string): Promise<Array<[string, string]>> {
  const pairs: Array<[string, string]> = [
    [staging, outputs],
    [projectDir, '.'],
  ];
  for (const [from, to] of [...pairs]) {
    const real = await realpath(from).catch(() => from);
    if (real !== from) pairs.push([real, to]);
  }
  return pairs;
}


/** The last `count` lines of a kernel's start-up output: enough to show an error, not a whole log. */
function lastLines(text: string, count: number): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}
