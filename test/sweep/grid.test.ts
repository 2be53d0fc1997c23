// A sweep's points: the grid in research.yaml's order times the seeds, ids made of the values (the same every
// time), and every bad sweep refused with the key and what to do.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManifestError, UsageError } from '../../src/errors.ts';
import { parseManifest } from '../../src/manifest/load.ts';
import { manifestSchema, type Manifest } from '../../src/manifest/schema.ts';
import { expandSweep, findSweep, sweepOutputs } from '../../src/sweep/grid.ts';
import { writeRunResults } from '../../src/run/spec.ts';
import { planSweep, pointStatuses, preparePoint } from '../../src/sweep/plan.ts';

function manifestWith(sweep: Record<string, unknown>, name = 'grid'): Manifest {
  return manifestSchema.parse({
    name: 'x',
    entrypoints: [{ notebook: 'notebooks/a.ipynb', outputs: 'results/a', cellTimeout: '1m' }],
    sweeps: { [name]: { notebook: 'notebooks/a.ipynb', metrics: { file: 'm.json', fields: ['acc'] }, ...sweep } },
    run: { seed: 9 },
  });
}

const points = (sweep: Record<string, unknown>) => {
  const manifest = manifestWith(sweep);
  return expandSweep(manifest, 'grid', findSweep(manifest, 'grid'));
};

describe('expandSweep', () => {
  it('crosses the parameters in the order written, then the seeds, with readable ids', () => {
    const grid = points({ parameters: { model: ['tree', 'linear'], minute: [5, 10] }, seeds: { from: 1, count: 2 } });
    expect(grid.map((point) => point.id)).toEqual([
      'model-tree_minute-5_seed-1', 'model-tree_minute-5_seed-2', 'model-tree_minute-10_seed-1', 'model-tree_minute-10_seed-2',
      'model-linear_minute-5_seed-1', 'model-linear_minute-5_seed-2', 'model-linear_minute-10_seed-1', 'model-linear_minute-10_seed-2',
    ]);
    expect(grid[5]).toEqual({ id: 'model-linear_minute-5_seed-2', index: 5, parameters: { model: 'linear', minute: 5 }, seed: 2 });
  });

  it('gives the same ids every time, and research.yaml\'s seed when none are listed', () => {
    const sweep = { parameters: { lr: [0.1, 0.01] }, seeds: [3, 1] };
    expect(points(sweep)).toEqual(points(sweep));
    expect(points(sweep).map((point) => point.id)).toEqual(['lr-0.1_seed-3', 'lr-0.1_seed-1', 'lr-0.01_seed-3', 'lr-0.01_seed-1']);
    expect(points({ parameters: { lr: [0.1] } })).toEqual([{ id: 'lr-0.1_seed-9', index: 0, parameters: { lr: 0.1 }, seed: 9 }]);
    expect(points({ seeds: [1, 2] }).map((point) => point.id)).toEqual(['seed-1', 'seed-2']);
  });

  it('adds a hash to ids whose values are not file-name safe or would collide (1 and "1")', () => {
    const ids = points({ parameters: { label: ['a b/c', 1, '1'] }, seeds: [1] }).map((point) => point.id);
    expect(ids[0]).toMatch(/^label-a~b~c_seed-1~[0-9a-f]{8}$/);
    expect(ids[1]).toMatch(/^label-1_seed-1~[0-9a-f]{8}$/);
    expect(ids[2]).toMatch(/^label-1_seed-1~[0-9a-f]{8}$/);
    expect(new Set(ids).size).toBe(3);
  });

  it('plans each point\'s folder and spec: outputs in out/, its seed and parameters, the entrypoint\'s time limits', () => {
    const manifest = manifestWith({ parameters: { lr: [0.1] }, seeds: [4] });
    const plan = planSweep('/p', manifest, 'grid', findSweep(manifest, 'grid'), { tag: 'repro/x:1' });
    expect(plan.outputsDir).toBe('/p/results/sweeps/grid');
    expect(plan.points[0]).toMatchObject({ dir: '/p/.repro/sweeps/grid/lr-0.1_seed-4', specFile: '/p/.repro/sweeps/grid/lr-0.1_seed-4/spec.json', outputsDir: '/p/.repro/sweeps/grid/lr-0.1_seed-4/out' });
    expect(plan.points[0].spec).toEqual({
      version: 1, notebook: 'notebooks/a.ipynb', outputs: 'out', outDir: '.', failedDir: 'failed', parameters: { lr: 0.1 }, seed: 4,
      image: { tag: 'repro/x:1' }, timeouts: { notebookMs: 1_800_000, cellMs: 60_000 }, allowErrors: false,
    });
    expect(sweepOutputs('grid', { ...findSweep(manifest, 'grid'), outputs: 'results/s/' })).toBe('results/s');
  });
});

