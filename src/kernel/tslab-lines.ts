// tslab runs a cell as TypeScript's output for it, so its stack frames (`evalmachine.<anonymous>:6:11`) count
// lines of that output: declarations gain `exports.x = x;` lines, blank lines and types disappear. Without a source
// map from tslab, repro compiles the cell the way tslab does (its own TypeScript, the same export wrapping) with a
// source map, checks that the result matches what tslab printed (the throwing line's text, or the line count seen
// in the outermost frame), and only then rewrites frames as `<cell>:line:column`. Frames from functions defined in
// earlier cells cannot be told apart by position; a named one whose name this cell does not define is shown as
// coming from an earlier cell. Columns are approximate where a line uses an earlier cell's names (tslab writes
// them `exports.name`); lines are exact whenever the check passes.
import { createRequire, SourceMap } from 'node:module';
import { dirname, join } from 'node:path';
import type * as TS from 'typescript';

const FRAME = /evalmachine\.<anonymous>:(\d+)(?::(\d+))?/;
const CELL = '<cell>';
const EARLIER = 'an earlier cell';

interface Compiled {
  lines: string[];
  map: SourceMap;
  /** Where `export const tsLastExpr = ` was put in, to take out of mapped columns again. */
  inserted?: { line: number; column: number; length: number };
  /** Functions, methods and classes this cell names. */
  names: Set<string>;
}

