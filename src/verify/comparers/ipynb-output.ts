// One output of a notebook cell against its re-run: a stream as text, an error by name and value, a MIME bundle
// entry by entry with the comparer of that type, each under the plan its cell rules give it.
import type { Tolerance } from '../../manifest/schema.ts';
import type { OutputPlan } from '../cell-rules.ts';
import { compareMaskedText } from '../mask.ts';
import { passes, type Comparison } from '../types.ts';
import type { FindingCollector } from './collect.ts';
import { compareCsv } from './csv.ts';
import { compareJsonValues, type JsonValue } from './json.ts';
import { comparePng } from './png.ts';
import { compareSvg } from './svg.ts';

export type MultilineString = string | string[];

export interface Output {
  output_type: string;
  name?: string;
  text?: MultilineString;
  data?: Record<string, JsonValue>;
  ename?: string;
  evalue?: string;
}

/** What a rule's `output:` names for this output: the stream's name, `error`, or (for bundles) each MIME type. */
export function outputKeys(output: Output): string[] {
  if (output.output_type === 'stream') return [output.name ?? 'stdout'];
  if (output.output_type === 'error') return ['error'];
  return Object.keys(output.data ?? {});
}

export async function compareOutput(a: Output, b: Output, where: string, plan: (key: string) => OutputPlan, collector: FindingCollector): Promise<void> {
  if (a.output_type !== b.output_type) {
    differs(collector, plan(outputKeys(a)[0] ?? a.output_type), `${where}: ${a.output_type} → ${b.output_type}`, where);
    return;
  }
  if (a.output_type === 'stream') {
    const rule = plan(a.name ?? 'stdout');
    if (a.name !== b.name) differs(collector, rule, `${where}: stream ${a.name} → ${b.name}`, where);
    const inner = compareMaskedText(joinLines(a.text), joinLines(b.text), rule.tolerance, `${where}.txt`);
    mergeUnder(collector, `${where} (${a.name ?? 'stream'})`, inner, rule);
  } else if (a.output_type === 'error') {
    if (a.ename !== b.ename || a.evalue !== b.evalue) differs(collector, plan('error'), `${where}: error ${a.ename}: ${a.evalue} → ${b.ename}: ${b.evalue}`, where);
  } else {
    const dataA = a.data ?? {};
    const dataB = b.data ?? {};
    for (const mime of Object.keys(dataA)) {
      const rule = plan(mime);
      if (!(mime in dataB)) differs(collector, rule, `${where}: ${mime} missing from the re-run`, `${where} ${mime}`);
      else mergeUnder(collector, `${where} ${mime}`, await compareMime(mime, dataA[mime], dataB[mime], where, rule.tolerance), rule);
    }
    for (const mime of Object.keys(dataB)) {
      if (!(mime in dataA)) differs(collector, plan(mime), `${where}: extra ${mime} in the re-run`, `${where} ${mime}`);
    }
  }
}

/**
 * One MIME bundle entry, compared like a file of that type would be; text types other than CSV (text/plain,
 * text/html, text/markdown, text/latex…) are masked with the tolerance's `mask` first.
 */
export async function compareMime(mime: string, a: JsonValue, b: JsonValue, where: string, tolerance: Tolerance): Promise<Comparison> {
  if (mime === 'application/json' || mime.endsWith('+json')) return compareJsonValues(a, b, tolerance);
  const textA = joinLines(a as MultilineString);
  const textB = joinLines(b as MultilineString);
  const context = { path: where, tolerance };
  if (mime === 'image/png') {
    return comparePng(Buffer.from(textA.replace(/\s/g, ''), 'base64'), Buffer.from(textB.replace(/\s/g, ''), 'base64'), context);
  }
  if (mime === 'image/svg+xml') return compareSvg(Buffer.from(textA), Buffer.from(textB), context);
  if (mime === 'text/csv') return compareCsv(Buffer.from(textA), Buffer.from(textB), context);
  return compareMaskedText(textA, textB, tolerance, `${where}.${mime.split('/')[1] ?? 'txt'}`);
}

/** A difference that is not one place (a changed type, a missing entry): fails, or is only reported when informational. */
function differs(collector: FindingCollector, plan: OutputPlan, note: string, where: string): void {
  if (plan.informationalBy === undefined) return collector.fail(note, where);
  collector.notes.push(`${note} (reported only: ${plan.informationalBy})`);
  collector.count++;
  collector.consider({ text: `${note} (informational)`, where, score: 1 });
}

/** Merges a nested comparison; under an informational rule its differences are kept but none of them fails. */
function mergeUnder(collector: FindingCollector, prefix: string, inner: Comparison, plan: OutputPlan): void {
  if (plan.informationalBy === undefined || passes(inner.verdict)) return collector.merge(prefix, inner);
  for (const finding of inner.findings) {
    const deviation = finding.withinTolerance ? finding.deviation : `${finding.deviation} (informational)`;
    collector.add({ ...finding, where: `${prefix}: ${finding.where}`, deviation, withinTolerance: true }, 0);
  }
  collector.count += Math.max(1, inner.findingCount) - inner.findings.length;
  collector.notes.push(`${prefix}: differs, reported only (${plan.informationalBy})`);
  for (const note of inner.notes) collector.notes.push(`${prefix}: ${note}`);
  for (const figure of inner.figures) collector.figures.push({ ...figure, label: `${prefix} ${figure.label}`.trim() });
  if (inner.largest) collector.consider({ text: `${inner.largest.text} (informational)`, where: `${prefix}: ${inner.largest.where}`, score: Math.min(inner.largest.score, 1) });
  if (inner.textDiff) collector.textDiff = (collector.textDiff ? collector.textDiff + '\n' : '') + inner.textDiff;
}

export function joinLines(value: MultilineString | undefined): string {
  if (value === undefined) return '';
  return Array.isArray(value) ? value.join('') : String(value);
}
