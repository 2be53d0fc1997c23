// Turns what is wrong with a research.yaml (YAML syntax, schema issues, duplicate entries) into problems
// that say where (line:column), which field, and what to write instead.
import path from 'node:path';
import { isMap, isPair, isScalar, type Document, type LineCounter, type Node, type YAMLError } from 'yaml';
import type { z } from 'zod';
import { ManifestError, type SourcePosition } from '../errors.ts';
import { allowedKeys, didYouMean, exampleFor, formatFieldPath, type FieldPath } from './fields.ts';

export interface ManifestProblem {
  /** The field the problem is about, e.g. ['data', 1, 'sha256']; [] for the whole file. */
  path: FieldPath;
  position: SourcePosition;
  /** What is wrong and what to write instead, without the position prefix. */
  message: string;
}

/** research.yaml has one or more problems; the message lists them all, each with its own file:line:column. */
export class ManifestProblemsError extends ManifestError {
  readonly problems: ManifestProblem[];

  constructor(problems: ManifestProblem[]) {
    const [first, ...rest] = problems;
    const more = rest.map((p) => `\n${p.position.file}:${p.position.line}:${p.position.column}: ${p.message}`).join('');
    super(first.message + more, {
      position: first.position,
      hint: `${problems.length === 1 ? 'Fix it' : `Fix these ${problems.length} problems`} and run the command again. Every field is described in docs/research-yaml.md.`,
    });
    this.problems = problems;
  }
}

/** Finds positions in the parsed document. */
export class Locator {
  constructor(
    private readonly doc: Document,
    private readonly lineCounter: LineCounter,
    readonly file: string,
  ) {}

  at(offset: number): SourcePosition {
    const { line, col } = this.lineCounter.linePos(offset);
    return { file: this.file, line, column: col };
  }

  /** The value at `fieldPath`, or the nearest ancestor that exists (a missing field points at its parent). */
  value(fieldPath: FieldPath): SourcePosition {
    for (let n = fieldPath.length; n >= 0; n--) {
      const node = this.doc.getIn(fieldPath.slice(0, n), true) as Node | undefined;
      if (node && typeof node === 'object' && node.range) return this.at(node.range[0]);
      if (n === 0 && this.doc.contents?.range) return this.at(this.doc.contents.range[0]);
    }
    return { file: this.file, line: 1, column: 1 };
  }

  /** The key `key` of the mapping at `mapPath` (for unknown keys). */
  key(mapPath: FieldPath, key: string): SourcePosition {
    const map = mapPath.length === 0 ? this.doc.contents : this.doc.getIn(mapPath, true);
    if (isMap(map)) {
      for (const pair of map.items) {
        if (isPair(pair) && isScalar(pair.key) && String(pair.key.value) === key && pair.key.range) return this.at(pair.key.range[0]);
      }
    }
    return this.value(mapPath);
  }
}

export function yamlErrorProblem(error: YAMLError, text: string, locator: Locator): ManifestProblem {
  const position = locator.at(error.pos[0]);
  const fixes: Record<string, string> = {
    DUPLICATE_KEY: 'Each key may appear once in a mapping; remove or merge the repeated one.',
    TAB_AS_INDENT: 'Indent with spaces; YAML does not allow tabs.',
    BAD_INDENT: 'Check the indentation and that every [ or { is closed.',
    MULTIPLE_DOCS: 'research.yaml holds one document; remove the `---` separator and what follows, or merge them.',
  };
  const fix = fixes[error.code] ?? 'Check the YAML syntax here: indentation with spaces, closed brackets and quotes, `key: value` pairs.';
  const message = error.message.replace(/\s+at line \d+, column \d+:[\s\S]*$/, '');
  return { path: [], position, message: `YAML syntax error: ${message}. ${fix}${codeFrame(text, position)}` };
}

/** The offending line with a caret under the column, so the problem is visible without opening an editor. */
function codeFrame(text: string, position: SourcePosition): string {
  const line = text.split(/\r?\n/)[position.line - 1];
  if (line === undefined) return '';
  const gutter = String(position.line);
  return `\n  ${gutter} | ${line}\n  ${' '.repeat(gutter.length)} | ${' '.repeat(Math.max(0, position.column - 1))}^`;
}

function valueAt(data: unknown, fieldPath: FieldPath): unknown {
  let value = data;
  for (const part of fieldPath) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[part as string];
  }
  return value;
}

