// Python's side: requirements.txt, environment.yml and the imports of Python notebooks.
import { describe, expect, it } from 'vitest';
import { listRepoFiles } from '../../src/init/files.ts';
import { surveyNotebooks } from '../../src/init/notebooks.ts';
import { importedModules, parseCondaEnvironment, parseRequirements, pythonDependencies } from '../../src/init/python.ts';
import { notebook, tree } from './helpers.ts';

describe('parseRequirements', () => {
  it('takes one name a line, with extras, markers and pins; skips options, URLs and paths with the reason', () => {
    const scan = parseRequirements(
      ['# data', 'pandas==2.1.0', 'numpy', 'scikit-learn>=1.3  # models', 'requests[socks] ; python_version > "3.8"', '-r more.txt', 'git+https://example.org/x.git', './vendor/pkg', ''].join('\n'),
      'requirements.txt',
    );
    expect(scan.dependencies).toEqual([
      { ecosystem: 'python', name: 'pandas', from: 'requirements.txt', pinned: 'pandas==2.1.0' },
      { ecosystem: 'python', name: 'numpy', from: 'requirements.txt', pinned: undefined },
      { ecosystem: 'python', name: 'scikit-learn', from: 'requirements.txt', pinned: 'scikit-learn>=1.3' },
      { ecosystem: 'python', name: 'requests', from: 'requirements.txt', pinned: 'requests[socks] ; python_version > "3.8"' },
    ]);
    expect(scan.skipped.map((item) => [item.text, item.reason])).toEqual([
      ['-r more.txt', 'a pip option, not a package'],
      ['git+https://example.org/x.git', 'not a package name (a URL or a path): Debian cannot provide it'],
      ['./vendor/pkg', 'not a package name (a URL or a path): Debian cannot provide it'],
    ]);
  });
});

describe('parseCondaEnvironment', () => {
  it("maps conda's names (pytorch, r-*) and reads the pip list; leaves out what the image has (python, pip, Jupyter, R itself)", () => {
    const scan = parseCondaEnvironment(
      ['name: x', 'channels: [conda-forge]', 'dependencies:', '  - python=3.11', '  - pip', '  - conda-forge::pandas>=2', '  - pytorch', '  - r-base', '  - r-ggplot2=3.4', '  - jupyterlab', '  - pip:', '    - seaborn==0.13'].join('\n'),
      'environment.yml',
    );
    expect(scan.dependencies.map((d) => [d.ecosystem, d.name, d.from, d.pinned])).toEqual([
      ['python', 'pandas', 'environment.yml', 'conda-forge::pandas>=2'],
      ['python', 'torch', 'environment.yml', undefined],
      ['r', 'ggplot2', 'environment.yml', 'r-ggplot2=3.4'],
      ['python', 'seaborn', 'environment.yml (pip)', 'seaborn==0.13'],
    ]);
  });

  it('says so when the file is not YAML', () => {
    expect(parseCondaEnvironment('dependencies: [a', 'environment.yml').skipped[0].reason).toMatch(/^not valid YAML/);
  });
});

describe('importedModules', () => {
  it('takes the top-level module of import and from-import lines, not relative imports or comments', () => {
    const code = ['import os, sys', 'import matplotlib.pyplot as plt', 'from sklearn.linear_model import LinearRegression', 'from . import local', '# import commented', '    import numpy as np'].join('\n');
    expect(importedModules(code).sort()).toEqual(['matplotlib', 'numpy', 'os', 'sklearn', 'sys']);
  });
});

describe('pythonDependencies', () => {
  it("joins the files and the notebooks' imports, leaving out the standard library, ipykernel's and the repository's own modules", async () => {
    const root = await tree({
      'requirements.txt': 'pandas\n',
      'env/environment.yml': 'dependencies:\n  - scipy\n',
      'notebooks/a.ipynb': notebook('python3', 'import json, helpers\nfrom IPython.display import display\nimport pandas as pd\nimport mypkg.sub\nfrom PIL import Image'),
      'notebooks/helpers.py': '',
      'mypkg/__init__.py': '',
      'r.ipynb': notebook('ir', 'library(dplyr)'),
    });
    const { files } = await listRepoFiles(root);
    const scan = await pythonDependencies(root, files, (await surveyNotebooks(root, files)).notebooks);
    expect(scan.dependencies.map((d) => `${d.name} ${d.from}${d.imported ? ' (import)' : ''}`)).toEqual([
      'scipy env/environment.yml',
      'pandas requirements.txt',
      'pandas notebooks/a.ipynb (import)',
      'PIL notebooks/a.ipynb (import)',
    ]);
  });
});