/** Rewrites tslab's frames into the cell's lines; returns the lines unchanged when the compiled code cannot be matched. */
export function cellTraceback(lines: string[], code: string, javascript: boolean): string[] {
  if (!lines.some((line) => FRAME.test(line))) return lines;
  let compiled: Compiled;
  try {
    compiled = compileLikeTslab(code, javascript);
  } catch {
    return lines; // no TypeScript next to tslab: keep tslab's numbers
  }
  const outermost = compiled.lines.length + 2; // the line of tslab's `})(__tslab__.exports, …)`
  const header = headerAt(lines);
  const headerMatches = header !== undefined && stripWrapper(compiled.lines[header.line - 1] ?? '').trim() === stripWrapper(lines[header.index + 1] ?? '').trim();
  const frames = lines.map((line) => FRAME.exec(line)).filter((match): match is RegExpExecArray => match !== null && /^\s+at /.test(match.input));
  const last = frames.at(-1);
  const lastLine = last ? Number(last[1]) : 0;
  const confirmed = headerMatches || lastLine === outermost || (last !== undefined && /^\s+at async /.test(last.input) && lastLine <= compiled.lines.length);
  if (!confirmed) return lines;

  const out: string[] = [];
  for (const [index, line] of lines.entries()) {
    if (header && index === header.index) {
      if (!headerMatches) {
        out.push(line.replace(FRAME, EARLIER));
        continue;
      }
      const at = locate(compiled, header.line, header.column ?? caretColumn(lines[index + 2]));
      out.push(`${CELL}:${at.line}`, code.split('\n')[at.line - 1] ?? '', `${' '.repeat(at.column - 1)}^`);
      continue;
    }
    if (header && (index === header.index + 1 || index === header.index + 2) && headerMatches) continue;
    const match = FRAME.exec(line);
    if (!match || !/^\s+at /.test(line)) {
      out.push(line);
      continue;
    }
    const frameLine = Number(match[1]);
    if (frameLine === outermost) continue; // tslab calling the cell: says nothing
    const name = /^\s+at (?:async )?(?:new )?([^\s(]+) \(/.exec(line)?.[1];
    const ours = frameLine <= compiled.lines.length && (name === undefined || compiled.names.has(name.split('.').at(-1) ?? name));
    if (!ours) {
      out.push(line.replace(match[0], EARLIER));
      continue;
    }
    const at = locate(compiled, frameLine, Number(match[2] ?? 1));
    out.push(line.replace(match[0], `${CELL}:${at.line}:${at.column}`));
  }
  return out;
}

/** Node's arrow message for a synchronous throw: "evalmachine.<anonymous>:6", the line, a caret. */
function headerAt(lines: string[]): { index: number; line: number; column?: number } | undefined {
  const index = lines.findIndex((line) => /^evalmachine\.<anonymous>:\d+$/.test(line));
  if (index < 0) return undefined;
  return { index, line: Number(FRAME.exec(lines[index])?.[1]) };
}

function caretColumn(line: string | undefined): number {
  const at = line?.indexOf('^') ?? -1;
  return at < 0 ? 1 : at + 1;
}

/** A compiled line as comparable text: without tslab's wrapper, and names of earlier cells without tslab's `exports.`. */
function stripWrapper(line: string): string {
  return line.replace(/^\(async function\(exports, require\) \{ |^\(function\(exports, require\) \{ /, '').replace(/\bexports\./g, '');
}

/** 1-based compiled line and column → 1-based cell line and column. */
function locate(compiled: Compiled, line: number, column: number): { line: number; column: number } {
  const wrapper = line === 1 ? '(function(exports, require) { '.length : 0;
  const entry = compiled.map.findEntry(line - 1, Math.max(0, column - 1 - wrapper)) as Partial<{ originalLine: number; originalColumn: number }>;
  if (entry.originalLine === undefined || entry.originalColumn === undefined) return { line: 1, column: 1 };
  let originalColumn = entry.originalColumn;
  const inserted = compiled.inserted;
  if (inserted && entry.originalLine === inserted.line && originalColumn >= inserted.column + inserted.length) originalColumn -= inserted.length;
  return { line: entry.originalLine + 1, column: originalColumn + 1 };
}

let typescript: typeof TS | undefined;

/** The TypeScript tslab itself uses (its own fork, a dependency of tslab). */
function tslabTypeScript(): typeof TS {
  if (typescript) return typescript;
  const require = createRequire(import.meta.url);
  const tslab = dirname(require.resolve('tslab/package.json'));
  typescript = createRequire(join(tslab, 'package.json'))('@tslab/typescript-for-tslab') as typeof TS;
  return typescript;
}

/** tslab's emit for a cell: its top-level names exported, its last expression kept as tsLastExpr, CommonJS. */
export function compileLikeTslab(code: string, javascript: boolean): Compiled {
  const ts = tslabTypeScript();
  const fileName = javascript ? 'cell.js' : 'cell.ts';
  const source = ts.createSourceFile(fileName, code, ts.ScriptTarget.Latest, true);
  const locals = new Set<string>();
  const names = new Set<string>();
  for (const statement of source.statements) topLevelNames(ts, statement, locals);
  collectFunctionNames(ts, source, names);
  let text = code;
  let inserted: Compiled['inserted'];
  const last = source.statements.at(-1);
  if (last && ts.isExpressionStatement(last)) {
    const start = last.getStart(source);
    const prefix = 'export const tsLastExpr = ';
    const position = source.getLineAndCharacterOfPosition(start);
    inserted = { line: position.line, column: position.character, length: prefix.length };
    text = code.slice(0, start) + prefix + code.slice(start);
    locals.add('tsLastExpr');
  }
  text += `\nexport {${[...locals].join(', ')}}`;
  const result = ts.transpileModule(text, {
    fileName,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      noImplicitUseStrict: true,
      newLine: ts.NewLineKind.LineFeed,
      experimentalDecorators: true,
      jsx: ts.JsxEmit.React,
      allowJs: true,
      sourceMap: true,
    },
  });
  const lines = result.outputText.replace(/\n\/\/# sourceMappingURL=.*\n?$/, '\n').replace(/\n$/, '').split('\n');
  return { lines, map: new SourceMap(JSON.parse(result.sourceMapText ?? '{}')), inserted, names };
}

function topLevelNames(ts: typeof TS, statement: TS.Statement, into: Set<string>): void {
  const add = (name: TS.Node | undefined) => bindingNames(ts, name, into);
  if (ts.isVariableStatement(statement)) for (const declaration of statement.declarationList.declarations) add(declaration.name);
  else if (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isEnumDeclaration(statement)) add(statement.name);
  else if (ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement) || ts.isImportEqualsDeclaration(statement)) add(statement.name);
  else if (ts.isModuleDeclaration(statement) && ts.isIdentifier(statement.name)) add(statement.name);
  else if (ts.isImportDeclaration(statement) && statement.importClause) {
    const clause = statement.importClause;
    add(clause.name);
    const bindings = clause.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings)) add(bindings.name);
    else if (bindings) for (const element of bindings.elements) add(element.name);
  }
}

function bindingNames(ts: typeof TS, node: TS.Node | undefined, into: Set<string>): void {
  if (!node) return;
  if (ts.isIdentifier(node)) into.add(node.text);
  else if (ts.isObjectBindingPattern(node) || ts.isArrayBindingPattern(node)) {
    for (const element of node.elements) if (ts.isBindingElement(element)) bindingNames(ts, element.name, into);
  }
}

function collectFunctionNames(ts: typeof TS, node: TS.Node, into: Set<string>): void {
  const named = node as { name?: TS.Node };
  const isFunctionLike = ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) || ts.isMethodDeclaration(node) || ts.isClassLike(node) || ts.isGetAccessor(node) || ts.isSetAccessor(node);
  const holdsFunction = (ts.isVariableDeclaration(node) || ts.isPropertyAssignment(node) || ts.isPropertyDeclaration(node)) && node.initializer !== undefined && (ts.isArrowFunction(node.initializer) || ts.isFunctionExpression(node.initializer));
  if ((isFunctionLike || holdsFunction) && named.name && ts.isIdentifier(named.name)) into.add(named.name.text);
  if (ts.isConstructorDeclaration(node) && ts.isClassLike(node.parent) && node.parent.name) into.add(node.parent.name.text);
  ts.forEachChild(node, (child) => collectFunctionNames(ts, child, into));
}
