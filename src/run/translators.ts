// Parameter translators, in the shape of papermill's: one Translator per notebook language turns JSON values into
// that language's literals and assignment lines. Looked up by the kernelspec's `language`.
import { UsageError } from '../errors.ts';

/**
 * One language's literals. `translate` dispatches on the value's JSON type, as papermill's `Translator.translate`
 * does; a language overrides the cases it writes differently. Integers and floats are told apart by value
 * (`Number.isSafeInteger`), because JSON and JavaScript keep no `7.0` apart from `7`.
 */
export abstract class Translator {
  /** The language as messages name it, e.g. `Python`. */
  abstract readonly language: string;
  /** What a valid name looks like, for the hint when one is refused. */
  abstract readonly nameRule: string;

  abstract str(value: string): string;
  abstract bool(value: boolean): string;
  abstract none(): string;
  abstract list(items: readonly unknown[]): string;
  abstract dict(entries: Record<string, unknown>): string;
  abstract comment(text: string): string;
  abstract assign(name: string, literal: string): string;
  abstract isName(name: string): boolean;

  int(value: number): string {
    return String(value);
  }

  float(value: number): string {
    return String(value);
  }

  translate(value: unknown): string {
    if (value === null) return this.none();
    if (typeof value === 'string') return this.str(value);
    if (typeof value === 'boolean') return this.bool(value);
    if (typeof value === 'number' && Number.isFinite(value)) return Number.isSafeInteger(value) ? this.int(value) : this.float(value);
    if (Array.isArray(value)) return this.list(value);
    if (isPlainObject(value)) return this.dict(value);
    // Only a caller outside the CLI can get here: parseParameter yields JSON values.
    throw new TypeError(`cannot write ${describe(value)} as a ${this.language} literal; parameters must be JSON values`);
  }

  /** The source of the injected cell: a comment line, then one assignment per parameter. */
  codify(parameters: Record<string, unknown>, comment: string): string {
    return [this.comment(comment), ...Object.entries(parameters).map(([name, value]) => this.assign(name, this.translate(value)))].join('\n');
  }
}

/** JSON is already a TypeScript literal; writing it as JSON.stringify does keeps earlier injected cells byte-identical. */
class TypeScriptTranslator extends Translator {
  readonly language: string = 'TypeScript';
  readonly nameRule = 'letters, digits, _ and $, not starting with a digit, and not a reserved word';

  str(value: string): string {
    return JSON.stringify(value);
  }
  bool(value: boolean): string {
    return String(value);
  }
  none(): string {
    return 'null';
  }
  list(items: readonly unknown[]): string {
    return `[${items.map((item) => this.translate(item)).join(',')}]`;
  }
  dict(entries: Record<string, unknown>): string {
    return `{${Object.entries(entries).map(([key, value]) => `${JSON.stringify(key)}:${this.translate(value)}`).join(',')}}`;
  }
  comment(text: string): string {
    return `// ${text}`;
  }
  /** `let`, not `const`: tslab and jslab let a later cell redeclare a name the parameters cell declared. */
  assign(name: string, literal: string): string {
    return `let ${name} = ${literal};`;
  }
  isName(name: string): boolean {
    return /^[A-Za-z_$][\w$]*$/.test(name) && !jsReserved.has(name);
  }
}

/** jslab is tslab's JavaScript mode: the same literals and the same redeclarable `let`. */
class JavaScriptTranslator extends TypeScriptTranslator {
  override readonly language = 'JavaScript';
}

class PythonTranslator extends Translator {
  readonly language = 'Python';
  readonly nameRule = 'letters, digits and _, not starting with a digit, and not a keyword';

  /** Escaped as repr() escapes, so no character can end the string or the line early. */
  str(value: string): string {
    let out = '"';
    for (const char of value) {
      const code = char.codePointAt(0) ?? 0;
      if (char in namedEscapes) out += namedEscapes[char];
      else if (char === ' ' || !nonPrintable.test(char)) out += char;
      else if (code <= 0xff) out += `\\x${hex(code, 2)}`;
      else if (code <= 0xffff) out += `\\u${hex(code, 4)}`;
      else out += `\\U${hex(code, 8)}`;
    }
    return `${out}"`;
  }
  /** A float written with no fraction or exponent (a number past 2^53, say) would read back as a Python int. */
  override float(value: number): string {
    const text = String(value);
    return /[.e]/.test(text) ? text : `${text}.0`;
  }
  bool(value: boolean): string {
    return value ? 'True' : 'False';
  }
  none(): string {
    return 'None';
  }
  list(items: readonly unknown[]): string {
    return `[${items.map((item) => this.translate(item)).join(', ')}]`;
  }
  dict(entries: Record<string, unknown>): string {
    return `{${Object.entries(entries).map(([key, value]) => `${this.str(key)}: ${this.translate(value)}`).join(', ')}}`;
  }
  comment(text: string): string {
    return `# ${text}`;
  }
  assign(name: string, literal: string): string {
    return `${name} = ${literal}`;
  }
  isName(name: string): boolean {
    return /^[A-Za-z_]\w*$/.test(name) && !pythonKeywords.has(name);
  }
}

