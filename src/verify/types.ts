// The plain values the diff engine produces: one verdict per file, with the largest deviation and where it is.
import type { Tolerance } from '../manifest/schema.ts';
import type { Deadline } from './limits.ts';

export type FileKind = 'csv' | 'json' | 'png' | 'svg' | 'ipynb' | 'text' | 'binary';

/**
 * identical/within tolerance pass; the others fail unless the file is informational. `special`: a link, FIFO,
 * socket or device on either side, never read. `not compared`: the comparison ran past its time limit.
 */
export type Verdict = 'identical' | 'within tolerance' | 'differs' | 'missing' | 'extra' | 'unreadable' | 'special' | 'not compared';

/** The single most telling deviation of a file, for the summary table. */
export interface Deviation {
  /** What the deviation is, e.g. "|Δ| 0.013 (rel 2.1e-2)" or "412 pixels (0.21%)". */
  text: string;
  /** Where it is, e.g. 'row 3, column "auc"', "$.models[2].auc", "cell 4", "line 12". */
  where: string;
  /** How far beyond (>1) or within (<=1) the tolerance; ranks deviations of one file. */
  score: number;
}

/** One differing place, shown in the report (table cells, JSON paths, notebook outputs, lines). */
export interface Finding {
  where: string;
  committed: string;
  rerun: string;
  deviation: string;
  /** Within tolerance: shown but not failing. */
  withinTolerance: boolean;
  /** A table row with no partner on the other side (committed holds a deleted row, rerun an inserted one). */
  change?: 'deleted' | 'inserted';
}

/** Decoded pixels: RGBA, 4 bytes per pixel, rows top to bottom. */
export interface Image {
  width: number;
  height: number;
  data: Uint8Array;
}

/** A PNG file's bytes, or pixels that the report encodes only if it shows them (encoding is the slow part). */
export type FigureImage = Uint8Array | Image;

/** Committed, re-run and diff images of one figure, for the report. */
export interface FigureDiff {
  label: string;
  committed?: FigureImage;
  rerun?: FigureImage;
  diff?: FigureImage;
  differingPixels?: number;
  totalPixels?: number;
  /** Changed regions (nearby ones merged), largest first, at most `regionLimit` of them, for zoomed crops. */
  regions?: FigureRegion[];
  /** How many regions there were before the list was capped. */
  regionCount?: number;
}

/** A rectangle of changed pixels: inclusive bounds, and how many changed pixels it holds. */
export interface FigureRegion {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  pixels: number;
}

/** What a comparer returns for one pair of files. */
export interface Comparison {
  verdict: Verdict;
  largest?: Deviation;
  /** Whole-file remarks: "rows reordered", "columns added: x", a parse error. */
  notes: string[];
  findings: Finding[];
  /** How many findings there were before the list was capped. */
  findingCount: number;
  figures: FigureDiff[];
  /** Unified diff for text-like files. */
  textDiff?: string;
}

export interface FileVerdict extends Comparison {
  /** Path relative to the repository, with forward slashes, e.g. results/starcraft/accuracy.csv. */
  path: string;
  kind: FileKind;
  informational: boolean;
  committedSha256?: string;
  rerunSha256?: string;
}

/** The context a comparer gets: the repository path (for messages) and the tolerance that applies. */
export interface CompareContext {
  path: string;
  tolerance: Tolerance;
  /** When the file's time limit runs out; comparers that loop long check it. */
  deadline?: Deadline;
}

export type Comparer = (committed: Buffer, rerun: Buffer, context: CompareContext) => Promise<Comparison> | Comparison;

/** Findings kept per file; the rest are counted, so that a reordered 100k-row table does not flood the report. */
export const findingLimit = 50;

export function passes(verdict: Verdict): boolean {
  return verdict === 'identical' || verdict === 'within tolerance';
}

/** A file fails verification when its verdict does not pass and it is not informational. */
export function fails(file: Pick<FileVerdict, 'verdict' | 'informational'>): boolean {
  return !passes(file.verdict) && !file.informational;
}
