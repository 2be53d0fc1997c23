// toolkit/prune.cjs, as the image build runs it after `npm ci`: what it deletes, and which packages it links.
import { execFileSync } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readlink, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const script = join(import.meta.dirname, '../../toolkit/prune.cjs');
let dir = '';
afterEach(() => rm(dir, { recursive: true, force: true }));

async function files(root: string, tree: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(tree)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

async function list(root: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const name of (await readdir(join(root, prefix))).sort()) {
    const path = prefix ? `${prefix}/${name}` : name;
    const info = await lstat(join(root, path));
    if (info.isSymbolicLink()) out.push(`${path} -> ${await readlink(join(root, path))}`);
    else if (info.isDirectory()) out.push(...(await list(root, path)));
    else out.push(path);
  }
  return out;
}

const prune = (...args: string[]) => execFileSync(process.execPath, [script, ...args], { encoding: 'utf8' });

describe('prune.cjs', () => {
  it('deletes source maps, Markdown and native builds for another OS, CPU or C library, and keeps the rest', async () => {
    dir = await mkdtemp(join(tmpdir(), 'repro-prune-'));
    const nm = join(dir, 'node_modules');
    await files(nm, {
      'a/index.js': 'x', 'a/index.js.map': '{}', 'a/README.md': '#', 'a/world.map': 'data', 'a/t.tsbuildinfo': '{}',
      'z/build/linux/x64/node/glibc-127-Release/addon.node': 'n', 'z/build/linux/x64/node/musl-127-Release/addon.node': 'n',
      'z/build/linux/arm64/node/glibc-127-Release/addon.node': 'n', 'z/build/darwin/x64/node/addon.node': 'n',
      'p/prebuilds/linux-x64/node.napi.glibc.node': 'n', 'p/prebuilds/linux-x64/node.napi.musl.node': 'n', 'p/prebuilds/win32-x64/node.napi.node': 'n',
    });
    const out = prune(nm);
    expect(out).toBe(`prune ${nm}: 4 files never loaded (source maps, docs), 4 foreign native builds, 0 packages linked; 0.0 MB less\n`);
    expect(await list(nm)).toEqual([
      'a/index.js', 'a/world.map',
      'p/prebuilds/linux-x64/node.napi.glibc.node',
      'z/build/linux/x64/node/glibc-127-Release/addon.node',
    ]);
  });

  it('links a package the other tree holds byte for byte only when everything it depends on is linked too', async () => {
    dir = await mkdtemp(join(tmpdir(), 'repro-prune-'));
    const nm = join(dir, 'project'), other = join(dir, 'toolkit');
    const pkg = (name: string, deps: Record<string, string> = {}) => JSON.stringify({ name, dependencies: deps });
    const shared = { 'same/package.json': pkg('same', { leaf: '1' }), 'same/i.js': '1', 'leaf/package.json': pkg('leaf'), 'leaf/i.js': 'L' };
    await files(nm, { ...shared, 'diff/package.json': pkg('diff'), 'diff/i.js': 'mine', 'uses-diff/package.json': pkg('uses-diff', { diff: '1' }), '@s/x/package.json': pkg('@s/x') });
    await files(other, { ...shared, 'diff/package.json': pkg('diff'), 'diff/i.js': 'theirs', 'uses-diff/package.json': pkg('uses-diff', { diff: '1' }), '@s/x/package.json': pkg('@s/x') });
    prune(nm, '--link-from', other);
    expect(await list(nm)).toEqual([
      `@s/x -> ${join(other, '@s/x')}`,
      'diff/i.js', 'diff/package.json',
      `leaf -> ${join(other, 'leaf')}`,
      `same -> ${join(other, 'same')}`,
      'uses-diff/package.json',
    ]);
  });

  it('refuses a malformed command line with exit 2 and its usage', () => {
    let status = 0;
    try {
      prune('/nowhere', '--link')
    } catch (error) {
      status = (error as { status: number }).status;
    }
    expect(status).toBe(2);
  });
});
