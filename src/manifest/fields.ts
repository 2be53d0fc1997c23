// What each research.yaml field accepts, for error messages: the allowed keys at a path (read from the
// zod schema, so they never drift from it), a "did you mean", and a human example per field.
import { z } from 'zod';
import { manifestSchema } from './schema.ts';

export type FieldPath = ReadonlyArray<PropertyKey>;

/** `data[1].sha256`, `services.games.port`, `verify["results/**\/*.png"].pixels`. */
export function formatFieldPath(path: FieldPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(String(part))) out += (out ? '.' : '') + String(part);
    else out += `[${JSON.stringify(String(part))}]`;
  }
  return out;
}

/** The schema path with indices and record keys generalised: `data[].sha256`, `services.*.port`. */
function genericPath(path: FieldPath): string {
  let out = '';
  let schema: z.ZodType | undefined = manifestSchema;
  for (const part of path) {
    const isRecord = schema !== undefined && unwrap(schema, undefined) instanceof z.ZodRecord;
    if (typeof part === 'number') out += '[]';
    else if (isRecord) out += '.*';
    else out += (out ? '.' : '') + String(part);
    schema = schema ? childSchema(schema, part, undefined) : undefined;
  }
  return out;
}

/** Strip defaults, optionals, transforms; pick the discriminated-union member matching `value`. */
function unwrap(schema: z.ZodType, value: unknown): z.ZodType {
  let current: z.ZodType = schema;
  for (let guard = 0; guard < 20; guard++) {
    if (current instanceof z.ZodDefault || current instanceof z.ZodPrefault || current instanceof z.ZodOptional) {
      current = current._zod.def.innerType as z.ZodType;
    } else if (current instanceof z.ZodPipe) {
      current = current._zod.def.in as z.ZodType;
    } else if (current instanceof z.ZodDiscriminatedUnion) {
      const key = current._zod.def.discriminator;
      const kind = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
      const options = current.options as z.ZodType[];
      const match = options.find((option) => option instanceof z.ZodObject && option.shape[key]?.safeParse(kind).success);
      if (!match) return current;
      current = match;
    } else {
      return current;
    }
  }
  return current;
}

function childSchema(schema: z.ZodType, key: PropertyKey, value: unknown): z.ZodType | undefined {
  const inner = unwrap(schema, value);
  if (inner instanceof z.ZodObject) return inner.shape[String(key)] as z.ZodType | undefined;
  if (inner instanceof z.ZodArray) return inner.element as z.ZodType;
  if (inner instanceof z.ZodRecord) return inner._zod.def.valueType as z.ZodType;
  return undefined;
}

/**
 * The keys allowed in the object at `path` of `data` (the parsed YAML), or [] when it is not an object.
 * For a service, the keys of the member its `kind` selects (all members' keys when kind is unknown).
 */
export function allowedKeys(data: unknown, path: FieldPath): string[] {
  let schema: z.ZodType | undefined = manifestSchema;
  let value: unknown = data;
  for (const part of path) {
    if (!schema) return [];
    schema = childSchema(schema, part, value);
    value = value && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[part as string] : undefined;
  }
  if (!schema) return [];
  const inner = unwrap(schema, value);
  if (inner instanceof z.ZodObject) return Object.keys(inner.shape);
  if (inner instanceof z.ZodDiscriminatedUnion) {
    const keys = new Set<string>();
    for (const option of inner.options as z.ZodType[]) if (option instanceof z.ZodObject) for (const k of Object.keys(option.shape)) keys.add(k);
    return [...keys];
  }
  return [];
}

/** Optimal-string-alignment distance: a transposition ("sha265") counts as one edit. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The closest candidate, if close enough to be a likely typo (case, `_`/`-` and a third of the letters). */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const squash = (s: string) => s.toLowerCase().replace(/[-_\s]/g, '');
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = squash(word) === squash(candidate) ? 0 : editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (!best || distance < best.distance) best = { candidate, distance };
  }
  if (!best) return undefined;
  return best.distance <= Math.max(1, Math.floor(Math.max(word.length, best.candidate.length) / 3)) ? best.candidate : undefined;
}

