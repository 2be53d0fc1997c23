import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManifestError } from '../../src/errors.ts';
import { loadManifest } from '../../src/manifest/load.ts';
import { ManifestProblemsError } from '../../src/manifest/problems.ts';
import { minimalManifest, projectWith, repoRoot, tempDir } from './helpers.ts';

const hash = 'fd8dd8fd4a5524822c7cf3bae990e266717c5073a34fdc77262206ce1f200081';

async function rejected(promise: Promise<unknown>): Promise<ManifestError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ManifestError);
  return error as ManifestError;
}

/** Loads a manifest that must fail; returns the error. */
async function failure(yamlText: string): Promise<ManifestError> {
  const dir = await projectWith(yamlText);
  const error = await loadManifest(dir).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ManifestError);
  const manifestError = error as ManifestError;
  expect(manifestError.exitCode).toBe(2);
  return manifestError;
}

describe('loadManifest: a valid manifest', () => {
  it('loads this repository\'s research.yaml with defaults filled in', async () => {
    const loaded = await loadManifest(repoRoot);
    expect(loaded.file).toBe(path.join(repoRoot, 'research.yaml'));
    expect(loaded.manifest.name).toBe('repro-analyses');
    expect(loaded.manifest.data).toHaveLength(3);
    expect(loaded.manifest.run.timeout).toBe(30 * 60_000);
    expect(loaded.manifest.entrypoints[0].timeout).toBe(15 * 60_000);
    expect(loaded.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('needs only a name: the image then has repro with the tslab and jslab kernels on the default base and Node.js', async () => {
    const { manifest } = await loadManifest(await projectWith('name: tiny\n'));
    expect(manifest.environment).toEqual({ base: 'debian:bookworm', node: '20.20.2', kernels: [], apt: [], jupyter: false });
    expect(manifest.entrypoints).toEqual([]);
  });

  it('hashes the meaning: comments, key order, flow style and spelled-out defaults do not change the hash', async () => {
    const a = await loadManifest(await projectWith('name: x\nenvironment:\n  node: 20.20.2\n  apt: [curl]\n'));
    const b = await loadManifest(
      await projectWith('# a comment\nenvironment: { apt: ["curl"], node: "20.20.2", base: debian:bookworm }\nname: x   # the name\nrun: { seed: 42 }\n'),
    );
    const c = await loadManifest(await projectWith('name: x\nenvironment:\n  node: 20.20.2\n  apt: [curl, git]\n'));
    expect(b.hash).toBe(a.hash);
    expect(c.hash).not.toBe(a.hash);
    expect(b.text).toContain('# a comment');
  });
});

describe('loadManifest: every bad manifest names research.yaml:line:column, the field and the fix', () => {
  it('research.yaml missing: says where it looked', async () => {
    const dir = await tempDir();
    const error = await rejected(loadManifest(dir));
    expect(error).toBeInstanceOf(ManifestError);
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain(`no research.yaml in ${dir}`);
    expect(error.message).toContain(path.join(dir, 'research.yaml'));
    expect(error.hint).toContain('-C <dir>');
  });

  it('project folder missing', async () => {
    const dir = path.join(await tempDir(), 'nope');
    const error = await rejected(loadManifest(dir));
    expect(error.message).toContain(`the project folder ${dir} does not exist`);
  });

  it('unknown key with a "did you mean"', async () => {
    const error = await failure(minimalManifest('entrypoint:\n  - notebook: a.ipynb\n    outputs: results/a\n'));
    expect(error.message).toMatch(/research\.yaml:4:1: unknown key "entrypoint"\. Did you mean "entrypoints"\?/);
  });

  it('unknown nested key: suggests the closest allowed key, transpositions count as one edit', async () => {
    const error = await failure(minimalManifest(`data:\n  - path: data/a.csv\n    url: https://example.org/a.csv\n    sha265: ${hash}\n`));
    expect(error.message).toContain('research.yaml:7:5: data[0]: unknown key "sha265". Did you mean "sha256"?');
    // The missing sha256 is reported too, at the entry.
    expect(error.message).toContain('research.yaml:5:5: data[0] is missing "sha256"');
  });

  it('unknown key with no close match lists the allowed keys', async () => {
    const error = await failure(minimalManifest('run: { seed: 1, colour: blue }\n'));
    expect(error.message).toContain('research.yaml:4:17: run: unknown key "colour". Allowed keys: seed, network, timeout, cellTimeout, env, memory, cpus, pids.');
  });

  it('unknown key in a service is checked against the keys of its kind', async () => {
    const error = await failure(minimalManifest('services:\n  games: { kind: model, modle: m.json, inputs: [a] }\n'));
    expect(error.message).toContain('services.games: unknown key "modle". Did you mean "model"?');
  });

  it('wrong type', async () => {
    const error = await failure('name: x\nenvironment:\n  node: 20\n');
    expect(error.message).toContain('research.yaml:3:9: environment.node must be a string (got the number 20). Expected an exact Node.js version such as `node: 20.20.2`.');
  });

  it('wrong type: a list where a mapping belongs', async () => {
    const error = await failure(minimalManifest('run: [42]\n'));
    expect(error.message).toContain('research.yaml:4:6: run must be a mapping (got a list of 1).');
  });

  it('missing field', async () => {
    const error = await failure('environment: { kernels: [python3] }\n');
    expect(error.message).toContain('research.yaml:1:1: research.yaml is missing "name". Add name: a lowercase name such as `name: my-analysis`.');
  });

  it('a value not among the choices, with a "did you mean"', async () => {
    const error = await failure(minimalManifest('services:\n  web: { kind: ecko }\nrun: { network: host }\n'));
    expect(error.message).toContain('research.yaml:5:16: services.web.kind must be one of echo, model, command (got the string "ecko"). Did you mean "echo"?');
    expect(error.message).toContain('research.yaml:6:17: run.network must be one of none, bridge (got the string "host").');
  });

  it('a data path that escapes the repository with ../', async () => {
    const error = await failure(minimalManifest(`data:\n  - path: ../outside.csv\n    url: https://example.org/a.csv\n    sha256: ${hash}\n`));
    expect(error.message).toContain('research.yaml:5:11: data[0].path "../outside.csv" must stay inside the repository (no "..").');
    expect(error.message).toContain('Expected a path inside the repository such as `path: data/games.csv`.');
  });

  it('an absolute data path', async () => {
    const error = await failure(minimalManifest(`data:\n  - path: /etc/passwd\n    url: https://example.org/a.csv\n    sha256: ${hash}\n`));
    expect(error.message).toContain('research.yaml:5:11: data[0].path "/etc/passwd" must be relative to the repository, not absolute.');
  });

  it('malformed sha256: says how many characters it got', async () => {
    const error = await failure(minimalManifest(`data:\n  - path: data/a.csv\n    url: https://example.org/a.csv\n    sha256: ${hash.slice(1)}\n`));
    expect(error.message).toContain('research.yaml:7:13: data[0].sha256 must be 64 hex characters (got 63). Fix the hash: `sha256sum <file>`');
  });

  it('sha256 in upper case: shows the lowercase spelling', async () => {
    const error = await failure(minimalManifest(`data:\n  - path: data/a.csv\n    url: https://example.org/a.csv\n    sha256: ${hash.toUpperCase()}\n`));
    expect(error.message).toContain(`data[0].sha256 must be lowercase hex. Write it as ${hash}.`);
  });

  it('sha256 with a non-hex character', async () => {
    const error = await failure(minimalManifest(`data:\n  - path: data/a.csv\n    url: https://example.org/a.csv\n    sha256: ${hash.slice(0, 63)}g\n`));
    expect(error.message).toContain('data[0].sha256 must be 64 hex characters 0-9a-f (got "g").');
  });

  it('two data entries with the same path (also when spelled differently)', async () => {
    const entry = (p: string) => `  - path: ${p}\n    url: https://example.org/a.csv\n    sha256: ${hash}\n`;
    const error = await failure(minimalManifest(`data:\n${entry('data/a.csv')}${entry('data/b.csv')}${entry('./data/a.csv')}`));
    expect(error.message).toContain('research.yaml:11:11: data[2].path "./data/a.csv" is the same as data[0].path. Each data file needs its own path');
  });

  it('two entrypoints with the same notebook', async () => {
    const error = await failure(
      minimalManifest('entrypoints:\n  - notebook: n/a.ipynb\n    outputs: results/a\n  - notebook: n/a.ipynb\n    outputs: results/b\n'),
    );
    expect(error.message).toContain('research.yaml:7:15: entrypoints[1].notebook "n/a.ipynb" is the same as entrypoints[0].notebook.');
  });

  it('a notebook that is not .ipynb, a bad duration and a bad URL', async () => {
    const error = await failure(
      minimalManifest(`entrypoints:\n  - notebook: n/a.py\n    outputs: results/a\n    timeout: 5 minutes\ndata:\n  - path: d/a\n    url: not a url\n    sha256: ${hash}\n`),
    );
    expect(error.message).toContain('research.yaml:5:15: entrypoints[0].notebook "n/a.py" must be a .ipynb notebook.');
    expect(error.message).toContain('research.yaml:7:14: entrypoints[0].timeout must be a duration such as 90s, 15m or 1h (got the string "5 minutes").');
    expect(error.message).toContain('research.yaml:10:10: data[0].url is not a URL (got the string "not a url").');
  });

  it('YAML syntax error: position, the fix and the offending line', async () => {
    const error = await failure('name: x\nenvironment:\n\tnode: 20.20.2\n');
    expect(error.message).toContain('research.yaml:3:1: YAML syntax error: Tabs are not allowed as indentation. Indent with spaces');
    expect(error.message).toContain('  3 | \tnode: 20.20.2');
  });

  it('YAML duplicate key', async () => {
    const error = await failure('name: x\nname: y\nenvironment: { node: 20.20.2 }\n');
    expect(error.message).toContain('research.yaml:2:1: YAML syntax error: Map keys must be unique. Each key may appear once in a mapping');
  });

  it('an empty research.yaml', async () => {
    const error = await failure('# nothing yet\n');
    expect(error.message).toContain('research.yaml:1:1: research.yaml is empty.');
  });

  it('reports several problems at once, in file order, each with its position', async () => {
    const error = await failure('name: Bad Name\nenvironment:\n  node: 20\n  bse: debian\nrun: { seed: 1.5 }\n');
    expect(error).toBeInstanceOf(ManifestProblemsError);
    const problems = (error as ManifestProblemsError).problems;
    expect(problems.map((p) => `${p.position.line}:${p.position.column}`)).toEqual(['1:7', '3:9', '4:3', '5:14']);
    expect(error.message.split('\n')).toHaveLength(4);
    expect(error.hint).toContain('Fix these 4 problems');
  });

  it('names a file below the working directory relative to it, so terminals can open it', async () => {
    const dir = path.join(repoRoot, '.repro', `test-manifest-${process.pid}`);
    await mkdir(dir, { recursive: true });
    try {
      await writeFile(path.join(dir, 'research.yaml'), 'environment: {}\n');
      const error = await rejected(loadManifest(dir));
      expect(path.relative(process.cwd(), dir)).not.toMatch(/^\.\./);
      expect(error.message.startsWith(`${path.relative(process.cwd(), dir)}/research.yaml:1:1: `)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('loadManifest: environment kernels, Node.js and the npm lockfile', () => {
  it('defaults to Node.js 20.20.2, no extra kernels and no npm lockfile', async () => {
    const { manifest } = await loadManifest(await projectWith('name: x\nenvironment: {}\n'));
    expect(manifest.environment).toEqual({ base: 'debian:bookworm', node: '20.20.2', kernels: [], apt: [], jupyter: false });
    expect(manifest.environment.lockfile).toBeUndefined();
  });

  it('keeps the kernels sorted and once each, so their order does not change the manifest hash', async () => {
    const a = await loadManifest(await projectWith('name: x\nenvironment:\n  kernels: [python3, ir, python3]\n'));
    const b = await loadManifest(await projectWith('name: x\nenvironment: { kernels: [ir, python3] }\n'));
    expect(a.manifest.environment.kernels).toEqual(['ir', 'python3']);
    expect(b.hash).toBe(a.hash);
  });

  it('refuses a kernel repro has no pack for, naming the ones there are', async () => {
    const error = await failure('name: x\nenvironment:\n  kernels: [python3, julia]\n');
    expect(error.message).toContain('research.yaml:3:22: environment.kernels[1] must be one of tslab, jslab, python3, ir (got the string "julia").');
  });

  it('suggests the kernel meant by a misspelt one', async () => {
    const error = await failure('name: x\nenvironment:\n  kernels: [pyhton3]\n');
    expect(error.message).toContain('research.yaml:3:13: environment.kernels[0] must be one of tslab, jslab, python3, ir (got the string "pyhton3"). Did you mean "python3"?');
  });

  it('wants kernels as a list, with an example', async () => {
    const error = await failure('name: x\nenvironment:\n  kernels: python3\n');
    expect(error.message).toContain(
      'research.yaml:3:12: environment.kernels must be a list (got the string "python3"). Expected a list of kernels such as `kernels: [python3, ir]` (tslab and jslab are always there).',
    );
  });

  it.each(['yarn.lock', 'pnpm-lock.yaml', 'web/pnpm-lock.yaml'])('refuses lockfile: %s with the command that writes package-lock.json', async (lockfile) => {
    const error = await failure(`name: x\nenvironment:\n  lockfile: ${lockfile}\n`);
    expect(error.message).toContain(
      `research.yaml:3:13: environment.lockfile "${lockfile}" is not npm's lockfile, and repro installs with \`npm ci\`: run \`npm install --package-lock-only\` to write package-lock.json from package.json, and name that file instead.`,
    );
  });

  it('accepts an npm lockfile in a subfolder', async () => {
    const { manifest } = await loadManifest(await projectWith('name: x\nenvironment:\n  lockfile: analysis/package-lock.json\n'));
    expect(manifest.environment.lockfile).toBe('analysis/package-lock.json');
  });
});

describe('loadManifest: an outputs folder must hold nothing but outputs (a run replaces it whole)', () => {
  const manifestWith = (outputs: string, extra = '') =>
    `name: x\nenvironment:\n  node: 20.20.2\n${extra}entrypoints:\n  - notebook: notebooks/a.ipynb\n    outputs: ${outputs}\n`;

  it.each([
    ['.', 'is the project folder itself'],
    ['./', 'is the project folder itself'],
    ['notebooks', 'holds or lies inside the notebook notebooks/a.ipynb'],
    ['.git/out', 'holds or lies inside .git'],
  ])('outputs: %s is refused at its line:column', async (outputs, why) => {
    const error = await failure(manifestWith(outputs));
    expect(error.message).toContain(`research.yaml:6:14: entrypoints[0].outputs "${outputs}" ${why}`);
    expect(error.message).toContain('Name a folder of its own');
  });

  it('refuses an outputs folder that holds a data file', async () => {
    const data = `data:\n  - path: data/x.csv\n    url: https://example.org/x.csv\n    sha256: ${hash}\n`;
    const error = await failure(manifestWith('data', data));
    expect(error.message).toContain('holds or lies inside the data file data/x.csv');
  });

  it('refuses one outputs folder inside another', async () => {
    const error = await failure(
      'name: x\nenvironment:\n  node: 20.20.2\nentrypoints:\n  - notebook: a.ipynb\n    outputs: results\n  - notebook: b.ipynb\n    outputs: results/b\n',
    );
    expect(error.message).toContain('entrypoints[0].outputs "results" holds entrypoints[1].outputs "results/b"');
  });

  it('accepts sibling outputs folders', async () => {
    const loaded = await loadManifest(
      await projectWith('name: x\nenvironment:\n  node: 20.20.2\nentrypoints:\n  - notebook: a.ipynb\n    outputs: results/a\n  - notebook: b.ipynb\n    outputs: results/b\n'),
    );
    expect(loaded.manifest.entrypoints.map((e) => e.outputs)).toEqual(['results/a', 'results/b']);
  });
});
