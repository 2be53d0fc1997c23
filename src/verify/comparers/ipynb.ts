// Executed notebooks: sources and outputs compared cell by cell, each output by its MIME type with the rules of
// the matching file comparer; execution counts and all metadata (timestamps, kernel versions) are ignored.
// Cell rules (verify `cells:`) and the ignore-output tags narrow or loosen the comparison for single cells.
import type { CellRule } from '../../manifest/schema.ts';
import { planOutput, unusedRules, type CellIdentity, type OutputPlan } from '../cell-rules.ts';
import type { Comparison, CompareContext } from '../types.ts';
import { FindingCollector, unreadable } from './collect.ts';
import { compareOutput, joinLines, outputKeys, type MultilineString, type Output } from './ipynb-output.ts';
import { unifiedDiff } from './text.ts';

export { compareMime } from './ipynb-output.ts';

interface Cell {
  cell_type: string;
  id?: unknown;
  metadata?: { tags?: unknown };
  source: MultilineString;
  outputs?: Output[];
}

export async function compareIpynb(committed: Buffer, rerun: Buffer, context: CompareContext): Promise<Comparison> {
  const a = parseNotebook(committed);
  if (typeof a === 'string') return unreadable('committed', a);
  const b = parseNotebook(rerun);
  if (typeof b === 'string') return unreadable('re-run', b);
  const collector = new FindingCollector();
  if (a.length !== b.length) collector.fail(`${a.length} cells → ${b.length} cells`, `cell ${Math.min(a.length, b.length)}`);
  const rules = context.tolerance.cells ?? [];
  const cells = a.map((cell, i) => identityOf(i, cell, b[i]));
  const keysOf = (i: number) => new Set([...(a[i]?.outputs ?? []), ...(b[i]?.outputs ?? [])].flatMap(outputKeys));
  collector.notes.push(...unusedRules(rules, cells, keysOf));
  for (let i = 0; i < Math.min(a.length, b.length); i++) await compareCell(a[i], b[i], cells[i], rules, context, collector);
  return collector.result();
}

function parseNotebook(bytes: Buffer): Cell[] | string {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    return `not JSON (${error instanceof Error ? error.message : String(error)})`;
  }
  const cells = (value as { cells?: unknown } | null)?.cells;
  if (!Array.isArray(cells)) return 'not a notebook (no "cells" array)';
  return cells as Cell[];
}

/** A cell's tags and id as a rule sees them: those of the committed cell and of the re-run cell at its index. */
function identityOf(index: number, committed: Cell, rerun: Cell | undefined): CellIdentity {
  const sides = rerun ? [committed, rerun] : [committed];
  const ids = sides.flatMap((cell) => (typeof cell.id === 'string' ? [cell.id] : []));
  const tags = sides.flatMap((cell) => (Array.isArray(cell.metadata?.tags) ? cell.metadata.tags.filter((t): t is string => typeof t === 'string') : []));
  return { index, ids: [...new Set(ids)], tags: [...new Set(tags)] };
}

async function compareCell(a: Cell, b: Cell, cell: CellIdentity, rules: CellRule[], context: CompareContext, collector: FindingCollector): Promise<void> {
  const where = `cell ${cell.index}`;
  if (a.cell_type !== b.cell_type) {
    collector.fail(`${where}: a ${a.cell_type} cell → a ${b.cell_type} cell`, where);
    return;
  }
  const sourceA = joinLines(a.source);
  const sourceB = joinLines(b.source);
  if (sourceA !== sourceB) {
    collector.fail(`${where}: the source differs (the notebook was edited since the results were committed)`, where);
    collector.textDiff = (collector.textDiff ?? '') + unifiedDiff(`${where} source`, sourceA, sourceB);
  }
  const plans = new Map<string, OutputPlan>();
  const plan = (key: string): OutputPlan => {
    if (!plans.has(key)) plans.set(key, planOutput(context.tolerance, rules, cell, key));
    return plans.get(key)!;
  };
  const left: Array<[string, string]> = [];
  const outputsA = keptOutputs(a.outputs ?? [], plan, left);
  const outputsB = keptOutputs(b.outputs ?? [], plan, left);
  collector.notes.push(...leftOutNotes(where, left, outputsA.length + outputsB.length === 0));
  if (outputsA.length !== outputsB.length) collector.fail(`${where}: ${outputsA.length} outputs → ${outputsB.length} outputs`, where);
  for (let j = 0; j < Math.min(outputsA.length, outputsB.length); j++) {
    await compareOutput(outputsA[j], outputsB[j], `${where} output ${j}`, plan, collector);
  }
}

/**
 * The outputs still compared once those an ignore rule or tag leaves out are removed: a stream or error whole, a
 * bundle entry by entry (and the bundle when nothing of it is left). `left` collects [what, why] of what went.
 */
function keptOutputs(outputs: Output[], plan: (key: string) => OutputPlan, left: Array<[string, string]>): Output[] {
  return outputs.flatMap((output) => {
    const keys = outputKeys(output);
    const ignored = keys.filter((key) => plan(key).ignoredBy !== undefined);
    for (const key of ignored) left.push([key, plan(key).ignoredBy!]);
    if (ignored.length === 0) return [output];
    if (output.output_type === 'stream' || output.output_type === 'error' || ignored.length === keys.length) return [];
    return [{ ...output, data: Object.fromEntries(Object.entries(output.data ?? {}).filter(([mime]) => !ignored.includes(mime))) }];
  });
}

/** `cell 4: outputs not compared (tag nbval-ignore-output)`, or which outputs were left out, by reason. */
function leftOutNotes(where: string, left: Array<[string, string]>, nothingKept: boolean): string[] {
  const byReason = new Map<string, Set<string>>();
  for (const [key, reason] of left) byReason.set(reason, (byReason.get(reason) ?? new Set()).add(key));
  if (nothingKept && byReason.size === 1) return [`${where}: outputs not compared (${[...byReason.keys()][0]})`];
  return [...byReason].map(([reason, keys]) => `${where}: ${[...keys].join(', ')} not compared (${reason})`);
}
