// Papermill-style parameters: `-p key=value` overrides become a cell tagged `injected-parameters` placed right
// after the cell tagged `parameters` (or first, when there is none), written in the notebook's own language.
import { UsageError } from '../errors.ts';
import { isTagged, type Cell, type Notebook } from './notebook.ts';
import { translatorFor, type Translator } from './translators.ts';

/** `seed=7` → ['seed', 7]; the value is JSON when it parses as JSON, a string otherwise. */
export function parseParameter(text: string): [string, unknown] {
  const at = text.indexOf('=');
  if (at <= 0) throw new UsageError(`-p ${text}: expected key=value`, 'For example: repro run -p seed=7 -p name=\'"fast"\'');
  const key = text.slice(0, at);
  const raw = text.slice(at + 1);
  // Any language's name passes here; injectParameters refuses the ones the notebook's language cannot use.
  if (!/^[A-Za-z_$][\w.$]*$/.test(key)) {
    throw new UsageError(
      `-p ${text}: ${JSON.stringify(key)} is not a parameter name`,
      'Names start with a letter or _ and go on with letters, digits and _ (and . in R), such as seed or sample_size.',
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(raw) as unknown;
  } catch {
    return [key, raw];
  }
  // A JSON number is a double: a longer integer would arrive in the notebook as a different number.
  if (typeof value === 'number' && /^\s*-?\d+\s*$/.test(raw) && !Number.isSafeInteger(value)) {
    throw new UsageError(
      `-p ${text}: ${raw.trim()} is too large an integer to pass exactly (the largest is ${Number.MAX_SAFE_INTEGER})`,
      `Pass it as a string instead: -p ${key}='"${raw.trim()}"'`,
    );
  }
  return [key, value];
}

export function parseParameters(list: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(list.map(parseParameter));
}

export interface InjectResult {
  notebook: Notebook;
  /** Index (in the returned notebook) of the injected cell, when one was added. */
  injectedAt?: number;
  /** False when the notebook has no `parameters` cell and the overrides were put first. */
  foundParametersCell: boolean;
  /** For the person running: overrides put first, names the parameters cell does not define. */
  warnings: string[];
}

const comment = 'Parameters injected by repro run -p';

/**
 * Returns a copy of the notebook with any earlier injected cell removed and, when there are overrides, a new
 * one inserted, written in `language` (the kernelspec's `language`). With no overrides the language is not
 * looked at, so a notebook in any language runs.
 */
export function injectParameters(notebook: Notebook, parameters: Record<string, unknown>, language = 'typescript'): InjectResult {
  const cells = notebook.cells.filter((cell) => !isTagged(cell, 'injected-parameters'));
  const anchor = cells.findIndex((cell) => cell.cell_type === 'code' && isTagged(cell, 'parameters'));
  const copy: Notebook = { ...notebook, cells };
  const keys = Object.keys(parameters);
  if (keys.length === 0) return { notebook: copy, foundParametersCell: anchor >= 0, warnings: [] };

  const translator = translatorFor(language);
  for (const key of keys) assertName(key, translator);
  const warnings: string[] = [];
  if (anchor < 0) {
    warnings.push('no cell is tagged "parameters", so the -p overrides were put first, before every cell');
  } else {
    const defined = definedParameters(cells[anchor].source, language);
    for (const key of keys.filter((name) => !defined.includes(name))) {
      const known = defined.length > 0 ? `it defines: ${defined.join(', ')}` : 'it defines none';
      warnings.push(`-p ${key}: the cell tagged "parameters" defines no "${key}" (${known})`);
    }
  }
  const cell: Cell = {
    cell_type: 'code',
    source: translator.codify(parameters, comment),
    metadata: { tags: ['injected-parameters'] },
    outputs: [],
    execution_count: null,
  };
  // nbformat 4.5 requires cell ids; a fixed one keeps the executed notebook deterministic.
  if (notebook.nbformat_minor >= 5) cell.id = 'injected-parameters';
  const injectedAt = anchor + 1;
  cells.splice(injectedAt, 0, cell);
  return { notebook: copy, injectedAt, foundParametersCell: anchor >= 0, warnings };
}

function assertName(key: string, translator: Translator): void {
  if (!translator.isName(key)) {
    throw new UsageError(
      `-p ${key}: ${JSON.stringify(key)} is not a valid name in ${translator.language}, the notebook's language`,
      `${translator.language} names are ${translator.nameRule}. Use the name the parameters cell gives the value.`,
    );
  }
}

/**
 * The names a parameters cell assigns at its top level, in order, as papermill's `inspect` finds them:
 * TypeScript/JavaScript `let|const|var a = 1, b = 2` (not destructuring), Python `a = 1`, `a: int = 1`, `a, b = 1, 2`
 * at column 0, R `a <- 1`, `a = 1`, `a <<- 1`. Strings and comments are skipped; nested blocks are not top level.
 */
export function definedParameters(source: string, language: string): string[] {
  const translator = translatorFor(language);
  const scan = scanners[language.toLowerCase()];
  const names = scan(source).filter((name) => translator.isName(name));
  return [...new Set(names)];
}

const scanners: Record<string, (source: string) => string[]> = {
  typescript: scriptNames,
  javascript: scriptNames,
  python: pythonNames,
  r: rNames,
};

function scriptNames(source: string): string[] {
  const masked = blank(source, { lineComment: '//', blockComment: true, quotes: '"\'`' });
  return statements(masked, endsMidExpression).flatMap(({ text }) => {
    const declaration = /^\s*(?:export\s+)?(?:declare\s+)?(?:let|const|var)\s+(?!enum\b)/.exec(text);
    return declaration ? declaratorNames(text.slice(declaration[0].length)) : [];
  });
}

/** `a: Map<string, number> = x, b = f(1, 2)` → ['a', 'b']: commas inside brackets or a type's <> separate nothing. */
function declaratorNames(list: string): string[] {
  const names: string[] = [];
  let i = 0;
  while (i < list.length) {
    const name = /^\s*([A-Za-z_$][\w$]*)/.exec(list.slice(i));
    if (name) names.push(name[1]);
    let depth = 0;
    let angles = 0;
    let inType = false;
    let inValue = false;
    for (; i < list.length; i++) {
      const char = list[i];
      if ('([{'.includes(char)) depth++;
      else if (')]}'.includes(char)) depth--;
      else if (depth > 0) continue;
      else if (char === ',' && angles === 0) break;
      else if (inValue) continue;
      else if (char === ':') inType = true;
      else if (char === '<' && inType) angles++;
      else if (char === '>' && angles > 0) angles--;
      else if (char === '=' && angles === 0) inValue = true;
    }
    i++;
  }
  return names;
}

function pythonNames(source: string): string[] {
  const masked = blank(source, { lineComment: '#', quotes: '"\'', tripleQuotes: true });
  return statements(masked, (before) => before.endsWith('\\')).flatMap(({ text, indented }) => {
    if (indented) return [];
    const parts = splitAtAssignments(text);
    const annotated = /^\s*([A-Za-z_]\w*)\s*:(?!=)/.exec(parts[0]);
    if (annotated) return [annotated[1]];
    return parts.slice(0, -1).flatMap((target) =>
      target.trim().replace(/^[([]|[)\]]$/g, '').split(',').map((part) => part.trim()).filter((part) => /^[A-Za-z_]\w*$/.test(part)),
    );
  });
}

/** Splits a statement at its top-level `=` signs, leaving `==`, `<=`, `+=`, `:=` and keyword arguments alone. */
function splitAtAssignments(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if ('([{'.includes(char)) depth++;
    else if (')]}'.includes(char)) depth--;
    else if (char === '=' && depth === 0 && !'=!<>+-*/%&|^:@~'.includes(text[i - 1] ?? '') && text[i + 1] !== '=') {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function rNames(source: string): string[] {
  const masked = blank(source, { lineComment: '#', quotes: '"\'`' });
  return statements(masked, endsMidExpression).flatMap(({ text }) => {
    const names: string[] = [];
    let rest = text;
    // `a <- b <- 1` assigns both.
    for (let match; (match = /^\s*([A-Za-z.][\w.]*)\s*(?:<<-|<-|=(?!=))/.exec(rest)); rest = rest.slice(match[0].length)) {
      names.push(match[1]);
    }
    return names;
  });
}

interface Syntax {
  lineComment: string;
  blockComment?: boolean;
  quotes: string;
  tripleQuotes?: boolean;
}

/** The source with the insides of strings and comments turned to spaces, so brackets and separators can be counted. */
function blank(source: string, syntax: Syntax): string {
  const chars = source.split('');
  let i = 0;
  const clear = (from: number, to: number): void => {
    for (let k = from; k < to; k++) chars[k] = ' ';
  };
  while (i < source.length) {
    if (source.startsWith(syntax.lineComment, i)) {
      const end = source.indexOf('\n', i);
      clear(i, end < 0 ? source.length : end);
      i = end < 0 ? source.length : end;
    } else if (syntax.blockComment && source.startsWith('/*', i)) {
      const close = source.indexOf('*/', i + 2);
      const end = close < 0 ? source.length : close + 2;
      clear(i, end);
      i = end;
    } else if (syntax.quotes.includes(source[i])) {
      const triple = source[i].repeat(3);
      const delimiter = syntax.tripleQuotes && source.startsWith(triple, i) ? triple : source[i];
      let j = i + delimiter.length;
      while (j < source.length && !source.startsWith(delimiter, j)) j += source[j] === '\\' ? 2 : 1;
      clear(i + delimiter.length, Math.min(j, source.length));
      i = Math.min(j + delimiter.length, source.length);
    } else {
      i++;
    }
  }
  return chars.join('');
}

interface Statement {
  text: string;
  /** Whether the line it starts on is indented (which, in Python, means it is inside a block). */
  indented: boolean;
}

/** Top-level statements: split at `;` and at line ends outside brackets, unless `continues` says the line goes on. */
function statements(masked: string, continues: (before: string, after: string) => boolean): Statement[] {
  const found: Statement[] = [];
  let depth = 0;
  let start = 0;
  let lineIndented = /^[ \t\f]/.test(masked);
  const push = (end: number): void => {
    const text = masked.slice(start, end);
    if (text.trim() !== '') found.push({ text, indented: lineIndented });
  };
  for (let i = 0; i < masked.length; i++) {
    const char = masked[i];
    if ('([{'.includes(char)) depth++;
    else if (')]}'.includes(char)) depth = Math.max(0, depth - 1);
    else if (depth > 0) continue;
    else if (char === ';' || (char === '\n' && !continues(masked.slice(start, i), masked.slice(i + 1)))) {
      push(i);
      start = i + 1;
      if (char === '\n') lineIndented = /^[ \t\f]/.test(masked.slice(start));
    }
  }
  push(masked.length);
  return found;
}

/** A line ending in an operator or a comma, or followed by one that starts with `.` or an operator, goes on. */
function endsMidExpression(before: string, after: string): boolean {
  const last = before.trimEnd().slice(-1);
  const next = after.trimStart().charAt(0);
  return (last !== '' && ',=+-*/%&|^<>?:.!~'.includes(last)) || (next !== '' && ',.?:=*/%&|^'.includes(next));
}
