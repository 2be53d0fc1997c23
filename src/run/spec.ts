// The run specification: what one notebook run is (RunSpec) and what came of it (RunResult), as versioned plain JSON.
// Every executor crosses this seam: the local kernel, the container's inner `repro run --spec`, a sweep point on a
// Slurm node or in a Kubernetes Job. Relative paths in a spec are resolved against the spec file's folder, so the
// same file works on the host, in a container and on a cluster node.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { EngineError } from '../errors.ts';

/** Bumped when a field changes meaning; a reader refuses any other version (host and image must agree). */
export const runSpecVersion = 1;

const notebookPath = z
  .string()
  .min(1)
  .refine((p) => !isAbsolute(p) && !p.split(/[\\/]/).includes('..'), 'must be relative to the project, inside it')
  .refine((p) => p.endsWith('.ipynb'), 'must be a .ipynb notebook');

export const runSpecSchema = z.strictObject({
  version: z.literal(runSpecVersion),
  /** Project-relative notebook path, as research.yaml lists it. */
  notebook: notebookPath,
  /** Project-relative outputs folder (the notebook gets it as REPRO_OUTPUTS), resolved under `outDir`. */
  outputs: z.string().min(1),
  /** Run-folder root the outputs go under (absolute, or relative to the spec file). Absent: the project itself. */
  outDir: z.string().min(1).optional(),
  /** Where a failed notebook's partial execution is written (absolute, or relative to the spec file). */
  failedDir: z.string().min(1),
  /** Values for the cell tagged `parameters`. */
  parameters: z.record(z.string(), z.unknown()),
  /** REPRO_SEED. */
  seed: z.number().int(),
  /** The image a container run uses: its tag (as built) and, once resolved, its id. Absent for local runs. */
  image: z.strictObject({ tag: z.string().min(1), id: z.string().min(1).optional() }).optional(),
  timeouts: z.strictObject({ notebookMs: z.number().int().positive(), cellMs: z.number().int().positive() }),
  allowErrors: z.boolean(),
});

export const runResultSchema = z.strictObject({
  version: z.literal(runSpecVersion),
  notebook: z.string(),
  outputs: z.string(),
  status: z.enum(['ok', 'failed']),
  /** 0-based index of the failing cell in the source notebook. */
  cellIndex: z.number().int().nonnegative().optional(),
  ename: z.string().optional(),
  evalue: z.string().optional(),
  traceback: z.array(z.string()).optional(),
  /** The error's message and hint as `repro run` printed them. */
  message: z.string().optional(),
  hint: z.string().optional(),
  /** Absolute folder the outputs were renamed into (status ok), as seen by the executor that wrote the result. */
  outputsDir: z.string().optional(),
  /** Absolute path of the partial notebook (status failed), as seen by the executor that wrote the result. */
  failedNotebook: z.string().optional(),
  warnings: z.array(z.string()).optional(),
  elapsedMs: z.number().nonnegative(),
  /** sha256:… id of the image the run used (container runs). */
  imageId: z.string().optional(),
});

/** A spec file holds the runs of one invocation (one container may run several notebooks, one after another). */
export const runSpecFileSchema = z.strictObject({ version: z.literal(runSpecVersion), runs: z.array(runSpecSchema).min(1) });
export const runResultFileSchema = z.strictObject({ version: z.literal(runSpecVersion), results: z.array(runResultSchema) });

export type RunSpec = z.output<typeof runSpecSchema>;
export type RunResult = z.output<typeof runResultSchema>;

/** A spec's path field, resolved against the folder of the spec file it came from. */
export function specPath(specFile: string, path: string): string {
  return resolve(dirname(specFile), path);
}

export async function writeRunSpecs(file: string, runs: RunSpec[]): Promise<void> {
  await writeJsonAtomically(file, runSpecFileSchema.parse({ version: runSpecVersion, runs }));
}

export async function writeRunResults(file: string, results: RunResult[]): Promise<void> {
  await writeJsonAtomically(file, runResultFileSchema.parse({ version: runSpecVersion, results }));
}

/** The runs of a spec file; a missing, malformed or other-version file is an EngineError naming the file. */
export async function readRunSpecs(file: string): Promise<RunSpec[]> {
  return (await readVersioned(file, runSpecFileSchema, 'run specification')).runs;
}

/** The results of a result file; a missing, malformed or other-version file is an EngineError naming the file. */
export async function readRunResults(file: string): Promise<RunResult[]> {
  return (await readVersioned(file, runResultFileSchema, 'run result')).results;
}

/** As readRunResults, but undefined when the file does not exist (a point that never ran). */
export async function readRunResultsIfAny(file: string): Promise<RunResult[] | undefined> {
  const exists = await readFile(file).then(
    () => true,
    (error: NodeJS.ErrnoException) => error.code !== 'ENOENT',
  );
  return exists ? readRunResults(file) : undefined;
}

/** Parses the text of a spec or result file; exported for tests. */
export function parseVersioned<T>(text: string, schema: z.ZodType<T>, what: string, file: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new EngineError(`${file}: the ${what} is not JSON (${(error as Error).message})`, { hint: malformedHint, cause: error });
  }
  const version = typeof value === 'object' && value !== null && 'version' in value ? value.version : undefined;
  if (version !== runSpecVersion) {
    throw new EngineError(`${file}: the ${what} has format version ${JSON.stringify(version)}; this repro reads version ${runSpecVersion}`, {
      hint: 'The image and the host run different versions of repro: rebuild the image with `repro build`, or run the repro the image holds.',
    });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
    throw new EngineError(`${file}: the ${what} is malformed: ${where}: ${issue.message}`, { hint: malformedHint });
  }
  return parsed.data;
}

const malformedHint = 'The file is written by repro for repro; if it was edited or cut short, run again to write it afresh.';

async function readVersioned<T>(file: string, schema: z.ZodType<T>, what: string): Promise<T> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new EngineError(`cannot read the ${what} ${file}: ${(error as Error).message}`, { hint: malformedHint, cause: error });
  }
  return parseVersioned(text, schema, what, file);
}

/** Written beside and renamed into place: a reader never sees half a file. */
async function writeJsonAtomically(file: string, value: unknown): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  await writeFile(partial, JSON.stringify(value, null, 1) + '\n');
  await rename(partial, file);
}