function describe(value: unknown): string {
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : `a list of ${value.length}`;
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `the ${typeof value} ${String(value)}`;
}

function withExample(fieldPath: FieldPath): string {
  const example = exampleFor(fieldPath);
  return example ? ` Expected ${example}.` : '';
}

const article = (type: string) => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);
const typeNames: Record<string, string> = { object: 'mapping', array: 'list', number: 'number', string: 'string', boolean: 'true or false' };

/** One zod issue → one or more problems (an unrecognized_keys issue lists several keys). */
export function schemaIssueProblems(issue: z.core.$ZodIssue, data: unknown, locator: Locator): ManifestProblem[] {
  const fieldPath = issue.path as PropertyKey[];
  const field = formatFieldPath(fieldPath);
  const value = valueAt(data, fieldPath);
  const one = (message: string, position = locator.value(fieldPath)): ManifestProblem[] => [{ path: fieldPath, position, message }];

  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeys(data, fieldPath);
    return issue.keys.map((key) => {
      const guess = didYouMean(key, allowed);
      const fix = guess ? ` Did you mean "${guess}"?` : allowed.length ? ` Allowed keys: ${allowed.join(', ')}.` : '';
      return { path: [...fieldPath, key], position: locator.key(fieldPath, key), message: `${field ? `${field}: ` : ''}unknown key "${key}".${fix}` };
    });
  }

  if (value === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_union')) {
    const parent = fieldPath.slice(0, -1);
    const key = String(fieldPath[fieldPath.length - 1]);
    const example = exampleFor(fieldPath);
    return one(`${parent.length ? formatFieldPath(parent) : 'research.yaml'} is missing "${key}".${example ? ` Add ${key}: ${example}.` : ''}`);
  }

  switch (issue.code) {
    case 'invalid_type': {
      const expected = typeNames[issue.expected] ?? issue.expected;
      return one(`${field || 'research.yaml'} must be ${expected.startsWith('true') ? expected : article(expected)} (got ${describe(value)}).${withExample(fieldPath)}`);
    }
    case 'invalid_union': {
      const options = 'options' in issue && Array.isArray(issue.options) ? issue.options.map(String) : [];
      const guess = typeof value === 'string' ? didYouMean(value, options) : undefined;
      const detail = options.length ? ` must be one of ${options.join(', ')} (got ${describe(value)}).` : ` is not valid (got ${describe(value)}).`;
      return one(`${field}${detail}${guess ? ` Did you mean "${guess}"?` : withExample(fieldPath)}`);
    }
    case 'invalid_value': {
      const options = issue.values.map(String);
      const guess = typeof value === 'string' ? didYouMean(value, options) : undefined;
      return one(`${field} must be one of ${options.join(', ')} (got ${describe(value)}).${guess ? ` Did you mean "${guess}"?` : ''}`);
    }
    case 'invalid_format':
      if (fieldPath[fieldPath.length - 1] === 'sha256' && typeof value === 'string') return one(sha256Message(field, value));
      if (issue.format === 'url') return one(`${field} is not a URL (got ${describe(value)}).${withExample(fieldPath)}`);
      return one(`${field} ${issue.message} (got ${describe(value)}).${withExample(fieldPath)}`);
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const what = issue.origin === 'array' ? `${issue.code === 'too_small' ? 'at least' : 'at most'} ${bound} item${Number(bound) === 1 ? '' : 's'}`
        : issue.origin === 'string' ? (issue.code === 'too_small' && Number(bound) === 1 ? 'not empty' : `${bound} characters ${issue.code === 'too_small' ? 'or more' : 'or fewer'}`)
        : `${issue.code === 'too_small' ? (issue.inclusive ? 'at least' : 'more than') : issue.inclusive ? 'at most' : 'less than'} ${bound}`;
      const verb = issue.origin === 'array' ? 'must have' : 'must be';
      return one(`${field} ${verb} ${what} (got ${describe(value)}).${withExample(fieldPath)}`);
    }
    case 'custom':
      return one(`${field} ${describe(value).replace(/^the string /, '')} ${issue.message}.${withExample(fieldPath)}`);
    default:
      return one(`${field || 'research.yaml'}: ${issue.message}.${withExample(fieldPath)}`);
  }
}

