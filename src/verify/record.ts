// verify.json: the record a reviewer attaches to a review; the only output that carries timestamps.
import { writeFile } from 'node:fs/promises';
import type { RunEngine } from '../run/types.ts';
import type { NotebookOutcome } from './run-record.ts';
import { fails, type FileVerdict } from './types.ts';

export interface VerifyRecord {
  recordVersion: 1;
  toolkitVersion: string;
  /**
   * The image the notebooks ran in (sha256:…): the id of the container's image, taken from the run itself; null for
   * a local run, or a run folder with no run.json.
   */
  imageId: string | null;
  /** Where the notebooks ran: docker, local, or null when an existing run folder was compared. */
  engine: RunEngine | null;
  /** sha256 of research.lock, or null when the project has none. */
  lockHash: string | null;
  runFolder: string;
  /** Each notebook's outcome in the run (status, failing cell, error name); null when not known. */
  notebooks: NotebookOutcome[] | null;
  passed: boolean;
  startedAt: string;
  finishedAt: string;
  files: Array<{
    path: string;
    kind: string;
    verdict: string;
    informational: boolean;
    fails: boolean;
    largestDeviation: string | null;
    where: string | null;
    findings: number;
    committedSha256: string | null;
    rerunSha256: string | null;
  }>;
}

export interface RecordContext {
  toolkitVersion: string;
  imageId: string | null;
  engine: RunEngine | null;
  lockHash: string | null;
  runFolder: string;
  notebooks?: NotebookOutcome[] | null;
  startedAt: Date;
  finishedAt: Date;
}

export function buildRecord(files: FileVerdict[], context: RecordContext): VerifyRecord {
  return {
    recordVersion: 1,
    toolkitVersion: context.toolkitVersion,
    imageId: context.imageId,
    engine: context.engine,
    lockHash: context.lockHash,
    runFolder: context.runFolder,
    notebooks: context.notebooks ?? null,
    passed: !files.some(fails),
    startedAt: context.startedAt.toISOString(),
    finishedAt: context.finishedAt.toISOString(),
    files: files.map((file) => ({
      path: file.path,
      kind: file.kind,
      verdict: file.verdict,
      informational: file.informational,
      fails: fails(file),
      largestDeviation: file.largest?.text ?? null,
      where: file.largest?.where ?? null,
      findings: file.findingCount,
      committedSha256: file.committedSha256 ?? null,
      rerunSha256: file.rerunSha256 ?? null,
    })),
  };
}

export async function writeRecord(path: string, record: VerifyRecord): Promise<void> {
  await writeFile(path, JSON.stringify(record, null, 2) + '\n');
}