describe('point states', () => {
  it('count a result only for the spec it ran; --status (no image in its plan) counts a run in any image', async () => {
    const root = await mkdtemp(join(tmpdir(), 'repro-sweep-states-'));
    try {
      const manifest = manifestWith({ parameters: { lr: [0.1, 0.2] }, seeds: [4] });
      const inImage = planSweep(root, manifest, 'grid', findSweep(manifest, 'grid'), { tag: 'repro/x:1' });
      const [done, failed] = inImage.points;
      for (const point of inImage.points) await preparePoint(point);
      const result = { version: 1 as const, notebook: 'notebooks/a.ipynb', outputs: 'out', elapsedMs: 5 };
      await writeRunResults(done.resultFile, [{ ...result, status: 'ok' }]);
      await writeRunResults(failed.resultFile, [{ ...result, status: 'failed', cellIndex: 2, ename: 'Error', evalue: 'no' }]);
      const states = async (plan: typeof inImage, anyImage?: boolean) => (await pointStatuses(plan, { anyImage })).map((status) => status.state);
      expect(await states(inImage)).toEqual(['done', 'failed']);
      // Another image is another run; a plan without one (as --status makes) matches only with anyImage.
      expect(await states(planSweep(root, manifest, 'grid', findSweep(manifest, 'grid'), { tag: 'repro/x:2' }))).toEqual(['missing', 'missing']);
      const noImage = planSweep(root, manifest, 'grid', findSweep(manifest, 'grid'));
      expect(await states(noImage)).toEqual(['missing', 'missing']);
      expect(await states(noImage, true)).toEqual(['done', 'failed']);
      // Another seed is another run, whatever the image.
      const otherSeed = manifestWith({ parameters: { lr: [0.1, 0.2] }, seeds: [5] });
      expect(await states(planSweep(root, otherSeed, 'grid', findSweep(otherSeed, 'grid')), true)).toEqual(['missing', 'missing']);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('bad sweeps', () => {
  it('an unknown name lists the sweeps there are', () => {
    const error = (() => { try { findSweep(manifestWith({}), 'nope'); } catch (e) { return e; } })();
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe('research.yaml has no sweep named "nope" (sweeps: grid)');
    expect((error as UsageError).exitCode).toBe(2);
    expect(() => findSweep(manifestSchema.parse({ name: 'x' }), 'a')).toThrow('(sweeps: none)');
  });

  it('refuses a notebook that is no entrypoint, a repeated value or seed, a parameter named seed, outputs over an entrypoint\'s', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ notebook: 'notebooks/b.ipynb' }, 'sweeps.grid.notebook: notebooks/b.ipynb is not an entrypoint\'s notebook (entrypoints: notebooks/a.ipynb)'],
      [{ parameters: { lr: [1, 2, 1] } }, 'sweeps.grid.parameters.lr: 1 is listed twice'],
      [{ seeds: [1, 2, 2] }, 'sweeps.grid.seeds: seed 2 is listed twice'],
      [{ parameters: { seed: [1] } }, 'sweeps.grid.parameters.seed: the seed is not a parameter'],
      [{ outputs: 'results/a/sweep' }, 'sweeps.grid.outputs: results/a/sweep overlaps the outputs of notebooks/a.ipynb (results/a)'],
      [{ parameters: { a: Array.from({ length: 400 }, (_, i) => i), b: Array.from({ length: 300 }, (_, i) => i) } }, 'the grid has 120000 points, more than 100000'],
    ];
    for (const [sweep, message] of cases) {
      const error = (() => { try { points(sweep); } catch (e) { return e; } })();
      expect(error, message).toBeInstanceOf(ManifestError);
      expect((error as ManifestError).message).toContain(message);
    }
  });

  it('the schema refuses empty lists, bad names, a metrics file that is neither CSV nor JSON, with line and column', () => {
    const yaml = (sweep: string) => `name: x\nentrypoints:\n  - { notebook: a.ipynb, outputs: r }\nsweeps:\n  s:\n    notebook: a.ipynb\n    metrics: { file: m.json, fields: [acc] }\n${sweep}`;
    expect(() => parseManifest(yaml('    parameters: { lr: [] }\n'), '/p/research.yaml')).toThrow('/p/research.yaml:8:23: sweeps.s.parameters.lr must have at least 1 item (got an empty list).');
    expect(() => parseManifest(yaml('    seeds: { from: 1, count: 0 }\n'), '/p/research.yaml')).toThrow(/research\.yaml:8:\d+/);
    expect(() => parseManifest(yaml('    parameters: { "bad name": [1] }\n'), '/p/research.yaml')).toThrow('sweeps.s.parameters a mapping holds "bad name", which is not a parameter name (use letters, digits and _, e.g. learning_rate).');
    expect(() => parseManifest(yaml('').replace('m.json', 'm.txt'), '/p/research.yaml')).toThrow(/must be a \.csv or \.json file/);
    expect(() => parseManifest(yaml('    seed: [1]\n'), '/p/research.yaml')).toThrow('sweeps.s: unknown key "seed". Did you mean "seeds"?');
  });
});
