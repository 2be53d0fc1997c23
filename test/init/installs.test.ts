// Packages a notebook installs as it runs (which fails in the container): read from R's install.packages and
// Python's !pip / %pip install, proposed as Debian packages, with a TODO to remove the calls.
import { describe, expect, it } from 'vitest';
import { builtinIndex } from '../../src/init/debian.ts';
import { detectProject } from '../../src/init/detect.ts';
import { runTimeInstalls } from '../../src/init/installs.ts';
import { notebook, tree } from './helpers.ts';

describe('runTimeInstalls', () => {
  it('R: install.packages of one name or c(…), pkgs = too, not in comments', () => {
    const code = ['#to use tools like those in TidyVerse, we need to install and load them', 'install.packages("tidyverse")', "install.packages(pkgs = c('psych', \"ez\"), repos = 'https://cloud.r-project.org')", '# install.packages("old")', 'install.packages(mine)'].join('\n');
    expect(runTimeInstalls({ language: 'R', code })).toEqual({
      calls: ['install.packages("tidyverse")', "install.packages(pkgs = c('psych', \"ez\"))"],
      packages: ['tidyverse', 'psych', 'ez'],
    });
  });

  it('Python: !pip and %pip install, names with extras and versions, options and their values left out', () => {
    const code = ['!pip install seaborn==0.12 "scikit-learn>=1.0"', '%pip install -q --index-url https://x.org/simple requests[socks]', '!pip install -r requirements.txt', 'import pip  # pip install nothing'].join('\n');
    expect(runTimeInstalls({ language: 'python', code })).toEqual({
      calls: ['!pip install seaborn==0.12 "scikit-learn>=1.0"', '%pip install -q --index-url https://x.org/simple requests[socks]'],
      packages: ['seaborn', 'scikit-learn', 'requests'],
    });
  });

  it('nothing for other languages, or code that installs nothing', () => {
    expect(runTimeInstalls({ language: 'typescript', code: 'install.packages("x")' })).toEqual({ calls: [], packages: [] });
    expect(runTimeInstalls({ language: 'R', code: 'library(ggplot2)' })).toEqual({ calls: [], packages: [] });
  });
});

describe('detectProject', () => {
  it('proposes the Debian packages of what a notebook installs as it runs, and a TODO to remove the calls', async () => {
    const root = await tree({
      'r.ipynb': notebook('ir', 'install.packages("tidyverse")\nlibrary(readr)', 'install.packages("notonbookworm")'),
      'p.ipynb': notebook('python3', '!pip install seaborn', 'import seaborn'),
    });
    const { proposal } = await detectProject(root, { debian: builtinIndex });
    expect(proposal.apt.map((item) => `${item.package}: ${item.why}`)).toEqual(
      expect.arrayContaining(['r-cran-tidyverse: tidyverse (installed by r.ipynb as it runs)', 'python3-seaborn: seaborn (imported in p.ipynb)']),
    );
    expect(proposal.aptTodo).toContain(`notonbookworm (installed by r.ipynb as it runs): no Debian package r-cran-notonbookworm (${builtinIndex.describe})`);
    const [p, r] = proposal.entrypoints;
    expect(r.todo).toContain(
      'it installs packages as it runs (install.packages("tidyverse"); install.packages("notonbookworm")): in the container, with no network and a read-only file system, that fails. ' +
        'The packages are proposed under apt: (or in its TODO when Debian lacks one): remove the calls from the notebook',
    );
    expect(p.todo.filter((line) => line.startsWith('it installs packages'))).toEqual([expect.stringContaining('(!pip install seaborn)')]);
    expect(p.todo.find((line) => line.startsWith('it installs packages'))).toMatch(/remove the call from the notebook$/);
  });
});
