// Bad manifests through the real command line: exit code 2, the message on stderr, no stack trace.
import { describe, expect, it } from 'vitest';
import { minimalManifest, projectWith, runRepro, tempDir } from './helpers.ts';

const hash = 'fd8dd8fd4a5524822c7cf3bae990e266717c5073a34fdc77262206ce1f200081';

function expectCleanFailure(result: { code: number | null; stderr: string }): void {
  expect(result.code).toBe(2);
  expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/); // no stack frames
  expect(result.stderr).not.toContain('internal error');
}

describe('repro with a bad research.yaml', () => {
  it('missing research.yaml: exit 2, says where it looked', async () => {
    const dir = await tempDir();
    const result = await runRepro(['-C', dir, 'fetch']);
    expectCleanFailure(result);
    expect(result.stderr).toContain(`repro: no research.yaml in ${dir} (looked for ${dir}/research.yaml)`);
  });

  it('unknown key and malformed sha256 at once: both with line:column, exit 2', async () => {
    const dir = await projectWith(minimalManifest(`dta: []\ndata:\n  - path: data/a.csv\n    url: https://example.org/a.csv\n    sha256: ${hash}0\n`));
    const result = await runRepro(['-C', dir, 'fetch']);
    expectCleanFailure(result);
    expect(result.stderr).toContain('research.yaml:4:1: unknown key "dta". Did you mean "data"?');
    expect(result.stderr).toContain('research.yaml:8:13: data[0].sha256 must be 64 hex characters (got 65).');
    expect(result.stderr).toContain('Fix these 2 problems');
  });

  it('YAML syntax error: exit 2', async () => {
    const dir = await projectWith('name: x\nenvironment: { node: 20.20.2\n');
    const result = await runRepro(['-C', dir, 'fetch']);
    expectCleanFailure(result);
    expect(result.stderr).toMatch(/research\.yaml:\d+:\d+: YAML syntax error: /);
  });

  it('a data path escaping the repository: exit 2', async () => {
    const dir = await projectWith(minimalManifest(`data:\n  - path: data/../../x.csv\n    url: https://example.org/a.csv\n    sha256: ${hash}\n`));
    const result = await runRepro(['-C', dir, 'fetch']);
    expectCleanFailure(result);
    expect(result.stderr).toContain('research.yaml:5:11: data[0].path "data/../../x.csv" must stay inside the repository');
  });
});
