// Verify rules for an executed notebook that differed between two runs, one per differing cell output: a mask for
// text whose differences are timings or timestamps, else the smallest tolerance, else `informational: true` for that
// output only. Each rule is kept only when verify's own comparer passes the pair under it, the other differing
// outputs set aside; the whole set is checked once more together. A measured time that both runs printed alike
// (`Slept 500[ms]` twice) is masked too: the next run may print 501.
import type { CellRule, Tolerance } from '../manifest/schema.ts';
import { compareFile, passes, type Comparison } from '../verify/index.ts';
import { applyMask } from '../verify/mask.ts';
import { deriveMask, repeatedTimings } from './mask-derive.ts';
import { describeLargest, pixelFractions, proposeRule, relativeTolerances, variationTodo, type VariationRule } from './variation.ts';

export interface CellProposal {
  rule: CellRule;
  /** Why, for the comment above the rule. */
  why: string;
}

interface Output {
  output_type?: unknown;
  name?: unknown;
  text?: unknown;
  data?: Record<string, unknown>;
  ename?: unknown;
  evalue?: unknown;
}

interface Cell {
  cell_type?: unknown;
  id?: unknown;
  source?: unknown;
  outputs?: Output[];
}

/** One cell's output that differed: a stream, MIME type or `error` (`key`), or the cell's outputs as a whole. */
interface Difference {
  index: number;
  selector: Pick<CellRule, 'id' | 'index'>;
  label: string;
  key?: string;
  /** The texts of a stream or text/* output, committed and re-run, output by output. */
  texts: Array<[string, string]>;
  /** Whether any of its outputs differs (a text or any other value). */
  changed: boolean;
  /** Why the cell is compared as a whole: its outputs differ in number or kind. */
  shape?: string;
}

/** An executed notebook gets rules for the cell outputs that differed; any other file (or a notebook whose cells do not pair up), one rule. */
export async function proposeVariation(path: string, first: Buffer, second: Buffer): Promise<VariationRule | undefined> {
  if (path.endsWith('.ipynb')) {
    const cells = await proposeCellRules(path, first, second);
    if (cells?.length === 0) return undefined;
    if (cells) return { rule: { cells: cells.map((cell) => cell.rule) }, why: 'differed between two runs of the notebook; rules for the cell outputs that did:', cells };
  }
  return proposeRule(path, first, second);
}

/**
 * Cell rules under which verify passes the two runs, or undefined when the notebooks cannot be told apart cell by cell
 * (another number of cells, an edited source, not a notebook) or no rule makes one output pass: the caller then
 * proposes a rule for the whole file. An empty list: the two runs pass as they are.
 */
export async function proposeCellRules(path: string, first: Buffer, second: Buffer): Promise<CellProposal[] | undefined> {
  const outputs = textOutputs(first, second);
  if (passes((await compareFile(path, first, second, {})).verdict)) return outputs ? steadyTimings(outputs) : [];
  const differences = outputs?.filter((item) => item.changed);
  if (!outputs || !differences) return undefined;
  const todo = variationTodo(languageOf(first));
  const setAside = (except: Difference) => differences.filter((item) => item !== except).map((item): CellRule => ({ ...item.selector, ...(item.key ? { output: item.key } : {}), ignore: true }));
  const proposals: CellProposal[] = [];
  for (const difference of differences) {
    const judge = async (rule?: CellRule): Promise<Comparison> => compareFile(path, first, second, { cells: [...setAside(difference), ...(rule ? [rule] : [])] });
    const alone = await judge();
    if (passes(alone.verdict)) continue;
    const proposal = await firstPassing(difference, describeLargest(alone), todo, judge);
    if (!proposal) return undefined;
    proposals.push(proposal);
  }
  proposals.push(...steadyTimings(outputs));
  const together: Tolerance = { cells: proposals.map((item) => item.rule) };
  return passes((await compareFile(path, first, second, together)).verdict) ? proposals : undefined;
}

async function firstPassing(difference: Difference, seen: string, todo: string, judge: (rule: CellRule) => Promise<Comparison>): Promise<CellProposal | undefined> {
  const base: CellRule = { ...difference.selector, ...(difference.key ? { output: difference.key } : {}) };
  const where = difference.label;
  const candidates: CellProposal[] = [];
  if (difference.shape !== undefined) {
    candidates.push(
      { rule: { ...base, informational: true }, why: `${where}: ${difference.shape} between the two runs: shown by verify but never failing it. ${todo}` },
      { rule: { ...base, ignore: true }, why: `${where}: ${difference.shape} between the two runs: left out of the comparison. ${todo}` },
    );
  } else {
    // Every differing text of this output must be covered (output by output; a stream may be split in several).
    const differing = difference.texts.filter(([a, b]) => a !== b);
    const masks = differing.map(([a, b]) => deriveMask(a, b));
    const derived = [...new Set(masks.flatMap((mask) => mask?.patterns ?? []))];
    // The times that did not change this once, in the same output, are masked with the ones that did (those the
    // derived patterns already cover are masked out first, so each place gets one pattern).
    const steady = difference.texts.flatMap(([a]) => repeatedTimings(applyMask(a, derived).text)?.patterns ?? []);
    const patterns = [...new Set([...derived, ...steady])];
    if (differing.length > 0 && masks.every((mask) => mask !== undefined)) {
      const changes = masks.flatMap((mask) => mask?.changes ?? []).slice(0, 3);
      candidates.push({ rule: { ...base, mask: patterns }, why: `${where}: ${changes.join(', ')} between the two runs: masked, the rest still compared` });
    }
    const near = `${where} differed between the two runs (${seen})`;
    const loosened = difference.key === 'image/png' || difference.key === 'image/svg+xml' ? pixelFractions.map((pixels) => ({ pixels })) : relativeTolerances.map((rtol) => ({ rtol }));
    for (const fields of loosened) candidates.push({ rule: { ...base, ...fields }, why: `${near}; the smallest tolerance that passes both` });
    candidates.push({ rule: { ...base, informational: true }, why: `${near}, beyond any small tolerance: shown by verify but never failing it. ${todo}` });
  }
  for (const candidate of candidates) if (passes((await judge(candidate.rule)).verdict)) return candidate;
  return undefined;
}