const duration = 'a duration such as 90s, 15m or 1h (or a number of seconds)';

/** What a valid value looks like, per generic field path; the "fix" half of an error message. */
const examples: Record<string, string> = {
  '': 'a mapping with name, environment, data, entrypoints, services, verify and run',
  name: 'a lowercase name such as `name: my-analysis`',
  environment: 'a mapping such as `{ kernels: [python3], apt: [python3-pandas] }`',
  'environment.base': 'a Docker image reference such as `base: debian:bookworm`',
  'environment.node': 'an exact Node.js version such as `node: 20.20.2`',
  'environment.kernels': 'a list of kernels such as `kernels: [python3, ir]` (tslab and jslab are always there)',
  'environment.kernels[]': 'one of tslab, jslab, python3, ir',
  'environment.apt': 'a list of Debian package names such as `apt: [fonts-dejavu-core]`',
  'environment.apt[]': 'a Debian package name such as fonts-dejavu-core',
  'environment.lockfile': 'the npm lockfile\'s path such as `lockfile: package-lock.json`',
  'environment.jupyter': 'true or false',
  data: 'a list of entries with path, url and sha256',
  'data[]': 'a mapping with path, url and sha256',
  'data[].path': 'a path inside the repository such as `path: data/games.csv`',
  'data[].url': 'the file\'s download URL such as `url: https://example.org/games.csv`',
  'data[].sha256': 'the 64 lowercase hex characters `sha256sum <file>` prints',
  entrypoints: 'a list of entries with notebook and outputs',
  'entrypoints[]': 'a mapping with notebook and outputs',
  'entrypoints[].notebook': 'a .ipynb path inside the repository such as `notebook: notebooks/analysis.ipynb`',
  'entrypoints[].outputs': 'the folder the notebook writes, such as `outputs: results/analysis`',
  'entrypoints[].timeout': duration,
  'entrypoints[].cellTimeout': duration,
  services: 'a mapping from service name to { kind, port, … }',
  'services.*': 'a mapping such as `{ kind: echo, port: 5000 }`',
  'services.*.kind': 'one of echo, model, command',
  'services.*.port': 'a port number from 1 to 65535',
  'services.*.model': 'the path of a tfjs model.json or a Keras .h5 file',
  'services.*.inputs': 'a non-empty list of feature names such as `inputs: [g1, g2]`',
  'services.*.batchLimit': 'a positive whole number such as 1000',
  'services.*.command': 'the start command as a list such as `command: [node, server.js]`',
  'services.*.files': 'a list of paths inside the repository',
  verify: 'a mapping from `default` or a glob to tolerances such as `default: { rtol: 1e-9 }`',
  'verify.*': 'tolerances such as `{ rtol: 1e-9 }` or `{ pixels: 0.001 }`',
  'verify.*.rtol': 'a non-negative number such as 1e-9',
  'verify.*.atol': 'a non-negative number such as 1e-12',
  'verify.*.nanEqual': 'true or false',
  'verify.*.columns': 'a mapping from column name to { rtol, atol }',
  'verify.*.pixels': 'a fraction from 0 to 1 such as 0.001',
  'verify.*.threshold': 'a number from 0 to 1 such as 0.1',
  'verify.*.informational': 'true or false',
  run: 'a mapping such as `{ seed: 42, network: none }`',
  'run.seed': 'a whole number such as 42',
  'run.network': 'none or bridge',
  'run.timeout': duration,
  'run.cellTimeout': duration,
  'run.env': 'a list of environment variable names such as `env: [API_URL]`',
  'run.env[]': 'an environment variable name such as API_URL',
  'run.memory': 'a size such as 512m or 4g',
  'run.cpus': 'a number of CPUs such as 2 or 0.5',
  'run.pids': 'a whole number of processes such as 1024',
};

export function exampleFor(path: FieldPath): string | undefined {
  return examples[genericPath(path)];
}
