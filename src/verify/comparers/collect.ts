// Accumulates findings for one file: keeps the first few for the report, the largest deviation for the table.
import { findingLimit, type Comparison, type Deviation, type FigureDiff, type Finding } from '../types.ts';

export class FindingCollector {
  readonly findings: Finding[] = [];
  readonly notes: string[] = [];
  readonly figures: FigureDiff[] = [];
  count = 0;
  failed = false;
  largest?: Deviation;
  textDiff?: string;

  /** Records one differing place; `score` > 1 (or not ok) means beyond tolerance. */
  add(finding: Finding, score: number): void {
    this.count++;
    if (!finding.withinTolerance) this.failed = true;
    if (this.findings.length < findingLimit) this.findings.push(finding);
    this.consider({ text: finding.deviation, where: finding.where, score });
  }

  /** Keeps the deviation furthest beyond its tolerance (ties: the first seen). */
  consider(deviation: Deviation): void {
    if (!this.largest || deviation.score > this.largest.score) this.largest = deviation;
  }

  /** A difference that is not a single place (a missing column, a size change): always fails. */
  fail(note: string, where = 'file'): void {
    this.failed = true;
    this.notes.push(note);
    this.consider({ text: note, where, score: Infinity });
  }

  /** Merges a nested comparison (a notebook output compared as CSV/PNG/JSON) under a location prefix. */
  merge(prefix: string, inner: Comparison): void {
    for (const finding of inner.findings) this.add({ ...finding, where: `${prefix}: ${finding.where}` }, 0);
    this.count += inner.findingCount - inner.findings.length;
    for (const note of inner.notes) this.notes.push(`${prefix}: ${note}`);
    for (const figure of inner.figures) this.figures.push({ ...figure, label: `${prefix} ${figure.label}`.trim() });
    if (inner.largest) this.consider({ ...inner.largest, where: `${prefix}: ${inner.largest.where}` });
    if (inner.verdict !== 'identical' && inner.verdict !== 'within tolerance') this.failed = true;
    if (inner.textDiff) this.textDiff = (this.textDiff ? this.textDiff + '\n' : '') + inner.textDiff;
  }

  /** identical when nothing was found, within tolerance when every finding was, else differs. */
  result(): Comparison {
    const verdict = this.failed ? 'differs' : this.count > 0 ? 'within tolerance' : 'identical';
    return {
      verdict,
      largest: this.largest,
      notes: this.notes,
      findings: this.findings,
      findingCount: this.count,
      figures: this.figures,
      textDiff: this.textDiff,
    };
  }
}

export function identical(): Comparison {
  return { verdict: 'identical', notes: [], findings: [], findingCount: 0, figures: [] };
}

/** A file that cannot be parsed: a verdict with the parser's message, never a crash. */
export function unreadable(side: 'committed' | 're-run' | 'both', message: string): Comparison {
  const note = `${side === 'both' ? 'both files' : `the ${side} file`} cannot be read: ${message}`;
  return {
    verdict: 'unreadable',
    largest: { text: note, where: side, score: Infinity },
    notes: [note],
    findings: [],
    findingCount: 0,
    figures: [],
  };
}