/**
 * Masks for the text outputs the two runs printed alike that hold a measured time (a changed output's proposal takes
 * in its own steady times). Each is a guess from the words and the unit, so its comment says what it matched.
 */
function steadyTimings(outputs: Difference[]): CellProposal[] {
  const out: CellProposal[] = [];
  for (const output of outputs) {
    if (output.changed || output.key === undefined) continue;
    const found = output.texts.map(([a]) => repeatedTimings(a)).filter((timing) => timing !== undefined);
    if (found.length === 0) continue;
    const patterns = [...new Set(found.flatMap((timing) => timing.patterns))];
    const seen = found.flatMap((timing) => timing.seen).slice(0, 3);
    out.push({
      rule: { ...output.selector, output: output.key, mask: patterns },
      why: `${output.label}: ${seen.join(', ')} reads as a measured time, though both runs printed it alike: masked, the rest still compared`,
    });
  }
  return out;
}

/** Every stream and MIME-type output of two runs of one notebook, changed or not, or undefined when its cells do not pair up. */
function textOutputs(first: Buffer, second: Buffer): Difference[] | undefined {
  const a = cellsOf(first);
  const b = cellsOf(second);
  if (!a || !b || a.length !== b.length) return undefined;
  const differences: Difference[] = [];
  for (let index = 0; index < a.length; index++) {
    const [x, y] = [a[index], b[index]];
    if (x.cell_type !== y.cell_type || JSON.stringify(x.source) !== JSON.stringify(y.source)) return undefined;
    const id = typeof x.id === 'string' && x.id === y.id ? x.id : undefined;
    const selector = id !== undefined ? { id } : { index };
    const label = `cell ${index}${id !== undefined ? ` (id ${id})` : ''}`;
    const outA = x.outputs ?? [];
    const outB = y.outputs ?? [];
    const shape = shapeChange(outA, outB);
    if (shape !== undefined) {
      differences.push({ index, selector, label, texts: [], changed: true, shape });
      continue;
    }
    const byKey = new Map<string, Difference>();
    for (let j = 0; j < outA.length; j++) {
      for (const [key, valueA, valueB] of entries(outA[j], outB[j])) {
        const difference = byKey.get(key) ?? { index, selector, label: `${label} ${key}`, key, texts: [], changed: false };
        byKey.set(key, difference);
        if (isText(key)) difference.texts.push([joined(valueA), joined(valueB)]);
        difference.changed ||= isText(key) ? joined(valueA) !== joined(valueB) : JSON.stringify(valueA) !== JSON.stringify(valueB);
      }
    }
    differences.push(...byKey.values());
  }
  return differences;
}

/** The notebook's language (`metadata.kernelspec.language`, else `metadata.language_info.name`), if it says. */
function languageOf(bytes: Buffer): string | undefined {
  try {
    const metadata = (JSON.parse(bytes.toString('utf8')) as { metadata?: { kernelspec?: { language?: unknown }; language_info?: { name?: unknown } } } | null)?.metadata;
    const language = metadata?.kernelspec?.language ?? metadata?.language_info?.name;
    return typeof language === 'string' ? language : undefined;
  } catch {
    return undefined;
  }
}

function cellsOf(bytes: Buffer): Cell[] | undefined {
  try {
    const cells = (JSON.parse(bytes.toString('utf8')) as { cells?: unknown } | null)?.cells;
    return Array.isArray(cells) ? (cells as Cell[]) : undefined;
  } catch {
    return undefined;
  }
}

/** How a cell's outputs differ in number or kind (which no rule on one output covers), or undefined. */
function shapeChange(a: Output[], b: Output[]): string | undefined {
  if (a.length !== b.length) return `its outputs went from ${a.length} to ${b.length}`;
  for (let j = 0; j < a.length; j++) {
    const keysA = keysOf(a[j]).join(', ');
    const keysB = keysOf(b[j]).join(', ');
    if (a[j].output_type !== b[j].output_type || keysA !== keysB) return `its output ${j} went from ${a[j].output_type} (${keysA}) to ${b[j].output_type} (${keysB})`;
  }
  return undefined;
}

/** What a rule's `output:` names for this output, as verify reads it. */
function keysOf(output: Output): string[] {
  if (output.output_type === 'stream') return [typeof output.name === 'string' ? output.name : 'stdout'];
  if (output.output_type === 'error') return ['error'];
  return Object.keys(output.data ?? {}).sort();
}

function entries(a: Output, b: Output): Array<[string, unknown, unknown]> {
  if (a.output_type === 'stream') return [[keysOf(a)[0], a.text, b.text]];
  if (a.output_type === 'error') return [['error', [a.ename, a.evalue], [b.ename, b.evalue]]];
  return keysOf(a).map((key) => [key, a.data?.[key], b.data?.[key]]);
}

/** Streams and text MIME types other than CSV: the outputs verify masks. */
function isText(key: string): boolean {
  return key === 'stdout' || key === 'stderr' || (key.startsWith('text/') && key !== 'text/csv');
}

function joined(value: unknown): string {
  if (Array.isArray(value)) return value.map(String).join('');
  return typeof value === 'string' ? value : JSON.stringify(value ?? null);
}
