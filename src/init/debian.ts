// From the names a repository depends on (PyPI, conda, CRAN) to Debian packages. The image holds only Debian's
// packages, so a name maps to python3-<name> or r-cran-<name> when Debian has one and is a TODO otherwise. Whether
// Debian has it is asked of this machine's apt-cache when this machine is Debian, else of a table of common names;
// `repro lock` has the last word (it asks apt in the base image).
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Dependency {
  ecosystem: 'python' | 'r';
  /** As written: a PyPI or conda name, an imported module, an R package. */
  name: string;
  /** Where it was found: requirements.txt, environment.yml, a notebook. */
  from: string;
  /** Found as an import or library() call in a notebook's code, not in a dependency file. */
  imported?: boolean;
  /** Installed by the notebook's own code as it runs (install.packages, !pip install). */
  installed?: boolean;
  /** The requirement line, when it pins a version (Debian's version is what the image gets). */
  pinned?: string;
}

export interface DebianIndex {
  /** Says where the answer comes from, for the comment in research.yaml. */
  describe: string;
  /** Which of these packages Debian has. */
  available(packages: readonly string[]): Promise<Set<string>>;
}

export interface AptProposal {
  package: string;
  for: Dependency[];
}

export interface Unresolved {
  dependency: Dependency;
  /** The Debian package init looked for. */
  wanted: string;
  reason: string;
}

export interface ResolvedDependencies {
  apt: AptProposal[];
  unresolved: Unresolved[];
}

// PyPI and import names whose Debian package is named otherwise; the rest are python3-<name lowercased, _ → ->.
const pythonNames: Record<string, string> = {
  sklearn: 'python3-sklearn',
  'scikit-learn': 'python3-sklearn',
  skimage: 'python3-skimage',
  'scikit-image': 'python3-skimage',
  bs4: 'python3-bs4',
  beautifulsoup4: 'python3-bs4',
  yaml: 'python3-yaml',
  pyyaml: 'python3-yaml',
  pil: 'python3-pil',
  pillow: 'python3-pil',
  cv2: 'python3-opencv',
  'opencv-python': 'python3-opencv',
  'opencv-python-headless': 'python3-opencv',
  'opencv-contrib-python': 'python3-opencv',
  dateutil: 'python3-dateutil',
  'python-dateutil': 'python3-dateutil',
  pytz: 'python3-tz',
  pytables: 'python3-tables',
  attrs: 'python3-attr',
  zmq: 'python3-zmq',
  pyzmq: 'python3-zmq',
  'psycopg2-binary': 'python3-psycopg2',
  bio: 'python3-biopython',
  crypto: 'python3-pycryptodome',
  pycryptodome: 'python3-pycryptodome',
  mpl_toolkits: 'python3-matplotlib',
  pylab: 'python3-matplotlib',
  'msgpack-python': 'python3-msgpack',
};

/** The Debian packages that could provide a dependency, best first. */
export function debianCandidates(dependency: Dependency): string[] {
  const lower = dependency.name.toLowerCase();
  if (dependency.ecosystem === 'python') return [pythonNames[lower] ?? `python3-${lower.replace(/_/g, '-')}`];
  // CRAN's packages are r-cran-*, Bioconductor's r-bioc-*.
  return [`r-cran-${lower}`, `r-bioc-${lower}`];
}

export async function resolveDependencies(dependencies: readonly Dependency[], index: DebianIndex): Promise<ResolvedDependencies> {
  const candidates = dependencies.map(debianCandidates);
  const available = await index.available([...new Set(candidates.flat())].sort());
  const apt = new Map<string, Dependency[]>();
  const unresolved = new Map<string, Unresolved>();
  dependencies.forEach((dependency, i) => {
    const found = candidates[i].find((name) => available.has(name));
    if (found) {
      apt.set(found, [...(apt.get(found) ?? []), dependency]);
      return;
    }
    const wanted = candidates[i][0];
    if (!unresolved.has(wanted)) unresolved.set(wanted, { dependency, wanted, reason: `no Debian package ${wanted} (${index.describe})` });
  });
  return {
    apt: [...apt].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, deps]) => ({ package: name, for: deps })),
    unresolved: [...unresolved.values()].filter((item) => !apt.has(item.wanted)),
  };
}

/** Debian packages of common Python and R names, checked against Debian 12 (bookworm), for a machine with no apt. */
const knownPackages = new Set(
  [
    ...'pandas numpy matplotlib scipy sklearn seaborn requests statsmodels sympy networkx bs4 yaml pil opencv dateutil tqdm h5py tables xlrd openpyxl lxml nltk plotly numba joblib jinja2 click pytest shapely pyproj geopandas netcdf4 xarray toolz dask sqlalchemy psycopg2 tabulate torch skimage astropy biopython patsy pydot graphviz xgboost altair ipywidgets six tz regex simplejson ujson rich pygments sklearn-pandas cycler pyparsing kiwisolver imageio attr zmq msgpack pycryptodome'
      .split(' ')
      .map((name) => `python3-${name}`),
    ...'ggplot2 dplyr tidyr readr data.table tibble purrr stringr lubridate magrittr jsonlite knitr rmarkdown reshape2 scales gridextra lme4 mass matrix survival caret randomforest e1071 glmnet xml2 httr plyr zoo xts forecast tidyverse broom viridis rcolorbrewer lattice nlme boot cluster mgcv car readxl openxlsx shiny sf igraph devtools testthat cowplot patchwork ggrepel here haven foreign rpart nnet'
      .split(' ')
      .map((name) => `r-cran-${name}`),
  ],
);

export const builtinIndex: DebianIndex = {
  describe: "not in repro's table of common Debian packages; this machine has no Debian apt-cache to ask",
  async available(packages) {
    return new Set(packages.filter((name) => knownPackages.has(name)));
  },
};

type AptCacheRunner = (args: string[]) => Promise<string>;

const runAptCache: AptCacheRunner = async (args) => {
  try {
    return (await run('apt-cache', args, { maxBuffer: 64 * 1024 * 1024 })).stdout;
  } catch (error) {
    // apt-cache exits 100 when some name is unknown, having printed the ones it knows.
    const stdout = (error as { stdout?: string }).stdout;
    if (typeof stdout === 'string') return stdout;
    throw error;
  }
};

/** This machine's apt-cache, asked for every name at once; `Package:` lines name the real (not virtual) packages. */
export function aptCacheIndex(release: string, runner: AptCacheRunner = runAptCache): DebianIndex {
  return {
    describe: `apt-cache on this machine, ${release}`,
    async available(packages) {
      if (packages.length === 0) return new Set();
      const stdout = await runner(['show', '--no-all-versions', ...packages]);
      return new Set([...stdout.matchAll(/^Package:\s*(\S+)/gm)].map((match) => match[1]));
    },
  };
}

/** apt-cache when this machine is Debian and its package lists know python3, else the table. */
export async function chooseDebianIndex(runner: AptCacheRunner = runAptCache): Promise<DebianIndex> {
  const osRelease = await readFile('/etc/os-release', 'utf8').catch(() => '');
  if (!/^ID=debian$/m.test(osRelease)) return builtinIndex;
  const release = /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(osRelease)?.[1] ?? 'Debian';
  const index = aptCacheIndex(release, runner);
  try {
    if ((await index.available(['python3'])).has('python3')) return index;
  } catch {
    // No apt-cache, or it failed: the table it is.
  }
  return builtinIndex;
}
