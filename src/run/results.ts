// Between the run stage's values and the run specification: entrypoints → RunSpecs, NotebookResult ⇄ RunResult.
import { relative, resolve } from 'node:path';
import { NotebookError } from '../errors.ts';
import type { Entrypoint, Manifest } from '../manifest/schema.ts';
import { runSpecVersion, type RunResult, type RunSpec } from './spec.ts';
import type { NotebookResult } from './types.ts';

export interface SpecSettings {
  manifest: Manifest;
  parameters?: Record<string, unknown>;
  /** Default: research.yaml's run.seed. */
  seed?: number;
  /** Run-folder root (absolute, or relative to the spec file); absent: the project. */
  outDir?: string;
  failedDir: string;
  image?: RunSpec['image'];
}

/** One spec per entrypoint, with the entrypoint's (else research.yaml's) time limits. */
export function specsFor(entrypoints: readonly Entrypoint[], settings: SpecSettings): RunSpec[] {
  const { manifest } = settings;
  return entrypoints.map((entry) => ({
    version: runSpecVersion,
    notebook: entry.notebook,
    outputs: entry.outputs,
    ...(settings.outDir === undefined ? {} : { outDir: settings.outDir }),
    failedDir: settings.failedDir,
    parameters: settings.parameters ?? {},
    seed: settings.seed ?? manifest.run.seed,
    ...(settings.image ? { image: settings.image } : {}),
    timeouts: { notebookMs: entry.timeout ?? manifest.run.timeout, cellMs: entry.cellTimeout ?? manifest.run.cellTimeout },
    allowErrors: entry.allowErrors ?? false,
  }));
}

/** The entrypoint a spec describes (for code that speaks entrypoints). */
export function entrypointOf(spec: RunSpec): Entrypoint {
  return { notebook: spec.notebook, outputs: spec.outputs, timeout: spec.timeouts.notebookMs, cellTimeout: spec.timeouts.cellMs, allowErrors: spec.allowErrors };
}

/** Plain JSON: the error as its message and hint. */
export function toRunResult(result: NotebookResult): RunResult {
  const { error, ...rest } = result;
  return {
    version: runSpecVersion,
    ...rest,
    ...(error ? { message: error.message, ...(error.hint ? { hint: error.hint } : {}) } : {}),
  };
}

/**
 * Back to the run stage's value; a failed result gets a NotebookError again. Paths in the result are as the executor
 * saw them: `hostPath` maps them to this machine (a container's /out is a host folder).
 */
export function fromRunResult(result: RunResult, hostPath: (path: string) => string = (path) => path): NotebookResult {
  const { version: _version, message, hint, outputsDir, failedNotebook, ...rest } = result;
  const paths = {
    ...(outputsDir === undefined ? {} : { outputsDir: hostPath(outputsDir) }),
    ...(failedNotebook === undefined ? {} : { failedNotebook: hostPath(failedNotebook) }),
  };
  if (result.status === 'ok') return { ...rest, ...paths };
  const headline = message ?? `${result.notebook}: ${result.ename ?? 'Error'}: ${result.evalue ?? 'the notebook failed'}`;
  const error = new NotebookError(stripWhere(headline, result), { notebook: result.notebook, cellIndex: result.cellIndex, hint });
  return { ...rest, ...paths, error };
}

/** A NotebookError's message starts with where; the constructor adds it again. */
function stripWhere(message: string, result: RunResult): string {
  const where = result.cellIndex === undefined ? result.notebook : `${result.notebook} cell ${result.cellIndex}`;
  return message.startsWith(`${where}: `) ? message.slice(where.length + 2) : message;
}

/** A path under `from` (as seen inside a container) moved under `to` (the host folder mounted there). */
export function remapPath(from: string, to: string): (path: string) => string {
  return (path) => {
    const rest = relative(from, path);
    return rest.startsWith('..') ? path : resolve(to, rest);
  };
}
