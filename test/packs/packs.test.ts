// Build packs: which packs an environment composes, the Debian packages they ask the lock to pin, and the exact
// kernel.json bytes they put in the image (a changed byte changes the image tag, so these are pinned here).
import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../src/manifest/load.ts';
import type { Environment } from '../../src/manifest/schema.ts';
import { buildPacks, imageKernelsDir, packKernels, packPackages, serializeKernelJson } from '../../src/packs/index.ts';
import { toolkitDir } from '../../src/packs/toolkit.ts';
import { kernelFiles } from '../../src/render/context.ts';

/** The environment research.yaml's `environment:` mapping loads to, defaults filled in. */
function environment(yaml: string): Environment {
  return parseManifest(`name: p\nenvironment: ${yaml}\n`, '/p/research.yaml').manifest.environment;
}

describe('buildPacks', () => {
  it('is repro\'s own pack and the project\'s for a TypeScript project', () => {
    const packs = buildPacks(environment('{}'));
    expect(packs.map((pack) => pack.name)).toEqual(['toolkit', 'project']);
    expect(packs[0]).toMatchObject({ apt: [], kernels: { tslab: {}, jslab: {} } });
    expect(packs[1]).toEqual({ name: 'project', apt: [], kernels: {} });
  });

  it('composes in a fixed order whatever the order in research.yaml: toolkit, python, r, jupyter, project', () => {
    const a = buildPacks(environment('{ kernels: [ir, python3], jupyter: true, apt: [r-cran-ggplot2] }'));
    const b = buildPacks(environment('{ jupyter: true, apt: [r-cran-ggplot2], kernels: [python3, ir] }'));
    expect(a.map((pack) => pack.name)).toEqual(['toolkit', 'python', 'r', 'jupyter', 'project']);
    expect(b).toEqual(a);
  });

  it('gives each pack its Debian packages and kernels', () => {
    const packs = Object.fromEntries(buildPacks(environment('{ kernels: [python3, ir], jupyter: true, apt: [fonts-dejavu-core] }')).map((pack) => [pack.name, pack]));
    expect(packs.python.apt).toEqual(['python3', 'python3-ipykernel']);
    expect(Object.keys(packs.python.kernels)).toEqual(['python3']);
    expect(packs.r.apt).toEqual(['r-base-core', 'r-cran-irkernel']);
    expect(Object.keys(packs.r.kernels)).toEqual(['ir']);
    expect(packs.jupyter).toEqual({ name: 'jupyter', apt: ['jupyter-notebook'], kernels: {} });
    expect(packs.project).toEqual({ name: 'project', apt: ['fonts-dejavu-core'], kernels: {} });
  });

  it('adds no pack for tslab or jslab named in research.yaml: repro\'s own pack has them already', () => {
    expect(buildPacks(environment('{ kernels: [tslab, jslab] }')).map((pack) => pack.name)).toEqual(['toolkit', 'project']);
  });
});

describe('packPackages', () => {
  it('is every pack\'s Debian packages, sorted, each once', () => {
    expect(packPackages(buildPacks(environment('{}')))).toEqual([]);
    expect(packPackages(buildPacks(environment('{ kernels: [python3], apt: [python3-pandas, python3-matplotlib, python3] }')))).toEqual([
      'python3',
      'python3-ipykernel',
      'python3-matplotlib',
      'python3-pandas',
    ]);
    expect(packPackages(buildPacks(environment('{ kernels: [ir], apt: [r-cran-ggplot2], jupyter: true }')))).toEqual([
      'jupyter-notebook',
      'r-base-core',
      'r-cran-ggplot2',
      'r-cran-irkernel',
    ]);
  });
});

describe('packKernels', () => {
  it('names the image\'s kernels: tslab and jslab always, python3 and ir on request', () => {
    expect([...packKernels(buildPacks(environment('{}'))).keys()]).toEqual(['tslab', 'jslab']);
    expect([...packKernels(buildPacks(environment('{ kernels: [ir, python3] }'))).keys()]).toEqual(['tslab', 'jslab', 'python3', 'ir']);
  });
});

describe('kernel.json in the image', () => {
  const files = Object.fromEntries(
    kernelFiles(parseManifest('name: p\nenvironment: { kernels: [python3, ir] }\n', '/p/research.yaml').manifest).map((file) => [file.path, file.content]),
  );

  it('puts each kernelspec where Jupyter looks, and repro at /opt/repro', () => {
    expect(Object.keys(files)).toEqual(['kernels/ir/kernel.json', 'kernels/jslab/kernel.json', 'kernels/python3/kernel.json', 'kernels/tslab/kernel.json']);
    expect(imageKernelsDir).toBe('/usr/local/share/jupyter/kernels');
    expect(toolkitDir).toBe('/opt/repro');
  });

  it('tslab: the toolkit\'s tslab on the image\'s Node.js', () => {
    expect(files['kernels/tslab/kernel.json']).toBe(`{
 "argv": [
  "/usr/local/bin/node",
  "/opt/repro/node_modules/tslab/bin/tslab",
  "kernel",
  "--config-path",
  "{connection_file}"
 ],
 "display_name": "TypeScript",
 "language": "typescript"
}
`);
  });

  it('jslab: the same tslab with --js', () => {
    expect(files['kernels/jslab/kernel.json']).toBe(`{
 "argv": [
  "/usr/local/bin/node",
  "/opt/repro/node_modules/tslab/bin/tslab",
  "kernel",
  "--config-path",
  "{connection_file}",
  "--js"
 ],
 "display_name": "JavaScript",
 "language": "javascript"
}
`);
  });

  it('python3: Debian\'s python3 with ipykernel', () => {
    expect(files['kernels/python3/kernel.json']).toBe(`{
 "argv": [
  "/usr/bin/python3",
  "-m",
  "ipykernel_launcher",
  "-f",
  "{connection_file}"
 ],
 "display_name": "Python 3 (ipykernel)",
 "language": "python"
}
`);
  });

  it('ir: Debian\'s R with IRkernel', () => {
    expect(files['kernels/ir/kernel.json']).toBe(`{
 "argv": [
  "/usr/bin/R",
  "--slave",
  "-e",
  "IRkernel::main()",
  "--args",
  "{connection_file}"
 ],
 "display_name": "R",
 "language": "R"
}
`);
  });

  it('writes keys in one order, whatever order the spec was built in', () => {
    const text = serializeKernelJson({ env: { A: '1' }, interrupt_mode: 'message', language: 'x', display_name: 'X', argv: ['x'] });
    expect(text).toBe('{\n "argv": [\n  "x"\n ],\n "display_name": "X",\n "language": "x",\n "interrupt_mode": "message",\n "env": {\n  "A": "1"\n }\n}\n');
  });
});
