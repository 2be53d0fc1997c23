// What --discover saw, folded into the proposal.
import { describe, expect, it } from 'vitest';
import { applyDiscovery, commonFolder, otherCase } from '../../src/init/apply-discovery.ts';
import type { Proposal } from '../../src/init/detect.ts';
import type { Discovery, NotebookDiscovery } from '../../src/init/discover.ts';

const base: Proposal = {
  name: 'x',
  kernels: ['python3'],
  apt: [
    { package: 'python3-pandas', why: 'pandas (imported in a.ipynb)' },
    { package: 'python3-made-up', why: 'made_up (imported in a.ipynb)' },
  ],
  aptTodo: [],
  data: [],
  entrypoints: [
    { notebook: 'nb/a.ipynb', kernel: 'python3', language: 'python', outputs: 'results/a', outputsWhy: 'x', todo: [], seen: [] },
    { notebook: 'nb/b.ipynb', kernel: 'python3', language: 'python', outputs: 'results/b', outputsWhy: 'y', todo: ['this notebook does not read REPRO_OUTPUTS, and …'], seen: [] },
    { notebook: 'nb/c.ipynb', kernel: 'python3', language: 'python', outputs: 'results/c', outputsWhy: 'z', todo: [], seen: [] },
    { notebook: 'nb/d.ipynb', kernel: 'ir', language: 'R', outputs: 'results/d', outputsWhy: 'w', todo: ['this notebook does not read REPRO_OUTPUTS, and …'], seen: [] },
    { notebook: 'nb/e.ipynb', kernel: 'ir', language: 'R', outputs: 'results/e', outputsWhy: 'v', todo: ['this notebook does not read REPRO_OUTPUTS, and …'], seen: [] },
  ],
  unusable: [],
  verify: [],
  notes: [],
};

const seen = (notebook: string, outputs: string, more: Partial<NotebookDiscovery>): NotebookDiscovery => ({
  notebook,
  outputs,
  status: 'ok',
  outputsWritten: [],
  ownPaths: [],
  deleted: [],
  variations: [],
  onlyOnce: [],
  ...more,
});

const discovery: Discovery = {
  where: 'in the container (repro/x:1)',
  droppedApt: [{ package: 'python3-made-up', message: 'Debian has no package python3-made-up (repro lock, in debian:bookworm)' }],
  notebooks: [
    seen('nb/a.ipynb', 'results/a', {
      outputsWritten: ['summary.csv', 'timing.csv'],
      variations: [{ path: 'results/a/timing.csv', rule: { informational: true }, why: 'differed between two runs' }],
    }),
    seen('nb/b.ipynb', 'results/b', { ownPaths: ['out/b/fig.png', 'out/b/table.csv'] }),
    seen('nb/c.ipynb', 'results/c', { status: 'failed', failure: 'cell 2: KeyError: x', ownPaths: ['nb/c.png'] }),
    seen('nb/d.ipynb', 'results/d', {}),
    seen('nb/e.ipynb', 'results/e', { status: 'failed', failure: 'cell 1: error: no package called ‘ez’' }),
  ],
};

