// run.json: what the run that filled a run folder did, notebook by notebook, and the image it ran in. `repro verify`
// writes it beside the outputs; `repro accept` takes from it which notebooks succeeded, `verify --no-run` the image.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { UsageError } from '../errors.ts';
import type { NotebookResult, RunEngine } from '../run/types.ts';

export const runRecordFile = 'run.json';

const notebookOutcomeSchema = z.object({
  notebook: z.string(),
  outputs: z.string(),
  status: z.enum(['ok', 'failed']),
  /** 0-based index of the failing cell, as `repro run` names it. */
  cellIndex: z.number().int().nonnegative().nullable(),
  /** The error's name (ZeroDivisionError, KernelDied …), null when the notebook succeeded. */
  error: z.string().nullable(),
  message: z.string().nullable(),
  /** What the run warned about: errors an allowErrors entrypoint let through, processes killed after it (absent before). */
  warnings: z.array(z.string()).optional(),
});

const runRecordSchema = z.object({
  recordVersion: z.literal(1),
  engine: z.enum(['docker', 'podman', 'local']),
  /** The image the container was created from (sha256:…), null for a local run. */
  imageId: z.string().nullable(),
  notebooks: z.array(notebookOutcomeSchema),
});

export type NotebookOutcome = z.infer<typeof notebookOutcomeSchema>;
export type RunRecord = z.infer<typeof runRecordSchema>;

export function buildRunRecord(results: readonly NotebookResult[], engine: RunEngine): RunRecord {
  return {
    recordVersion: 1,
    engine,
    imageId: results.find((result) => result.imageId !== undefined)?.imageId ?? null,
    notebooks: results.map((result) => ({
      notebook: result.notebook,
      outputs: result.outputs.replace(/\/+$/, ''),
      status: result.status,
      cellIndex: result.status === 'failed' ? (result.cellIndex ?? null) : null,
      error: result.status === 'failed' ? (result.ename ?? result.error?.name ?? 'Error') : null,
      message: result.status === 'failed' ? (result.error?.message ?? result.evalue ?? null) : null,
      warnings: result.warnings ?? [],
    })),
  };
}

/** "failed (cell 4: ZeroDivisionError)", as `repro run` names a failure. */
export function describeFailure(outcome: NotebookOutcome): string {
  const what = [outcome.cellIndex === null ? undefined : `cell ${outcome.cellIndex}`, outcome.error ?? undefined].filter(Boolean).join(': ');
  return what === '' ? 'failed' : `failed (${what})`;
}

export async function writeRunRecord(runFolder: string, record: RunRecord): Promise<void> {
  await writeFile(join(runFolder, runRecordFile), JSON.stringify(record, null, 2) + '\n');
}

/** The folder's run.json; undefined when it has none (a folder `repro run --out` wrote, or a run before run.json). */
export async function readRunRecord(runFolder: string): Promise<RunRecord | undefined> {
  const file = join(runFolder, runRecordFile);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`, 'Run `repro verify` again to make a fresh run folder.');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file} is not JSON: ${(error as Error).message}`, 'Run `repro verify` again to make a fresh run folder.');
  }
  const result = runRecordSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new UsageError(
      `${file} is not a run record: ${issue.path.join('.') || 'the top level'}: ${issue.message}`,
      'It is written by `repro verify`; run it again to make a fresh run folder.',
    );
  }
  return result.data;
}
