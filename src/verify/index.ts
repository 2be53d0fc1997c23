// The verify stage: compare a run folder with the committed results, then write report.html and verify.json.
// Plain values in, plain values out; the CLI decides what to print and how to exit.
import { readFile } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import type { RunEngine } from '../run/types.ts';
import { toolkitVersion } from '../version.ts';
import { sha256 } from './comparers/binary.ts';
import { buildRecord, writeRecord, type VerifyRecord } from './record.ts';
import { writeReport } from './report.ts';
import { describeFailure, type NotebookOutcome } from './run-record.ts';
import type { ToleranceRules } from './tolerance.ts';
import { compareTrees } from './tree.ts';
import type { FileVerdict } from './types.ts';

export interface VerifyOptions {
  projectDir: string;
  /** The run folder (mirrors the repository layout). */
  runFolder: string;
  /** Entrypoint outputs folders, repository-relative. */
  outputs: string[];
  rules: ToleranceRules;
  /** Where report.html, verify.json and diff/ go; default the run folder. */
  reportDir?: string;
  imageId?: string | null;
  /** Each notebook's outcome in the run, from its run record; null when not known. */
  notebooks?: NotebookOutcome[] | null;
  /** Where the notebooks ran; null when the run folder was given (--no-run). */
  engine?: RunEngine | null;
  /** When the verification started (before the run, if there was one); default now. */
  startedAt?: Date;
}

export interface VerifyOutcome {
  files: FileVerdict[];
  passed: boolean;
  record: VerifyRecord;
  reportPath: string;
  recordPath: string;
  /** Time spent comparing, without writing the report. */
  diffMs: number;
}

export async function verifyRunFolder(options: VerifyOptions): Promise<VerifyOutcome> {
  const startedAt = options.startedAt ?? new Date();
  const diffStart = performance.now();
  const { files, passed } = await compareTrees({
    committedRoot: options.projectDir,
    rerunRoot: options.runFolder,
    outputs: options.outputs,
    rules: options.rules,
  });
  explainMissing(files, options.notebooks ?? []);
  const diffMs = performance.now() - diffStart;
  const reportDir = options.reportDir ?? options.runFolder;
  const meta = { toolkitVersion, imageId: options.imageId ?? null, engine: options.engine ?? null, lockHash: await lockHash(options.projectDir), runFolder: shownPath(options.projectDir, options.runFolder) };
  const reportPath = await writeReport(reportDir, files, { ...meta, notebooks: options.notebooks ?? null });
  const record = buildRecord(files, { ...meta, notebooks: options.notebooks ?? null, startedAt, finishedAt: new Date() });
  const recordPath = join(reportDir, 'verify.json');
  await writeRecord(recordPath, record);
  return { files, passed, record, reportPath, recordPath, diffMs };
}

/** A committed file missing from the re-run because its notebook failed says so, rather than only "missing". */
export function explainMissing(files: FileVerdict[], notebooks: readonly NotebookOutcome[]): void {
  for (const file of files) {
    if (file.verdict !== 'missing' || !file.largest) continue;
    const failed = notebooks.find((outcome) => outcome.status === 'failed' && (file.path === outcome.outputs || file.path.startsWith(`${outcome.outputs}/`)));
    if (!failed) continue;
    file.largest = { ...file.largest, text: `its notebook ${describeFailure(failed)}` };
    file.notes = [...file.notes, `not written: ${failed.notebook} ${describeFailure(failed)} before writing it`];
  }
}

async function lockHash(projectDir: string): Promise<string | null> {
  try {
    return sha256(await readFile(join(projectDir, 'research.lock')));
  } catch {
    return null;
  }
}

export { compareFile, kindOf } from './comparers/index.ts';
export { acceptRun, planAccept, type AcceptChange, type AcceptPlan } from './accept.ts';
export { formatSummary, closingLine } from './summary.ts';
export { renderReport, writeReport } from './report.ts';
export { buildRecord, type VerifyRecord } from './record.ts';
export { buildRunRecord, readRunRecord, writeRunRecord, type NotebookOutcome, type RunRecord } from './run-record.ts';
export { resolveTolerance, type ToleranceRules } from './tolerance.ts';
export { compareTrees, type TreeComparison } from './tree.ts';
export { fails, passes, type Comparison, type FileKind, type FileVerdict, type Verdict } from './types.ts';

/** The run folder as a reviewer may share it: relative to the project when inside it, never a host home path. */
function shownPath(projectDir: string, folder: string): string {
  const rel = relative(resolve(projectDir), resolve(folder));
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? basename(resolve(folder)) : rel;
}
