// npm's lockfile, or why there is none to name.
import { describe, expect, it } from 'vitest';
import type { RepoFile } from '../../src/init/files.ts';
import type { FoundNotebook } from '../../src/init/notebooks.ts';
import { detectNpm, importedPackages } from '../../src/init/npm.ts';

const files = (...paths: string[]): RepoFile[] => paths.map((path) => ({ path, bytes: 1 }));
const ts = (code: string): FoundNotebook => ({ path: 'a.ipynb', kernel: 'tslab', language: 'typescript', code, readsOutputsVariable: false, savedErrors: [] });

describe('detectNpm', () => {
  it('names the top-most package-lock.json that has a package.json beside it', () => {
    expect(detectNpm(files('package.json', 'package-lock.json', 'tools/package.json', 'tools/package-lock.json'), [])).toEqual({
      lockfile: 'package-lock.json',
      imported: [],
      todo: 'other npm lockfiles were found and are not installed: tools/package-lock.json',
    });
    expect(detectNpm(files('app/package.json', 'app/package-lock.json'), [])).toEqual({ lockfile: 'app/package-lock.json', imported: [], todo: undefined });
  });

  it('says what to do with no lockfile to name', () => {
    expect(detectNpm(files('package-lock.json'), []).todo).toContain('package-lock.json has no package.json beside it');
    expect(detectNpm(files('package.json', 'yarn.lock'), []).todo).toBe(
      "yarn.lock is not npm's lockfile and the image installs with `npm ci`: run `npm install --package-lock-only` beside package.json to write package-lock.json, then name it as environment.lockfile",
    );
    expect(detectNpm(files('package.json'), []).todo).toContain('package.json has no package-lock.json beside it');
    expect(detectNpm(files('a.ipynb'), [ts("import * as d3 from 'd3';")]).todo).toBe(
      'the notebooks import npm packages (d3) and the repository has no package.json: `npm install d3`, then name package-lock.json as environment.lockfile',
    );
    expect(detectNpm(files('a.ipynb'), [ts("import { readFileSync } from 'fs';")])).toEqual({ imported: [] });
  });
});

describe('importedPackages', () => {
  it("takes package names from import, import() and require, not Node's builtins, relative paths or repro's own", () => {
    const code = [
      "import { mean } from 'simple-statistics';",
      "import * as tf from '@tensorflow/tfjs-node/dist/index.js';",
      "const fs = require('fs'); const p = require('node:path');",
      "const lodash = await import('lodash');",
      "import './side-effect';",
      "import { importTs } from 'repro/notebook';",
      "import 'reflect-metadata';",
    ].join('\n');
    expect(importedPackages(code).sort()).toEqual(['@tensorflow/tfjs-node', 'lodash', 'reflect-metadata', 'simple-statistics']);
  });
});
