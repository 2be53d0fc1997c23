// -p overrides: parsing key=value, the injected cell's place, text and id, the names a parameters cell defines per
// language, and the warnings and refusals a user sees.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.ts';
import type { Cell, Notebook } from '../../src/run/notebook.ts';
import { definedParameters, injectParameters, parseParameter, parseParameters } from '../../src/run/parameters.ts';

function code(source: string, tags?: string[], id?: string): Cell {
  return { cell_type: 'code', source, metadata: tags ? { tags } : {}, outputs: [], execution_count: null, ...(id ? { id } : {}) };
}

function notebook(cells: Cell[], nbformatMinor = 5): Notebook {
  return { nbformat: 4, nbformat_minor: nbformatMinor, metadata: {}, cells };
}

function catchError(run: () => unknown): UsageError {
  try {
    run();
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error('expected a UsageError');
}

describe('parseParameter', () => {
  it.each([
    ['seed=7', ['seed', 7]],
    ['alpha=0.5', ['alpha', 0.5]],
    ['label=fast', ['label', 'fast']],
    ['label="fast"', ['label', 'fast']],
    ['flag=true', ['flag', true]],
    ['nothing=null', ['nothing', null]],
    ['list=[1,"a"]', ['list', [1, 'a']]],
    ['cfg={"a":{"b":2}}', ['cfg', { a: { b: 2 } }]],
    ['expr=a=b', ['expr', 'a=b']],
    ['empty=', ['empty', '']],
    ['n.iter=100', ['n.iter', 100]],
    ['$el=1', ['$el', 1]],
    ['big=9007199254740991', ['big', 9007199254740991]],
  ] as const)('reads %s', (text, expected) => {
    expect(parseParameter(text)).toEqual(expected);
  });

  it('collects a list into an object, the last of a repeated name winning', () => {
    expect(parseParameters(['seed=1', 'label=x', 'seed=2'])).toEqual({ seed: 2, label: 'x' });
  });

  it.each([
    ['seed', '-p seed: expected key=value'],
    ['=7', '-p =7: expected key=value'],
    ['2n=7', '-p 2n=7: "2n" is not a parameter name'],
    ['a-b=7', '-p a-b=7: "a-b" is not a parameter name'],
    ['.x=7', '-p .x=7: ".x" is not a parameter name'],
  ])('refuses %s (exit 2)', (text, message) => {
    const error = catchError(() => parseParameter(text));
    expect(error.message).toBe(message);
    expect(error.exitCode).toBe(2);
    expect(error.hint).toBeTruthy();
  });

  it('refuses an integer too long to arrive exactly, and says how to pass it as a string', () => {
    const error = catchError(() => parseParameter('id=12345678901234567890'));
    expect(error.message).toBe('-p id=12345678901234567890: 12345678901234567890 is too large an integer to pass exactly (the largest is 9007199254740991)');
    expect(error.hint).toBe('Pass it as a string instead: -p id=\'"12345678901234567890"\'');
    expect(error.exitCode).toBe(2);
    expect(parseParameter('id="12345678901234567890"')).toEqual(['id', '12345678901234567890']);
    expect(parseParameter('x=1e30')).toEqual(['x', 1e30]);
  });
});

describe('injectParameters', () => {
  const parametersCell = code('let seed = 42;\nlet label = "default";', ['parameters'], 'c0');
  const body = code('console.log(seed);', undefined, 'c1');

  it('puts a TypeScript cell right after the parameters cell, with the same text as before translators', () => {
    const source = notebook([code('// setup', undefined, 'c-1'), parametersCell, body]);
    const result = injectParameters(source, { seed: 7, label: 'fast' });
    expect(result.injectedAt).toBe(2);
    expect(result.foundParametersCell).toBe(true);
    expect(result.warnings).toEqual([]);
    expect(result.notebook.cells.map((cell) => cell.id)).toEqual(['c-1', 'c0', 'injected-parameters', 'c1']);
    expect(result.notebook.cells[2]).toEqual({
      cell_type: 'code',
      id: 'injected-parameters',
      source: '// Parameters injected by repro run -p\nlet seed = 7;\nlet label = "fast";',
      metadata: { tags: ['injected-parameters'] },
      outputs: [],
      execution_count: null,
    });
    // The notebook passed in is left as it was.
    expect(source.cells).toHaveLength(3);
  });

  it('gives the cell no id before nbformat 4.5, which has none', () => {
    const result = injectParameters(notebook([code('let seed = 42;', ['parameters']), code('seed')], 4), { seed: 7 });
    expect(result.notebook.cells[1].id).toBeUndefined();
    expect(result.notebook.cells[1].metadata.tags).toEqual(['injected-parameters']);
  });

  it('puts the overrides first, with a warning, when no cell is tagged "parameters"', () => {
    const result = injectParameters(notebook([code('x = 1'), code('print(x)')]), { x: 2 }, 'python');
    expect(result.injectedAt).toBe(0);
    expect(result.foundParametersCell).toBe(false);
    expect(result.warnings).toEqual(['no cell is tagged "parameters", so the -p overrides were put first, before every cell']);
    expect(result.notebook.cells.map((cell) => cell.source)).toEqual(['# Parameters injected by repro run -p\nx = 2', 'x = 1', 'print(x)']);
  });

  it('does not count a markdown cell tagged "parameters"', () => {
    const markdown: Cell = { cell_type: 'markdown', source: 'seed', metadata: { tags: ['parameters'] } };
    const result = injectParameters(notebook([markdown, parametersCell]), { seed: 1 });
    expect(result.injectedAt).toBe(2);
  });

  it('replaces the cell an earlier run injected, and only removes it when there are no overrides', () => {
    const stale = code('// Parameters injected by repro run -p\nlet seed = 1;', ['injected-parameters'], 'injected-parameters');
    const source = notebook([parametersCell, stale, body]);
    const again = injectParameters(source, { seed: 9 });
    expect(again.notebook.cells.map((cell) => cell.source)).toEqual([
      parametersCell.source,
      '// Parameters injected by repro run -p\nlet seed = 9;',
      body.source,
    ]);
    const none = injectParameters(source, {});
    expect(none).toEqual({ notebook: notebook([parametersCell, body]), foundParametersCell: true, warnings: [] });
    expect(none.injectedAt).toBeUndefined();
  });

  it.each([
    ['python', '# Parameters injected by repro run -p\nseed = 7\nlabel = "fast"'],
    ['Python', '# Parameters injected by repro run -p\nseed = 7\nlabel = "fast"'],
    ['R', '# Parameters injected by repro run -p\nseed <- 7\nlabel <- "fast"'],
    ['javascript', '// Parameters injected by repro run -p\nlet seed = 7;\nlet label = "fast";'],
  ])('writes the cell in %s', (language, text) => {
    const result = injectParameters(notebook([code('seed = 42\nlabel = "x"', ['parameters'])]), { seed: 7, label: 'fast' }, language);
    expect(result.notebook.cells[1].source).toBe(text);
  });

  const sample = '-p sample: the cell tagged "parameters" defines no "sample" (it defines: seed, n)';
  it.each([
    ['typescript', 'let seed = 42;\nconst n = 10;', [sample]],
    ['javascript', 'var seed = 42, n = 10', [sample]],
    ['python', 'seed = 42\nn: int = 10', [sample]],
    ['r', 'seed <- 42\nn = 10', [sample]],
    [
      'python',
      '# nothing here',
      [
        '-p seed: the cell tagged "parameters" defines no "seed" (it defines none)',
        '-p sample: the cell tagged "parameters" defines no "sample" (it defines none)',
      ],
    ],
  ])('in %s warns about a name the parameters cell does not define', (language, cellSource, warnings) => {
    const result = injectParameters(notebook([code(cellSource, ['parameters'])]), { seed: 1, sample: 5 }, language);
    expect(result.warnings).toEqual(warnings);
    // The override is still injected: the notebook may define the name later, or use it only when given.
    expect(result.notebook.cells[1].source.split('\n').slice(1)).toEqual(
      language === 'r' ? ['seed <- 1', 'sample <- 5'] : language === 'python' ? ['seed = 1', 'sample = 5'] : ['let seed = 1;', 'let sample = 5;'],
    );
  });

  it.each([
    ['python', 'n.iter', '-p n.iter: "n.iter" is not a valid name in Python, the notebook\'s language'],
    ['typescript', 'n.iter', '-p n.iter: "n.iter" is not a valid name in TypeScript, the notebook\'s language'],
    ['r', '_seed', '-p _seed: "_seed" is not a valid name in R, the notebook\'s language'],
    ['r', 'if', '-p if: "if" is not a valid name in R, the notebook\'s language'],
    ['python', 'class', '-p class: "class" is not a valid name in Python, the notebook\'s language'],
  ])('in %s refuses the name %s (exit 2)', (language, name, message) => {
    const error = catchError(() => injectParameters(notebook([code('', ['parameters'])]), { [name]: 1 }, language));
    expect(error.message).toBe(message);
    expect(error.exitCode).toBe(2);
    expect(error.hint).toMatch(/names are .+\. Use the name the parameters cell gives the value\.$/);
  });

  it('accepts a dotted name in R', () => {
    const result = injectParameters(notebook([code('n.iter <- 10', ['parameters'])]), { 'n.iter': 20 }, 'r');
    expect(result.warnings).toEqual([]);
    expect(result.notebook.cells[1].source).toBe('# Parameters injected by repro run -p\nn.iter <- 20');
  });

  it('refuses overrides for a language with no translator (exit 2), but runs such a notebook without them', () => {
    const source = notebook([code('seed = 1', ['parameters'])]);
    const error = catchError(() => injectParameters(source, { seed: 2 }, 'julia'));
    expect(error.message).toBe('-p cannot write parameters for a notebook in "julia": repro writes them for typescript, javascript, python, r');
    expect(error.exitCode).toBe(2);
    expect(injectParameters(source, {}, 'julia')).toEqual({ notebook: source, foundParametersCell: true, warnings: [] });
  });
});

describe('definedParameters', () => {
  it.each([
    ['let seed = 42;\nconst label = "a, b = c";\nvar n = 1', ['seed', 'label', 'n']],
    ['const a = 1, b = 2;', ['a', 'b']],
    ['let seed: number = 42\nlet cfg: Map<string, number> = new Map(), next = f(1, 2)', ['seed', 'cfg', 'next']],
    ['const cfg = {\n  a: 1,\n  b: [2, 3],\n};\nlet after = 1', ['cfg', 'after']],
    ['const a = 1,\n  b = 2\nlet c = 3', ['a', 'b', 'c']],
    ['let f = (x: number) =>\n  x + 1\nlet g = 2', ['f', 'g']],
    ['// let commented = 1\n/* let blocked = 2;\n let also = 3 */ let real = 4', ['real']],
    ['let s = `let inTemplate = 1`, t = \'let q = 2\'', ['s', 't']],
    ['function f() {\n  let inner = 1;\n}\nif (x) { const nested = 2 }\nfor (let i = 0; i < 3; i++) {}', []],
    ['export let exported = 1; let seed = 2', ['exported', 'seed']],
    ['seed = 3\nconsole.log(seed)', []],
  ])('in TypeScript finds the top-level declarations of %j', (source, names) => {
    expect(definedParameters(source, 'typescript')).toEqual(names);
  });

  it.each([
    ['seed = 42\nlabel = "a = b"\nalpha = 0.5', ['seed', 'label', 'alpha']],
    ['n: int = 10\nratio: float = 0.5\nlimit: int', ['n', 'ratio', 'limit']],
    ['a, b = 1, 2\n(c, d) = 3, 4\ne = f = 5', ['a', 'b', 'c', 'd', 'e', 'f']],
    ['x = 1; y = 2', ['x', 'y']],
    ['cfg = {\n"a": 1,\nb = 2,\n}\nafter = dict(\nk=1)', ['cfg', 'after']],
    ['doc = """\nhidden = 1\n"""\nshown = 2', ['doc', 'shown']],
    ['# hidden = 1\nshown = 2  # trailing = 3', ['shown']],
    ['if debug:\n    inner = 1\ndef f(a=1):\n    local = 2\n', []],
    ['x += 1\ny == 2\nz.attr = 3\nw["k"] = 4\nf(k=5)', []],
    ['total = a + \\\n  b\nnext = 1', ['total', 'next']],
    ['f = lambda a=1: a', ['f']],
    ['seed = 1\nseed = 2', ['seed']],
  ])('in Python finds the top-level assignments of %j', (source, names) => {
    expect(definedParameters(source, 'python')).toEqual(names);
  });

  it.each([
    ['seed <- 42\nlabel = "a <- b"\nn.iter <<- 100', ['seed', 'label', 'n.iter']],
    ['a <- b <- 1', ['a', 'b']],
    ['x <- 1; y = 2', ['x', 'y']],
    ['cfg <- list(\n  inner = 1,\n  other = 2\n)\nafter <- 3', ['cfg', 'after']],
    ['f <- function(a = 1) {\n  local <- 2\n}\nif (TRUE) {\n  nested <- 3\n}', ['f']],
    ['# hidden <- 1\nx == 2\n`odd name` <- 3', []],
    ['x<-1\ny<--2', ['x', 'y']],
    ['total <-\n  1 + 2\nafter <- 3', ['total', 'after']],
    // `next` is reserved in R, so not a name a cell can define.
    ['next <- 3', []],
  ])('in R finds the top-level assignments of %j', (source, names) => {
    expect(definedParameters(source, 'R')).toEqual(names);
  });

  it('refuses a language with no translator', () => {
    expect(catchError(() => definedParameters('x = 1', 'julia')).exitCode).toBe(2);
  });
});