/**
 * Numbers are written plainly, as papermill does, so they are doubles: that is what `n <- 100` in the parameters
 * cell itself gives, and an `L` integer past 2^31 would overflow. Arrays and objects become (named) lists.
 */
class RTranslator extends Translator {
  readonly language = 'R';
  readonly nameRule = 'letters, digits, . and _, starting with a letter or a dot not followed by a digit, and not a reserved word';

  /** Everything but printable ASCII as \u escapes: R refuses to mix \x and \u in one string, and cannot hold NUL. */
  str(value: string): string {
    let out = '"';
    for (const char of value) {
      const code = char.codePointAt(0) ?? 0;
      if (char in namedEscapes) out += namedEscapes[char];
      else if (code >= 0x20 && code < 0x7f) out += char;
      else if (code === 0 || (code >= 0xd800 && code <= 0xdfff)) {
        throw new UsageError(
          `${JSON.stringify(value)} cannot be an R string: R strings hold no ${code === 0 ? 'NUL character' : 'unpaired surrogate'}`,
          'Pass the value without that character.',
        );
      } else if (code <= 0xffff) out += `\\u${hex(code, 4)}`;
      else out += `\\U${hex(code, 8)}`;
    }
    return `${out}"`;
  }
  bool(value: boolean): string {
    return value ? 'TRUE' : 'FALSE';
  }
  none(): string {
    return 'NULL';
  }
  list(items: readonly unknown[]): string {
    return `list(${items.map((item) => this.translate(item)).join(', ')})`;
  }
  dict(entries: Record<string, unknown>): string {
    return `list(${Object.entries(entries).map(([key, value]) => `${this.listName(key)} = ${this.translate(value)}`).join(', ')})`;
  }
  comment(text: string): string {
    return `# ${text}`;
  }
  assign(name: string, literal: string): string {
    return `${name} <- ${literal}`;
  }
  isName(name: string): boolean {
    return /^(?:[A-Za-z]|\.(?![0-9]))[\w.]*$/.test(name) && !/^\.\.(?:\.|\d+)$/.test(name) && !rReserved.has(name);
  }

  private listName(key: string): string {
    if (key === '') throw new UsageError('an object with an empty key cannot be an R list: R refuses zero-length names', 'Give every key a name.');
    return this.str(key);
  }
}

const translators = new Map<string, Translator>([
  ['typescript', new TypeScriptTranslator()],
  ['javascript', new JavaScriptTranslator()],
  ['python', new PythonTranslator()],
  ['r', new RTranslator()],
]);

/** The languages `-p` can write, as kernelspecs spell them (compared case-insensitively). */
export const supportedLanguages: readonly string[] = [...translators.keys()];

/** The translator for a kernelspec's `language` ('typescript', 'javascript', 'python', 'R'; any case). */
export function translatorFor(language: string): Translator {
  const translator = translators.get(language.toLowerCase());
  if (!translator) {
    throw new UsageError(
      `-p cannot write parameters for a notebook in ${JSON.stringify(language)}: repro writes them for ${supportedLanguages.join(', ')}`,
      'Run the notebook without -p, or set the values in its parameters cell.',
    );
  }
  return translator;
}

const namedEscapes: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
// What Python's str.isprintable() calls non-printable (space aside): repr() escapes exactly these.
const nonPrintable = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Z}]/u;

function hex(code: number, digits: number): string {
  return code.toString(16).padStart(digits, '0');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

function describe(value: unknown): string {
  if (typeof value === 'number' || value === undefined) return String(value);
  if (typeof value === 'object' && value !== null) return `a ${value.constructor?.name ?? 'object'}`;
  return `a ${typeof value}`;
}

const jsReserved = new Set(
  ('break case catch class const continue debugger default delete do else enum export extends false finally for function ' +
    'if import in instanceof new null return super switch this throw true try typeof var void while with yield ' +
    'let static implements interface package private protected public await arguments eval undefined NaN Infinity').split(' '),
);
const pythonKeywords = new Set(
  ('False None True and as assert async await break class continue def del elif else except finally for from global ' +
    'if import in is lambda nonlocal not or pass raise return try while with yield').split(' '),
);
const rReserved = new Set(
  ('if else repeat while function for in next break TRUE FALSE NULL Inf NaN NA NA_integer_ NA_real_ NA_character_ ' +
    'NA_complex_').split(' '),
);