describe('applyDiscovery', () => {
  const result = applyDiscovery(base, discovery, ['nb/a.ipynb', 'nb/b.ipynb', 'nb/c.ipynb', 'nb/d.ipynb', 'nb/e.ipynb']);

  it('keeps REPRO_OUTPUTS files where they are, and adds a verify rule for what changed between runs', () => {
    expect(result.entrypoints[0]).toMatchObject({ outputs: 'results/a', seen: ['--discover: wrote summary.csv, timing.csv under REPRO_OUTPUTS (kept here, with the executed notebook)'] });
    expect(result.verify).toEqual([{ glob: 'results/a/timing.csv', rule: { informational: true }, why: 'results/a/timing.csv differed between two runs' }]);
  });

  it('a notebook that wrote only at paths of its own gets that folder, and a TODO to write there through REPRO_OUTPUTS', () => {
    const b = result.entrypoints[1];
    expect(b.outputs).toBe('out/b');
    expect(b.outputsWhy).toBe('the folder it wrote its files to in the --discover runs');
    expect(b.todo).toEqual([
      '--discover: it wrote out/b/fig.png, out/b/table.csv at paths of its own, outside REPRO_OUTPUTS. repro keeps only what a notebook writes under ' +
        'REPRO_OUTPUTS (in the container the project is read-only, so these writes fail): write them there, e.g. outputs = os.environ.get("REPRO_OUTPUTS", "../out/b")',
    ]);
  });

  it('never proposes the folder of the notebooks themselves; a failed notebook is a TODO', () => {
    const c = result.entrypoints[2];
    expect(c.outputs).toBe('results/c');
    expect(c.todo[0]).toBe('--discover: the notebook failed at cell 2: KeyError: x; fix it and run `repro init --discover --force` again (what it writes is not known yet)');
    expect(c.todo[1]).toContain('it wrote nb/c.png at paths of its own');
  });

  it('a notebook that ran and wrote no files has nothing to write under REPRO_OUTPUTS: no TODO, and the comment says where its results are', () => {
    const d = result.entrypoints[3];
    expect(d.todo).toEqual([]);
    expect(d.seen).toEqual(['--discover: wrote no files; its results are what its cells show, kept in the executed notebook under outputs']);
    expect(d.outputs).toBe('results/d');
  });

  it('one that failed before writing anything keeps the TODO: what it would write is not known', () => {
    const e = result.entrypoints[4];
    expect(e.todo[0]).toBe('this notebook does not read REPRO_OUTPUTS, and …');
    expect(e.seen).toEqual(['--discover: wrote nothing under REPRO_OUTPUTS']);
  });

  it('moves a package repro lock refused to the TODO list, and says what --discover did', () => {
    expect(result.apt.map((item) => item.package)).toEqual(['python3-pandas']);
    expect(result.aptTodo).toEqual(['python3-made-up (made_up (imported in a.ipynb)): Debian has no package python3-made-up (repro lock, in debian:bookworm)']);
    expect(result.notes[0]).toMatch(/^--discover ran each notebook twice, in the container \(repro\/x:1\), in a scratch copy/);
  });
});

describe('otherCase', () => {
  const paths = ['index.ipynb', 'Diet.sav', 'diet.csv', 'nb/a.ipynb', 'Data/Runs.CSV'];

  it('names the file the repository holds under another case (a notebook written on macOS or Windows)', () => {
    // IRkernel's error for haven::read_sav('diet.sav') in InfantLab/NotebookDemos, whose file is Diet.sav.
    expect(otherCase("cell 24: ERROR: Error: 'diet.sav' does not exist in current working directory ('.').", 'index.ipynb', paths)).toBe(
      'the repository holds Diet.sav, not diet.sav: file names are case-sensitive in the container, as on Linux; rename the file or fix the name in the notebook',
    );
    expect(otherCase("cell 2: FileNotFoundError: [Errno 2] No such file or directory: '../data/runs.csv'", 'nb/a.ipynb', paths)).toMatch(/^the repository holds Data\/Runs\.CSV, not data\/runs\.csv:/);
  });

  it('says nothing when the file is there as named, missing under every case, or the quote is no path', () => {
    expect(otherCase("cell 1: Error: 'diet.csv' is empty", 'index.ipynb', paths)).toBeUndefined();
    expect(otherCase("cell 1: FileNotFoundError: 'missing.csv'", 'index.ipynb', paths)).toBeUndefined();
    expect(otherCase("cell 1: KeyError: 'Diet'", 'index.ipynb', paths)).toBeUndefined();
  });

  it('goes into the TODO of the notebook that failed', () => {
    const proposal: Proposal = { ...base, entrypoints: [{ notebook: 'index.ipynb', kernel: 'ir', language: 'R', outputs: 'results/index', outputsWhy: 'x', todo: [], seen: [] }] };
    const failure = "cell 24: ERROR: Error: 'diet.sav' does not exist in current working directory ('.').";
    const result = applyDiscovery(proposal, { where: 'w', droppedApt: [], notebooks: [seen('index.ipynb', 'results/index', { status: 'failed', failure })] }, paths);
    expect(result.entrypoints[0].todo).toEqual([
      `--discover: the notebook failed at ${failure} (the repository holds Diet.sav, not diet.sav: file names are case-sensitive in the container, as on Linux; ` +
        'rename the file or fix the name in the notebook); fix it and run `repro init --discover --force` again (what it writes is not known yet)',
    ]);
  });
});

describe('commonFolder', () => {
  it.each([
    [['out/b/x.png', 'out/b/y/z.csv'], 'out/b'],
    [['results/a.csv', 'results/b.csv'], 'results'],
    [['a.csv', 'out/b.csv'], undefined],
  ])('%o → %s', (paths, folder) => {
    expect(commonFolder(paths)).toBe(folder);
  });
});
