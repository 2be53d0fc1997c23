// The run stage: execute research.yaml's entrypoints locally or in the container and report per notebook.
import { assertRunFolderApart } from '../files/run-folder.ts';
import { runLocally } from './local.ts';
import { defaultFailedDir, selectEntrypoints, type NotebookResult, type RunOptions } from './types.ts';

export { executeNotebook, type CellFailure, type ExecutedNotebook, type ExecuteNotebookOptions } from './executor.ts';
export { parseNotebook, readNotebook, serializeNotebook, type Notebook } from './notebook.ts';
export { parseParameter, parseParameters } from './parameters.ts';
export type { NotebookResult, RunOptions } from './types.ts';
export { readRunResults, readRunSpecs, runSpecVersion, writeRunResults, writeRunSpecs, type RunResult, type RunSpec } from './spec.ts';

/**
 * Runs the selected entrypoints (default: all) one after another (each as a RunSpec, src/run/spec.ts), each in a fresh kernel, and returns a result per
 * notebook; a failing notebook does not stop the others. Bad input (malformed notebook, unknown notebook) and
 * environment problems throw.
 */
export async function runEntrypoints(given: RunOptions): Promise<NotebookResult[]> {
  const options = { ...given, failedDir: given.failedDir ?? defaultFailedDir(given.projectDir) };
  const entrypoints = selectEntrypoints(options.loaded.manifest.entrypoints, options.notebooks);
  if (options.outDir !== undefined) {
    await assertRunFolderApart({
      projectDir: options.projectDir,
      outputs: options.loaded.manifest.entrypoints.map((entry) => entry.outputs),
      runFolder: options.outDir,
      given: `--out ${options.outDir}`,
      hint: 'Write the run elsewhere, e.g. --out /tmp/rerun. Outputs replace the committed results only through `repro run` without --out, or `repro accept`.',
    });
  }
  if (options.engine === 'local') return runLocally(options, entrypoints);
  const { runInContainer } = await import('./container.ts');
  return runInContainer(options, entrypoints);
}