function sha256Message(field: string, value: string): string {
  const fix = ' Fix the hash: `sha256sum <file>` prints the 64-character digest of the file.';
  if (value.length !== 64) return `${field} must be 64 hex characters (got ${value.length}).${fix}`;
  if (/^[0-9A-Fa-f]{64}$/.test(value)) return `${field} must be lowercase hex. Write it as ${value.toLowerCase()}.`;
  const bad = [...value].find((c) => !/[0-9a-f]/.test(c));
  return `${field} must be 64 hex characters 0-9a-f (got ${JSON.stringify(bad)}).${fix}`;
}

/** Two data entries writing the same file, or two entrypoints for one notebook (or one outputs folder). */
export function duplicateProblems(data: unknown, locator: Locator): ManifestProblem[] {
  const problems: ManifestProblem[] = [];
  const check = (list: string, key: string, what: string) => {
    const items = valueAt(data, [list]);
    if (!Array.isArray(items)) return;
    const seen = new Map<string, number>();
    items.forEach((item: unknown, index) => {
      const value = valueAt(item, [key]);
      if (typeof value !== 'string') return;
      const normal = path.posix.normalize(value).replace(/\/+$/, '');
      const first = seen.get(normal);
      if (first === undefined) {
        seen.set(normal, index);
        return;
      }
      const fieldPath = [list, index, key];
      problems.push({
        path: fieldPath,
        position: locator.value(fieldPath),
        message: `${formatFieldPath(fieldPath)} "${value}" is the same as ${formatFieldPath([list, first, key])}. ${what}`,
      });
    });
  };
  check('data', 'path', 'Each data file needs its own path: remove the duplicate entry or give it another path.');
  check('entrypoints', 'notebook', 'Each notebook is one entrypoint: remove the duplicate entry.');
  check('entrypoints', 'outputs', 'Each entrypoint needs its own outputs folder, or one run would replace the other\'s results.');
  return problems;
}

/**
 * An outputs folder is replaced whole after each run, so it must hold nothing but outputs: not the project itself,
 * not a folder holding research.yaml, a notebook, a data file or another entrypoint's outputs.
 */
export function outputsProblems(data: unknown, locator: Locator): ManifestProblem[] {
  const normal = (value: string) => path.posix.normalize(value).replace(/\/+$/, '');
  const inside = (child: string, folder: string) => child === folder || child.startsWith(folder + '/');
  const entrypoints = valueAt(data, ['entrypoints']);
  if (!Array.isArray(entrypoints)) return [];
  const strings = (list: unknown[], key: string) =>
    list.map((item) => valueAt(item, [key])).filter((value): value is string => typeof value === 'string').map(normal);
  const dataItems = valueAt(data, ['data']);
  const kept: Array<[string, string]> = [
    ['research.yaml', 'research.yaml'],
    ['research.lock', 'research.lock'],
    ['package.json', 'package.json'],
    ['.git', '.git'],
    ['node_modules', 'node_modules'],
    ...strings(entrypoints, 'notebook').map((p): [string, string] => [p, `the notebook ${p}`]),
    ...(Array.isArray(dataItems) ? strings(dataItems, 'path') : []).map((p): [string, string] => [p, `the data file ${p}`]),
  ];
  const lockfile = valueAt(data, ['environment', 'lockfile']);
  if (typeof lockfile === 'string') kept.push([normal(lockfile), `the lockfile ${normal(lockfile)}`]);
  const problems: ManifestProblem[] = [];
  const outputs = entrypoints.map((item) => valueAt(item, ['outputs']));
  outputs.forEach((value, index) => {
    if (typeof value !== 'string') return;
    const folder = normal(value);
    const fieldPath = ['entrypoints', index, 'outputs'];
    const report = (why: string) =>
      problems.push({
        path: fieldPath,
        position: locator.value(fieldPath),
        message: `${formatFieldPath(fieldPath)} "${value}" ${why}; a run replaces this folder whole. Name a folder of its own, such as results/<analysis>.`,
      });
    if (folder === '.' || folder === '') return report('is the project folder itself');
    const clash = kept.find(([p]) => inside(p, folder) || inside(folder, p));
    if (clash) return report(`holds or lies inside ${clash[1]}`);
    outputs.forEach((other, j) => {
      if (j !== index && typeof other === 'string' && normal(other) !== folder && inside(normal(other), folder)) {
        report(`holds entrypoints[${j}].outputs "${other}"`);
      }
    });
  });
  return problems;
}
