// Reads research.yaml from a project folder, validates it against the schema, and hashes its meaning;
// every problem becomes a ManifestError at research.yaml:line:column (exit code 2).
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { ManifestError, type SourcePosition } from '../errors.ts';
import type { FieldPath } from './fields.ts';
import { Locator, ManifestProblemsError, duplicateProblems, outputsProblems, schemaIssueProblems, yamlErrorProblem, type ManifestProblem } from './problems.ts';
import { manifestSchema, type Manifest } from './schema.ts';

export const manifestFileName = 'research.yaml';

export interface LoadedManifest {
  manifest: Manifest;
  /** Absolute path of research.yaml. */
  file: string;
  /** Its text as read. */
  text: string;
  /**
   * sha256 of the canonical JSON of `manifest` without its `verify:` rules (they judge outputs and resolve nothing):
   * unchanged by comments, formatting, key order, spelled-out defaults or a tolerance tuned after a run.
   */
  hash: string;
  /** The same over the whole manifest, verify rules included: what locks written by earlier builds of repro hold. */
  wholeHash: string;
}

/** Loads `<projectDir>/research.yaml`. Throws ManifestError (all problems found, each with file:line:column). */
export async function loadManifest(projectDir: string): Promise<LoadedManifest> {
  const dir = path.resolve(projectDir);
  const file = path.join(dir, manifestFileName);
  const text = await readManifestText(dir, file);
  return parseManifest(text, file);
}

/** Validates manifest text; `file` is used for messages (and returned as is). */
export function parseManifest(text: string, file: string): LoadedManifest {
  const shown = displayPath(file);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const locator = new Locator(doc, lineCounter, shown);
  if (doc.errors.length > 0) throw new ManifestProblemsError(doc.errors.map((error) => yamlErrorProblem(error, text, locator)));

  const data: unknown = doc.toJS();
  if (data === null || data === undefined) {
    throw new ManifestError('research.yaml is empty.', {
      position: { file: shown, line: 1, column: 1 },
      hint: 'Start from the example in docs/research-yaml.md: at least `name:` and `environment: { node: 20.20.2 }`.',
    });
  }
  const problems: ManifestProblem[] = [];
  const result = manifestSchema.safeParse(data);
  if (!result.success) for (const issue of result.error.issues) problems.push(...schemaIssueProblems(issue, data, locator));
  problems.push(...duplicateProblems(data, locator), ...outputsProblems(data, locator));
  if (!result.success || problems.length > 0) {
    problems.sort((a, b) => a.position.line - b.position.line || a.position.column - b.position.column);
    throw new ManifestProblemsError(problems);
  }
  return { manifest: result.data, file, text, hash: manifestHash(result.data), wholeHash: wholeManifestHash(result.data) };
}

/** Where a field of a loaded research.yaml is (its value, or the nearest ancestor), for checks made after loading. */
export function fieldPosition(loaded: Pick<LoadedManifest, 'file' | 'text'>, fieldPath: FieldPath): SourcePosition {
  const lineCounter = new LineCounter();
  const doc = parseDocument(loaded.text, { lineCounter, prettyErrors: false });
  return new Locator(doc, lineCounter, displayPath(loaded.file)).value(fieldPath);
}

/** sha256 of the manifest's canonical JSON (keys sorted at every level). */
export function manifestHash(manifest: Manifest): string {
  const { verify: _rules, ...resolved } = manifest;
  return createHash('sha256').update(canonicalJson(resolved)).digest('hex');
}

/** sha256 of the whole manifest's canonical JSON, verify rules included (the lock's manifestHash in earlier builds of repro). */
export function wholeManifestHash(manifest: Manifest): string {
  return createHash('sha256').update(canonicalJson(manifest)).digest('hex');
}

/** JSON with object keys sorted and undefined members dropped, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, member]) => member !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`).join(',')}}`;
}

async function readManifestText(dir: string, file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      const dirExists = await stat(dir).then((s) => s.isDirectory(), () => false);
      throw new ManifestError(
        dirExists ? `no research.yaml in ${dir} (looked for ${file})` : `the project folder ${dir} does not exist (looked for ${file})`,
        { hint: 'Run repro in the folder holding research.yaml, or point at it with -C <dir>. docs/research-yaml.md shows a minimal research.yaml.', cause: error },
      );
    }
    throw new ManifestError(`cannot read ${file}: ${(error as Error).message}`, { hint: 'Check that research.yaml is a readable file.', cause: error });
  }
}

/** research.yaml relative to the working directory when it is below it (clickable in a terminal), else absolute. */
function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}
