// Verify rules for single cells of a notebook: which cell a rule selects (tag, nbformat 4.5 id or 0-based index),
// which of its outputs (a MIME type or a stream), and the tolerance, ignore and informational that result there.
import type { CellRule, Tolerance } from '../manifest/schema.ts';

/** Cell tags whose outputs are not compared: nbval's, and repro's own of the same meaning. */
export const ignoreOutputTags = ['nbval-ignore-output', 'repro-ignore-output'] as const;

/** What a rule can select a cell by; tags and ids are those of the committed and the re-run cell at that index. */
export interface CellIdentity {
  index: number;
  ids: string[];
  tags: string[];
}

/** What applies to one output of a cell (a MIME type, a stream name, or `error`). */
export interface OutputPlan {
  /** The file's tolerance (without `cells`) with the matching rules' fields over it. */
  tolerance: Tolerance;
  /** Why this output is not compared; undefined when it is. */
  ignoredBy?: string;
  /** The rule that made this output informational (reported, never failing); undefined when it is not. */
  informationalBy?: string;
}

/** A rule as a reader finds it in research.yaml: `cells rule (tag "timing", stdout)`. */
export function describeRule(rule: CellRule): string {
  const selector = rule.tag !== undefined ? `tag "${rule.tag}"` : rule.id !== undefined ? `id "${rule.id}"` : `index ${rule.index}`;
  return `cells rule (${selector}${rule.output !== undefined ? `, ${rule.output}` : ''})`;
}

export function selects(rule: CellRule, cell: CellIdentity): boolean {
  if (rule.tag !== undefined) return cell.tags.includes(rule.tag);
  if (rule.id !== undefined) return cell.ids.includes(rule.id);
  return rule.index === cell.index;
}

/**
 * The plan for one output of a cell: the ignore tags act as a first rule `{ ignore: true }`, then every rule that
 * selects the cell and names no output or this one applies its fields in the order written (the last wins, field
 * by field; `ignore: false` compares a tagged cell after all).
 */
export function planOutput(file: Tolerance, rules: readonly CellRule[], cell: CellIdentity, output: string): OutputPlan {
  const { cells: _cells, ...base } = file;
  let tolerance: Tolerance = base;
  const tag = ignoreOutputTags.find((t) => cell.tags.includes(t));
  let ignoredBy = tag !== undefined ? `tag ${tag}` : undefined;
  let informationalBy: string | undefined;
  for (const rule of rules) {
    if (!selects(rule, cell) || (rule.output !== undefined && rule.output !== output)) continue;
    const { tag: _tag, id: _id, index: _index, output: _output, ignore, ...fields } = rule;
    tolerance = { ...tolerance, ...definedFields(fields) };
    if (ignore !== undefined) ignoredBy = ignore ? `${describeRule(rule)}: ignore` : undefined;
    if (fields.informational !== undefined) informationalBy = fields.informational ? `${describeRule(rule)}: informational` : undefined;
  }
  return { tolerance, ignoredBy, informationalBy };
}

/**
 * Rules that select nothing in this notebook, as notes: no cell has the tag, id or index, or the cells it selects
 * have no output of the type it names. Such a rule changes nothing (those cells are compared by the file's rule),
 * but it is most likely a typo or a rule left behind by an edited notebook, so it is said.
 */
export function unusedRules(rules: readonly CellRule[], cells: readonly CellIdentity[], outputsOf: (index: number) => Set<string>): string[] {
  const notes: string[] = [];
  for (const rule of rules) {
    const selected = cells.filter((cell) => selects(rule, cell));
    if (selected.length === 0) {
      const what = rule.tag !== undefined ? 'has this tag' : rule.id !== undefined ? 'has this id' : `is at this index (${cells.length} cells)`;
      notes.push(`${describeRule(rule)} selects nothing: no cell ${what}; the rule was not applied`);
    } else if (rule.output !== undefined && !selected.some((cell) => outputsOf(cell.index).has(rule.output!))) {
      const where = selected.map((cell) => cell.index).join(', ');
      notes.push(`${describeRule(rule)} selects nothing: cell ${where} has no ${rule.output} output; the rule was not applied`);
    }
  }
  return notes;
}

function definedFields<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>;
}
