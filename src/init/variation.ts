// A verify rule for a file that differed between two runs of the same notebook: for a text file whose differences
// are timings or timestamps, a mask; else the smallest tolerance under which verify's own comparer passes the pair
// (per column for tables); else `informational: true` with the reason. (Executed notebooks get rules per cell
// output first: cell-variation.ts.)
import type { Tolerance } from '../manifest/schema.ts';
import { compareFile, kindOf, passes, type Comparison } from '../verify/index.ts';
import { compareMaskedFile } from '../verify/mask.ts';
import type { CellProposal } from './cell-variation.ts';
import { deriveMask } from './mask-derive.ts';

export interface VariationRule {
  rule: Tolerance;
  /** Why, for the comment above the rule: what differed and by how much. */
  why: string;
  /** For a notebook: the cell rules in `rule.cells`, each with its own why. */
  cells?: CellProposal[];
}

export const relativeTolerances = [1e-9, 1e-6, 1e-3];
export const pixelFractions = [0.001, 0.01];

/** undefined when the two runs agree exactly (or within the default, exact, comparison). */
export async function proposeRule(path: string, first: Buffer, second: Buffer): Promise<VariationRule | undefined> {
  const exact = await compareFile(path, first, second, {});
  if (passes(exact.verdict)) return undefined;
  const seen = describeLargest(exact);
  const kind = kindOf(path);
  if (kind === 'text') {
    const masked = deriveMask(first.toString('utf8'), second.toString('utf8'));
    if (masked && passes(compareMaskedFile(path, first, second, { mask: masked.patterns }).verdict)) {
      return { rule: { mask: masked.patterns }, why: `differed between two runs of the notebook (${masked.changes.join(', ')}): masked, the rest still compared` };
    }
  }
  const candidates: Tolerance[] = [];
  if (kind === 'png') candidates.push(...pixelFractions.map((pixels) => ({ pixels })));
  else if (kind !== 'binary') {
    const columns = kind === 'csv' ? differingColumns(exact) : [];
    // For a table, tolerate the columns that moved and keep every other column exact.
    if (columns.length > 0) candidates.push(...relativeTolerances.map((rtol) => ({ columns: Object.fromEntries(columns.map((column) => [column, { rtol }])) })));
    candidates.push(...relativeTolerances.map((rtol) => ({ rtol })));
  }
  for (const rule of candidates) {
    if (passes((await compareFile(path, first, second, rule)).verdict)) return { rule, why: `differed between two runs of the notebook (${seen}); the smallest tolerance that passes both` };
  }
  return {
    rule: { informational: true },
    why: `differed between two runs of the notebook (${seen}), beyond any small tolerance: shown by verify but never failing it. ${variationTodo()}`,
  };
}

/** How a notebook seeds its generators with REPRO_SEED (42 in plain Jupyter): Python's has three, one per way of drawing. */
const seedSnippets: Record<string, string> = {
  python: 'seed = int(os.environ.get("REPRO_SEED", "42")) in the first cell, then random.seed(seed), np.random.seed(seed) or rng = np.random.default_rng(seed), whichever the code draws from',
  r: 'set.seed(as.integer(Sys.getenv("REPRO_SEED", "42"))) in the first cell',
};

/**
 * The TODO beside an output no small tolerance passes: a timing or timestamp to keep, or a result that changes, most
 * often a random draw with no seed (repro gives every notebook REPRO_SEED, but seeds nothing itself).
 */
export function variationTodo(language?: string): string {
  const snippet = language === undefined ? undefined : seedSnippets[language.toLowerCase()];
  return (
    'TODO: if it is a timing or a timestamp, keep this; if it is a result, find out why it changes ' +
    `(random numbers drawn with no seed? seed them from REPRO_SEED${snippet ? `, e.g. ${snippet}` : ''})`
  );
}

/** The largest difference a comparison found, and where, for a comment. */
export function describeLargest(comparison: Comparison): string {
  if (!comparison.largest) return comparison.notes[0] ?? comparison.verdict;
  return `${comparison.largest.text}${comparison.largest.where ? ` at ${comparison.largest.where}` : ''}`;
}

/** The columns named by a table comparison's findings (`row 3, column "seconds"`). */
function differingColumns(comparison: Comparison): string[] {
  if (comparison.notes.length > 0 && comparison.findings.length === 0) return [];
  const columns = new Set<string>();
  for (const finding of comparison.findings) {
    const column = /column "([^"]+)"/.exec(finding.where)?.[1];
    if (column === undefined) return [];
    columns.add(column);
  }
  return [...columns].sort();
}
