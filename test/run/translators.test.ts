// One table per language of JSON value → injected source line, as papermill's tests/test_translators.py has.
// The Python and R lines were also checked by hand against python3 (exec + IPython's input transformer) and Rscript.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.ts';
import { supportedLanguages, translatorFor } from '../../src/run/translators.ts';

type Row = [value: unknown, line: string];

const scriptRows: Row[] = [
  ['plain', 'let x = "plain";'],
  ['say "hi"', 'let x = "say \\"hi\\"";'],
  ['back\\slash', 'let x = "back\\\\slash";'],
  ['two\nlines\r\ttab', 'let x = "two\\nlines\\r\\ttab";'],
  ['é日本😀', 'let x = "é日本😀";'],
  ['', 'let x = "";'],
  [7, 'let x = 7;'],
  [-3, 'let x = -3;'],
  [7.5, 'let x = 7.5;'],
  [1e21, 'let x = 1e+21;'],
  [1e-7, 'let x = 1e-7;'],
  [true, 'let x = true;'],
  [false, 'let x = false;'],
  [null, 'let x = null;'],
  [[], 'let x = [];'],
  [{}, 'let x = {};'],
  [[1, 'a', [null, true]], 'let x = [1,"a",[null,true]];'],
  [{ a: 1, 'b c': { d: [1.5, 'e'] } }, 'let x = {"a":1,"b c":{"d":[1.5,"e"]}};'],
];

const pythonRows: Row[] = [
  ['plain', 'x = "plain"'],
  ['say "hi"', 'x = "say \\"hi\\""'],
  ["it's", 'x = "it\'s"'],
  ['back\\slash', 'x = "back\\\\slash"'],
  ['two\nlines\r\ttab', 'x = "two\\nlines\\r\\ttab"'],
  // Printable non-ASCII stays as written, as repr() leaves it.
  ['é日本😀', 'x = "é日本😀"'],
  // Non-printable characters, including the ones str.splitlines() breaks at, are escaped as repr() escapes them.
  ['\u0001\u007f\u0085\u00a0\u2028\u200b\ufeff', 'x = "\\x01\\x7f\\x85\\xa0\\u2028\\u200b\\ufeff"'],
  ['\ud800', 'x = "\\ud800"'],
  ['\u{e0001}', 'x = "\\U000e0001"'],
  ['\\n is not a newline', 'x = "\\\\n is not a newline"'],
  ['', 'x = ""'],
  [7, 'x = 7'],
  [-3, 'x = -3'],
  [0, 'x = 0'],
  [7.5, 'x = 7.5'],
  [-0.25, 'x = -0.25'],
  [1e21, 'x = 1e+21'],
  [1e-7, 'x = 1e-7'],
  // Past 2^53 an integer-valued double is a float; without the ".0" Python would read an int.
  [2 ** 60, 'x = 1152921504606847000.0'],
  [true, 'x = True'],
  [false, 'x = False'],
  [null, 'x = None'],
  [[], 'x = []'],
  [{}, 'x = {}'],
  [[1, 'a', [null, true]], 'x = [1, "a", [None, True]]'],
  [{ a: 1, 'b c': { d: [1.5, 'e'] }, 'k"': false }, 'x = {"a": 1, "b c": {"d": [1.5, "e"]}, "k\\"": False}'],
];

const rRows: Row[] = [
  ['plain', 'x <- "plain"'],
  ['say "hi"', 'x <- "say \\"hi\\""'],
  ["it's", 'x <- "it\'s"'],
  ['back\\slash', 'x <- "back\\\\slash"'],
  ['two\nlines\r\ttab', 'x <- "two\\nlines\\r\\ttab"'],
  // Everything outside printable ASCII as \u, so the kernel's locale cannot change what the string holds.
  ['é日本😀', 'x <- "\\u00e9\\u65e5\\u672c\\U0001f600"'],
  ['\u0001\u007f\u2028', 'x <- "\\u0001\\u007f\\u2028"'],
  ['', 'x <- ""'],
  [7, 'x <- 7'],
  [-3, 'x <- -3'],
  [7.5, 'x <- 7.5'],
  [1e21, 'x <- 1e+21'],
  [1e-7, 'x <- 1e-7'],
  [true, 'x <- TRUE'],
  [false, 'x <- FALSE'],
  [null, 'x <- NULL'],
  [[], 'x <- list()'],
  [{}, 'x <- list()'],
  [[1, 'a', [null, true]], 'x <- list(1, "a", list(NULL, TRUE))'],
  [{ a: 1, 'b c': { d: [1.5, 'e'] }, if: false }, 'x <- list("a" = 1, "b c" = list("d" = list(1.5, "e")), "if" = FALSE)'],
];

