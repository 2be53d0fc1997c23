// Golden tests for renderDockerfile: test/render/input/<case>/ holds research.yaml, research.lock (format 2, with
// fake toolkit hashes: rendering only copies them into the lock-hash label) and render options;
// test/render/output/<case>.Dockerfile the expected text. UPDATE_GOLDEN=1 rewrites the outputs (review the diff).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManifestError } from '../../src/errors.ts';
import { parseLock } from '../../src/lock/file.ts';
import { parseManifest } from '../../src/manifest/load.ts';
import { buildPacks, packPackages } from '../../src/packs/index.ts';
import { renderDockerfile, type RenderOptions } from '../../src/render/dockerfile.ts';

const here = import.meta.dirname;
const template = readFileSync(join(here, '../../Dockerfile.template'), 'utf8');
const cases = readdirSync(join(here, 'input')).sort();

function load(name: string) {
  const dir = join(here, 'input', name);
  const loaded = parseManifest(readFileSync(join(dir, 'research.yaml'), 'utf8'), join(dir, 'research.yaml'));
  const lock = parseLock(readFileSync(join(dir, 'research.lock'), 'utf8'));
  const options = JSON.parse(readFileSync(join(dir, 'options.json'), 'utf8')) as RenderOptions;
  return { manifest: loaded.manifest, lock, options };
}

describe('renderDockerfile', () => {
  it.each(cases)('renders %s as its golden file', (name) => {
    const { manifest, lock, options } = load(name);
    const rendered = renderDockerfile(manifest, lock, template, options);
    const golden = join(here, 'output', `${name}.Dockerfile`);
    if (process.env.UPDATE_GOLDEN) writeFileSync(golden, rendered);
    expect(rendered).toBe(readFileSync(golden, 'utf8'));
  });

  it('is byte-identical for the same inputs, whatever the order of apt pins in the lock', () => {
    const { manifest, lock, options } = load('jupyter');
    const reversed = { ...lock, apt: Object.fromEntries(Object.entries(lock.apt).reverse()) };
    expect(renderDockerfile(manifest, reversed, template, options)).toBe(renderDockerfile(manifest, lock, template, options));
  });

  it('pins every Debian package to its locked version and leaves no placeholder behind', () => {
    const { manifest, lock, options } = load('jupyter');
    const text = renderDockerfile(manifest, lock, template, options);
    expect(text).toContain('fonts-dejavu-core=2.37-6 jupyter-notebook=6.4.12-2.2 python3-jupyter-core=4.12.0-1 python3-notebook=6.4.12-2.2');
    expect(text).toContain('WORKDIR /project/analysis');
    expect(text).not.toMatch(/\{\{/);
  });

  it('installs a Python and R environment\'s pack packages and its own, each at its locked version', () => {
    const { manifest, lock, options } = load('python-r');
    // The golden lock is what `repro lock` resolves for these packs: every package they ask for is pinned.
    expect(packPackages(buildPacks(manifest.environment))).toEqual(['python3', 'python3-ipykernel', 'python3-matplotlib', 'python3-pandas', 'r-base-core', 'r-cran-ggplot2', 'r-cran-irkernel']);
    expect(Object.keys(lock.apt).sort()).toEqual(packPackages(buildPacks(manifest.environment)));
    const text = renderDockerfile(manifest, lock, template, options);
    expect(text).toContain(
      ' && packages="python3=3.11.2-1+b1 python3-ipykernel=6.17.0-1 python3-matplotlib=3.6.3-1+b1 python3-pandas=1.5.3+dfsg-2 r-base-core=4.2.2.20221110-2 r-cran-ggplot2=3.4.1+dfsg-1 r-cran-irkernel=1.3.2-1"',
    );
    expect(text).toContain('COPY kernels/ /usr/local/share/jupyter/kernels/\n');
    expect(text).toContain('ln -s /opt/repro/bin/repro /usr/local/bin/repro');
    // No npm lockfile: the deps stage works in /project and installs nothing.
    expect(text).toContain('WORKDIR /project\nRUN if [ -f package-lock.json ]');
    expect(text).not.toMatch(/\{\{/);
  });

  it('puts repro at /opt/repro in every image, from the toolkit stage', () => {
    for (const name of cases) {
      const { manifest, lock, options } = load(name);
      const text = renderDockerfile(manifest, lock, template, options);
      expect(text).toContain('FROM debian:bookworm AS toolkit\n');
      expect(text).toContain('COPY toolkit/app/ /opt/repro/\nCOPY tools/ /tmp/tools/\nWORKDIR /opt/repro\n');
      expect(text).toContain('&& node /tmp/tools/prune.cjs node_modules \\\n');
      expect(text).toContain('COPY --from=toolkit /opt/repro/ /opt/repro/\n');
      // No longer the project's own npm dependency.
      expect(text).not.toContain('/project/node_modules/repro');
    }
  });

  it('slims and flattens the base, installs only the node binary, and links the toolkit packages the project repeats', () => {
    for (const name of cases) {
      const { manifest, lock, options } = load(name);
      const text = renderDockerfile(manifest, lock, template, options);
      expect(text).toContain('FROM debian:bookworm AS slim-base\n');
      expect(text).toContain("'path-exclude=/usr/share/doc/*' 'path-include=/usr/share/doc/*/copyright'");
      expect(text).toContain('FROM scratch AS slim\nCOPY --from=slim-base / /\n');
      expect(text.match(/^FROM .*$/gm)?.at(-1)).toBe('FROM slim');
      expect(text).toContain('COPY --from=node /opt/node/bin/node /usr/local/bin/node\n');
      expect(text).not.toContain('COPY --from=node /opt/node/ /usr/local/\nCOPY --from=toolkit /opt/repro/ /opt/repro/');
      expect(text).toContain('node /tmp/tools/prune.cjs node_modules --link-from /opt/repro/node_modules');
    }
  });

  it('names an unknown placeholder with the template line and the placeholders there are', () => {
    const { manifest, lock } = load('minimal');
    let error: unknown;
    try {
      renderDockerfile(manifest, lock, 'FROM {{base}}\nRUN echo {{nodeVersoin}}\n');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ManifestError);
    expect((error as ManifestError).message).toBe('Dockerfile.template:2:10: unknown placeholder {{nodeVersoin}}');
    expect((error as ManifestError).hint).toContain('{{nodeVersion}}');
    expect((error as ManifestError).exitCode).toBe(2);
  });
});
