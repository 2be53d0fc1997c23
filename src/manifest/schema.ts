// The research.yaml schema: the one definition of what a manifest may say, and the Manifest type every stage reads.
import { z } from 'zod';

/** "90s", "15m", "1h", or a plain number of seconds; parsed to milliseconds. */
export const durationSchema = z
  .union([z.number().positive(), z.string().regex(/^\d+(\.\d+)?(ms|s|m|h)$/, 'must be a duration such as 90s, 15m or 1h')])
  .transform((value) => parseDuration(value));

export function parseDuration(value: number | string): number {
  if (typeof value === 'number') return Math.round(value * 1000);
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(value);
  if (!match) throw new Error(`not a duration: ${value}`);
  const scale = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(match[1]) * scale);
}

/** A path inside the repository: relative, no `..`, no backslashes. */
export const repoPathSchema = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !/^[A-Za-z]:/.test(p), 'must be relative to the repository, not absolute')
  .refine((p) => !p.split(/[\\/]/).includes('..'), 'must stay inside the repository (no "..")');

export const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters');

/** The Node.js every image runs repro (and the tslab/jslab kernels) on, when research.yaml names none. */
export const defaultNodeVersion = '20.20.2';

/** Kernels a build pack can put in the image; tslab (TypeScript) and jslab (JavaScript) come with repro, always. */
export const kernelNames = ['tslab', 'jslab', 'python3', 'ir'] as const;
export type KernelName = (typeof kernelNames)[number];

/** Lockfiles of other package managers: `npm ci` installs only from npm's own (package-lock.json). */
const otherLockfiles = new Set(['yarn.lock', 'pnpm-lock.yaml', 'bun.lockb', 'bun.lock']);
const npmLockfileFix = 'run `npm install --package-lock-only` to write package-lock.json from package.json, and name that file instead';

export const environmentSchema = z.strictObject({
  /** Docker image reference; bootstrapped from Debian packages when it cannot be pulled. */
  base: z.string().min(1).default('debian:bookworm'),
  /** Exact Node.js version for the image, e.g. 20.20.2. */
  node: z.string().regex(/^\d+\.\d+\.\d+$/, 'must be an exact version such as 20.20.2').default(defaultNodeVersion),
  /** Kernels besides tslab and jslab (always there): python3 (Debian's python3 + ipykernel), ir (R + IRkernel). */
  kernels: z
    .array(z.enum(kernelNames, { error: `must be one of ${kernelNames.join(', ')}` }))
    .default([])
    .transform((list) => [...new Set(list)].sort()),
  /** Extra Debian packages installed in the image (python3-*, r-cran-*, fonts…). */
  apt: z.array(z.string().regex(/^[a-z0-9][a-z0-9+.-]+$/, 'must be a Debian package name')).default([]),
  /** The npm lockfile the image installs the project's own npm dependencies from with `npm ci`; none when absent. */
  lockfile: repoPathSchema
    .refine((p) => !otherLockfiles.has(p.split('/').pop() ?? ''), {
      error: `is not npm's lockfile, and repro installs with \`npm ci\`: ${npmLockfileFix}`,
    })
    .optional(),
  /** Install Debian's Jupyter in the image so that `repro lab` works. Off by default to keep images small. */
  jupyter: z.boolean().default(false),
});

export const dataEntrySchema = z.strictObject({
  path: repoPathSchema,
  url: z.url(),
  sha256: sha256Schema,
});

export const entrypointSchema = z.strictObject({
  notebook: repoPathSchema.refine((p) => p.endsWith('.ipynb'), 'must be a .ipynb notebook'),
  /** The folder the notebook writes its outputs to (it receives the path in REPRO_OUTPUTS). */
  outputs: repoPathSchema,
  /** Whole-notebook time limit. */
  timeout: durationSchema.optional(),
  /** Per-cell time limit. */
  cellTimeout: durationSchema.optional(),
  /**
   * Errors are part of the notebook (nbconvert's --allow-errors): every cell's error output is kept and the run
   * goes on. Without it, only cells tagged `raises-exception` may raise.
   */
  allowErrors: z.boolean().optional(),
});