describe.each([
  ['typescript', scriptRows],
  ['javascript', scriptRows],
  ['python', pythonRows],
  ['r', rRows],
] as const)('the %s translator', (language, rows) => {
  const translator = translatorFor(language);
  it.each(rows)('writes %j as %s', (value, line) => {
    expect(translator.assign('x', translator.translate(value))).toBe(line);
  });
});

describe('TypeScript and JavaScript literals', () => {
  it('are JSON.stringify text, so cells injected before translators existed stay byte-identical', () => {
    const value = { seed: 7, label: 'fast', nested: [1.5, null, { q: 'a"b\n' }] };
    expect(translatorFor('typescript').translate(value)).toBe(JSON.stringify(value));
    expect(translatorFor('javascript').translate(value)).toBe(JSON.stringify(value));
  });
});

describe('codify', () => {
  it('writes the comment line, then one assignment per parameter in order', () => {
    const parameters = { seed: 7, label: 'fast' };
    expect(translatorFor('typescript').codify(parameters, 'Parameters injected by repro run -p')).toBe(
      '// Parameters injected by repro run -p\nlet seed = 7;\nlet label = "fast";',
    );
    expect(translatorFor('javascript').codify(parameters, 'P')).toBe('// P\nlet seed = 7;\nlet label = "fast";');
    expect(translatorFor('python').codify(parameters, 'P')).toBe('# P\nseed = 7\nlabel = "fast"');
    expect(translatorFor('r').codify(parameters, 'P')).toBe('# P\nseed <- 7\nlabel <- "fast"');
  });
});

describe('translatorFor', () => {
  it('finds a translator by the kernelspec language in any case', () => {
    expect(translatorFor('R').language).toBe('R');
    expect(translatorFor('Python').language).toBe('Python');
    expect(translatorFor('TYPESCRIPT').language).toBe('TypeScript');
    expect(translatorFor('javascript').language).toBe('JavaScript');
    expect(supportedLanguages).toEqual(['typescript', 'javascript', 'python', 'r']);
  });

  it('refuses a language with no translator, naming the supported ones (exit 2)', () => {
    const error = catchError(() => translatorFor('julia'));
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe(
      '-p cannot write parameters for a notebook in "julia": repro writes them for typescript, javascript, python, r',
    );
    expect((error as UsageError).exitCode).toBe(2);
    expect((error as UsageError).hint).toBe('Run the notebook without -p, or set the values in its parameters cell.');
    expect(catchError(() => translatorFor('constructor'))).toBeInstanceOf(UsageError);
  });
});

describe('names', () => {
  it.each([
    ['typescript', ['seed', '_x', '$el', 'n2'], ['n.iter', '2n', 'class', 'let', 'await']],
    ['javascript', ['seed', '$el'], ['n.iter', 'default']],
    ['python', ['seed', '_x', 'match', 'print'], ['n.iter', '$el', 'lambda', 'None', 'class']],
    ['r', ['seed', 'n.iter', 'n_iter', '.hidden', 'T'], ['_x', '$el', '.2x', '...', '..1', 'function', 'TRUE', 'NA_real_']],
  ] as const)('in %s accepts %j and refuses %j', (language, valid, invalid) => {
    const translator = translatorFor(language);
    expect(valid.filter((name) => !translator.isName(name))).toEqual([]);
    expect(invalid.filter((name) => translator.isName(name))).toEqual([]);
  });
});

describe('values a language cannot hold', () => {
  it('refuses a NUL character or an unpaired surrogate in an R string (exit 2)', () => {
    const nul = catchError(() => translatorFor('r').translate('a\u0000b'));
    expect(nul).toBeInstanceOf(UsageError);
    expect((nul as UsageError).message).toBe('"a\\u0000b" cannot be an R string: R strings hold no NUL character');
    expect((nul as UsageError).exitCode).toBe(2);
    expect((catchError(() => translatorFor('r').translate('\ud800')) as UsageError).message).toBe(
      '"\\ud800" cannot be an R string: R strings hold no unpaired surrogate',
    );
  });

  it('refuses an empty key in an R list, which R cannot name', () => {
    const error = catchError(() => translatorFor('r').translate({ '': 1 }));
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe('an object with an empty key cannot be an R list: R refuses zero-length names');
    expect(translatorFor('python').translate({ '': 1 })).toBe('{"": 1}');
  });

  it('treats a value that is not JSON as a programming error, not a user one', () => {
    for (const value of [undefined, Number.NaN, Number.POSITIVE_INFINITY, 10n, new Date(0), () => 1]) {
      const error = catchError(() => translatorFor('python').translate(value));
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toMatch(/^cannot write .+ as a Python literal; parameters must be JSON values$/);
    }
  });
});

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
