// research.yaml's verify masks and cell rules: what loads, and every bad rule named by its YAML path and position.
import { describe, expect, it } from 'vitest';
import { ManifestError } from '../../src/errors.ts';
import { loadManifest } from '../../src/manifest/load.ts';
import { projectWith } from './helpers.ts';

const load = async (verify: string) => loadManifest(await projectWith(`name: x\nverify:\n${verify}`));

async function message(verify: string): Promise<string> {
  const error = await load(verify).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ManifestError);
  expect((error as ManifestError).exitCode).toBe(2);
  return (error as ManifestError).message.replace(/^.*research\.yaml/, 'research.yaml');
}

describe('verify masks and cell rules that load', () => {
  it('reads a mask as a list, and cell rules as written', async () => {
    const { manifest } = await load(
      [
        '  default: { mask: "\\\\d{4}-\\\\d\\\\d-\\\\d\\\\d" }',
        '  "results/timing/*.ipynb":',
        '    cells:',
        "      - { tag: timing, output: stdout, mask: 'took \\d+ms' }",
        "      - { id: sleep, mask: ['Slept \\d+\\[ms\\]', 'ms$'], rtol: 0.1 }",
        '      - { index: 4, output: image/png, ignore: true }',
        '',
      ].join('\n'),
    );
    expect(manifest.verify.default.mask).toEqual(['\\d{4}-\\d\\d-\\d\\d']);
    expect(manifest.verify['results/timing/*.ipynb'].cells).toEqual([
      { tag: 'timing', output: 'stdout', mask: ['took \\d+ms'] },
      { id: 'sleep', mask: ['Slept \\d+\\[ms\\]', 'ms$'], rtol: 0.1 },
      { index: 4, output: 'image/png', ignore: true },
    ]);
  });
});

describe('bad verify masks and cell rules: research.yaml:line:column, the YAML path and the fix', () => {
  const rule = (text: string) => `  "results/*.ipynb":\n    cells:\n      - ${text}\n`;

  it('a cell rule naming two selectors, or none', async () => {
    expect(await message(rule('{ tag: timing, index: 2, mask: took }'))).toBe(
      'research.yaml:5:9: verify["results/*.ipynb"].cells[0] a mapping that names tag and index: a cell rule selects its cell by exactly one of tag, id or index.',
    );
    expect(await message(rule('{ output: stdout, ignore: true }'))).toBe(
      'research.yaml:5:9: verify["results/*.ipynb"].cells[0] a mapping that names no cell: a cell rule selects its cell by exactly one of tag, id or index.',
    );
  });

  it('an invalid regular expression, as a string and in a list, at the pattern', async () => {
    expect(await message("  default: { mask: 'took (\\d+ms' }\n")).toBe(
      'research.yaml:3:20: verify.default.mask "took (\\\\d+ms" is not a regular expression (Unterminated group).',
    );
    expect(await message(rule("{ tag: t, mask: ['took \\d+ms', 'a[b'] }"))).toBe(
      'research.yaml:5:40: verify["results/*.ipynb"].cells[0].mask[1] "a[b" is not a regular expression (Unterminated character class).',
    );
  });

  it('an empty mask, an empty list of masks', async () => {
    expect(await message(rule("{ tag: t, mask: '' }"))).toBe('research.yaml:5:25: verify["results/*.ipynb"].cells[0].mask "" must not be empty (it would mask nothing).');
    expect(await message(rule('{ tag: t, mask: [] }'))).toBe(
      'research.yaml:5:25: verify["results/*.ipynb"].cells[0].mask must have at least 1 item (got an empty list).',
    );
  });

  it('an output that is neither a MIME type nor a stream, a misspelt key, a negative index, cells not a list', async () => {
    expect(await message(rule("{ tag: t, output: 'standard out' }"))).toBe(
      'research.yaml:5:27: verify["results/*.ipynb"].cells[0].output must be a MIME type such as text/plain, or stdout or stderr (got the string "standard out").',
    );
    expect(await message(rule('{ tag: t, ignroe: true }'))).toBe('research.yaml:5:19: verify["results/*.ipynb"].cells[0]: unknown key "ignroe". Did you mean "ignore"?');
    expect(await message(rule('{ index: -1 }'))).toBe('research.yaml:5:18: verify["results/*.ipynb"].cells[0].index must be at least 0 (got the number -1).');
    expect(await message('  "results/*.ipynb":\n    cells: { tag: timing }\n')).toBe('research.yaml:4:12: verify["results/*.ipynb"].cells must be a list (got a mapping).');
  });
});