const serviceCommon = {
  port: z.number().int().min(1).max(65535).default(5000),
};

export const serviceSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('echo'), ...serviceCommon }),
  z.strictObject({
    kind: z.literal('model'),
    ...serviceCommon,
    /** A tfjs model.json written by a notebook, or a Keras .h5 file. */
    model: repoPathSchema,
    /** Feature names, in the model's input order. */
    inputs: z.array(z.string().min(1)).min(1),
    /** Most rows accepted in one batch request. */
    batchLimit: z.number().int().positive().default(1000),
  }),
  z.strictObject({
    kind: z.literal('command'),
    ...serviceCommon,
    /** The start command, run in the project folder inside the image. */
    command: z.array(z.string()).min(1),
    /** Files the service needs, copied into its image. */
    files: z.array(repoPathSchema).default([]),
  }),
]);

/** Regular expressions whose matches are replaced by one placeholder on both sides before text is compared. */
export const maskSchema = z
  .union([z.string(), z.array(z.string()).min(1)])
  .superRefine((value, context) => {
    // Checked before the string becomes a list, so that an error points at the pattern in a list, not at the list.
    (Array.isArray(value) ? value : [value]).forEach((pattern, i) => {
      const path = Array.isArray(value) ? [i] : [];
      if (pattern === '') context.addIssue({ code: 'custom', message: 'must not be empty (it would mask nothing)', path });
      else {
        try {
          new RegExp(pattern, 'gm');
        } catch (error) {
          const reason = (error as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
          context.addIssue({ code: 'custom', message: `is not a regular expression (${reason})`, path });
        }
      }
    });
  })
  .transform((value) => (Array.isArray(value) ? value : [value]));

const toleranceFields = {
  rtol: z.number().nonnegative().optional(),
  atol: z.number().nonnegative().optional(),
  /** Treat NaN as equal to NaN. */
  nanEqual: z.boolean().optional(),
  /** Per-column tolerances for tables. */
  columns: z.record(z.string(), z.strictObject({ rtol: z.number().nonnegative().optional(), atol: z.number().nonnegative().optional() })).optional(),
  /** Largest fraction of changed pixels allowed for images. */
  pixels: z.number().min(0).max(1).optional(),
  /** Per-pixel perceptual colour distance (pixelmatch's YIQ scale, 0..1) below which a pixel is unchanged. */
  threshold: z.number().min(0).max(1).optional(),
  /** Largest 8-connected region of changed pixels allowed in a figure; set by default for figures. */
  region: z.number().int().nonnegative().optional(),
  /** How long comparing one file may take before it is reported as not compared. */
  timeLimit: durationSchema.optional(),
  /** Compared and reported, but never fails verification (e.g. timings). */
  informational: z.boolean().optional(),
  /** Parts of text (a line, a stream, a text output) left out of the comparison, e.g. 'took \\d+ms'. */
  mask: maskSchema.optional(),
};

/**
 * A rule for one cell of an executed notebook: which cell (exactly one of tag, id, index), optionally which of its
 * outputs (a MIME type such as text/plain or image/png, or a stream: stdout, stderr), and what applies there.
 */
export const cellRuleSchema = z
  .strictObject({
    /** The cell carrying this tag in metadata.tags. */
    tag: z.string().min(1).optional(),
    /** The cell with this nbformat 4.5 id. */
    id: z.string().min(1).optional(),
    /** The cell at this 0-based position (markdown cells count). */
    index: z.number().int().nonnegative().optional(),
    /** One MIME type or stream of the cell; default: all of its outputs. */
    output: z.string().regex(/^(stdout|stderr|[a-z]+\/[A-Za-z0-9.+-]+)$/, 'must be a MIME type such as text/plain, or stdout or stderr').optional(),
    /** Leave these outputs out of the comparison altogether (nbval's nbval-ignore-output tag). */
    ignore: z.boolean().optional(),
    ...toleranceFields,
  })
  .superRefine((rule, context) => {
    const named = (['tag', 'id', 'index'] as const).filter((key) => rule[key] !== undefined);
    if (named.length === 1) return;
    const what = named.length === 0 ? 'that names no cell' : `that names ${named.join(' and ')}`;
    context.addIssue({ code: 'custom', message: `${what}: a cell rule selects its cell by exactly one of tag, id or index` });
  });

export const toleranceSchema = z.strictObject({
  ...toleranceFields,
  /** Rules for single cells of a notebook (only for .ipynb files); the last matching rule wins field by field. */
  cells: z.array(cellRuleSchema).optional(),
});

/** `default` applies to every file; other keys are globs relative to the repository, the last match wins. */
export const verifySchema = z.record(z.string(), toleranceSchema).default({});

/** "512m", "4g", or a number of bytes; parsed to bytes. */
export const memorySchema = z
  .union([z.number().int().positive(), z.string().regex(/^\d+(\.\d+)?[kmg]$/i, 'must be a size such as 512m or 4g')])
  .transform((value) => parseMemory(value));

export function parseMemory(value: number | string): number {
  if (typeof value === 'number') return value;
  const match = /^(\d+(?:\.\d+)?)([kmg])$/i.exec(value);
  if (!match) throw new Error(`not a size: ${value}`);
  const scale = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[match[2].toLowerCase() as 'k' | 'm' | 'g'];
  return Math.round(Number(match[1]) * scale);
}

export const runSchema = z.strictObject({
  seed: z.number().int().default(42),
  network: z.enum(['none', 'bridge']).default('none'),
  timeout: durationSchema.prefault('30m'),
  cellTimeout: durationSchema.prefault('10m'),
  /** Environment variables a kernel may see besides PATH, HOME, LANG, TZ and REPRO_*: nothing else of the caller's. */
  env: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name such as API_URL')).default([]),
  /** Memory limit of a run container; hitting it is reported as out of memory in the cell that did. */
  memory: memorySchema.prefault('4g'),
  /** CPUs a run container may use (at most the machine's). */
  cpus: z.number().positive().max(1024).default(2),
  /** Processes and threads a run container may hold at once. */
  pids: z.number().int().min(32).default(1024),
});

/** A mapping whose keys must match `pattern`; a bad key is reported by name (zod's own says only "Invalid key"). */
function namedRecord<T extends z.ZodType>(value: T, pattern: RegExp, problem: string) {
  return z.record(z.string(), value).superRefine((record, context) => {
    for (const key of Object.keys(record)) {
      if (!pattern.test(key)) context.addIssue({ code: 'custom', message: `holds ${JSON.stringify(key)}, which ${problem}` });
    }
  });
}

/** A value a sweep's grid gives a parameter: written into the notebook's parameters cell as any -p value is. */
const sweepValueSchema = z.union([z.string(), z.number(), z.boolean()]);

export const sweepSchema = z.strictObject({
  /** An entrypoint's notebook; each point runs it with its own parameters and seed. */
  notebook: repoPathSchema.refine((p) => p.endsWith('.ipynb'), 'must be a .ipynb notebook'),
  /** The grid: every combination of the listed values is a point (times every seed). */
  parameters: namedRecord(z.array(sweepValueSchema).min(1, 'must list at least one value'), /^[A-Za-z_][A-Za-z0-9_]*$/, 'is not a parameter name (use letters, digits and _, e.g. learning_rate)').default({}),
  /** REPRO_SEED per point: a list, or { from, count } for from, from+1, …; default research.yaml's run.seed alone. */
  seeds: z
    .union([
      z.array(z.number().int()).min(1, 'must list at least one seed'),
      z.strictObject({ from: z.number().int(), count: z.number().int().min(1).max(100_000) }),
    ])
    .optional(),
  /** Where the sweep's summary.csv, bands.csv and band.svg are written; default results/sweeps/<name>. */
  outputs: repoPathSchema.optional(),
  /** What to collect from each point's outputs. */
  metrics: z.strictObject({
    /** A CSV or JSON file, relative to the point's outputs folder. */
    file: repoPathSchema.refine((p) => /\.(csv|json)$/i.test(p), 'must be a .csv or .json file'),
    /** Numeric columns (CSV) or keys (JSON) to aggregate. */
    fields: z.array(z.string().min(1)).min(1, 'must name at least one field'),
    /** Columns that tell rows of one point apart (e.g. minute): each is a group of its own. */
    by: z.array(z.string().min(1)).default([]),
  }),
  /** A published curve to set beside the bands: its points are drawn in band.svg and checked against the bands. */
  reference: z
    .strictObject({
      /** A CSV file in the repository, with a header. */
      file: repoPathSchema.refine((p) => /\.csv$/i.test(p), 'must be a .csv file'),
      /** The column holding x (the values of the sweep's x: its last `by` column, else its last parameter). */
      x: z.string().min(1),
      /** The column holding the reference's value of the metric. */
      y: z.string().min(1),
      /** The columns naming each point's series, one per column of the sweep's groups but x, in their order. */
      group: z.union([z.string().min(1).transform((column) => [column]), z.array(z.string().min(1))]).default([]),
      /** Which of metrics.fields the reference is of; default the only one. */
      field: z.string().min(1).optional(),
      /** The reference's name in the figure's legend. */
      label: z.string().min(1).default('reference'),
    })
    .optional(),
}).superRefine((sweep, context) => {
  // Issues read after the value: `sweeps.s.reference.field "acc" is not one of metrics.fields (y)`.
  const { reference, metrics, parameters } = sweep;
  if (!reference) return;
  const fields = metrics.fields.join(', ');
  if (reference.field !== undefined && !metrics.fields.includes(reference.field)) {
    context.addIssue({ code: 'custom', path: ['reference', 'field'], message: `is not one of metrics.fields (${fields})` });
  }
  if (reference.field === undefined && metrics.fields.length > 1) {
    context.addIssue({ code: 'custom', path: ['reference'], message: `needs field: (which metric the reference is of): the sweep collects ${metrics.fields.length} (${fields})` });
  }
  const columns = [...Object.keys(parameters), ...metrics.by];
  const series = columns.slice(0, -1);
  const given = reference.group.length;
  if (columns.length === 0) {
    context.addIssue({ code: 'custom', path: ['reference'], message: 'has no x to stand on: the sweep has no parameters and no metrics.by' });
  } else if (given !== series.length) {
    const told = series.length === 0 ? 'the sweep has a single series' : `the sweep's series are told apart by ${series.join(', ')}`;
    const fix = series.length === 0 ? 'leave group out' : `set group to the reference's column${series.length === 1 ? '' : 's'} for ${series.join(', ')}`;
    context.addIssue({
      code: 'custom',
      path: given === 0 ? ['reference'] : ['reference', 'group'],
      message: `${given === 0 ? 'has no group' : `names ${given} group column${given === 1 ? '' : 's'}`}, but ${told} (x is ${columns.at(-1)}): ${fix}`,
    });
  }
});

export const manifestSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be lowercase letters, digits, ".", "_" or "-"'),
  environment: environmentSchema.prefault({}),
  data: z.array(dataEntrySchema).default([]),
  entrypoints: z.array(entrypointSchema).default([]),
  services: z.record(z.string(), serviceSchema).default({}),
  verify: verifySchema,
  run: runSchema.prefault({}),
  /** Parameter and seed sweeps by name (`repro sweep NAME`); optional with no default, so manifests without one hash as before. */
  sweeps: namedRecord(sweepSchema, /^[a-z0-9][a-z0-9._-]*$/, 'is not a sweep name (use lowercase letters, digits, ".", "_" or "-")').optional(),
});

export type Manifest = z.output<typeof manifestSchema>;
export type Environment = Manifest['environment'];
export type DataEntry = Manifest['data'][number];
export type Entrypoint = Manifest['entrypoints'][number];
export type Service = Manifest['services'][string];
export type Tolerance = z.output<typeof toleranceSchema>;
export type CellRule = z.output<typeof cellRuleSchema>;
export type RunSettings = Manifest['run'];
export type Sweep = z.output<typeof sweepSchema>;

/** research.lock: what the manifest resolved to; defined (and validated) with the lock stage. */
export type { Lock } from '../lock/schema.ts';
