// docs/research-yaml.md stays true to the schema: its examples load, and every key the schema knows is documented.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseManifest } from '../../src/manifest/load.ts';
import { entrypointSchema, environmentSchema, dataEntrySchema, manifestSchema, runSchema, serviceSchema, toleranceSchema } from '../../src/manifest/schema.ts';
import { repoRoot } from './helpers.ts';

const doc = await readFile(path.join(repoRoot, 'docs/research-yaml.md'), 'utf8');

/** The documented keys of one section: the first column of its tables. */
function documentedKeys(section: string): string[] {
  const start = doc.indexOf(`\n## ${section}\n`);
  expect(start, `section ${section}`).toBeGreaterThan(-1);
  const end = doc.indexOf('\n## ', start + 1);
  const text = doc.slice(start, end === -1 ? undefined : end);
  return [...text.matchAll(/^\| `([A-Za-z0-9]+)` \|/gm)].map((m) => m[1]);
}

describe('docs/research-yaml.md', () => {
  it('documents every key of every part of the schema', () => {
    const shape = (schema: z.ZodObject) => Object.keys(schema.shape).sort();
    expect(documentedKeys('Top level').sort()).toEqual(shape(manifestSchema));
    expect(documentedKeys('environment').sort()).toEqual(shape(environmentSchema));
    expect(documentedKeys('data').sort()).toEqual(shape(dataEntrySchema));
    expect(documentedKeys('entrypoints').sort()).toEqual(shape(entrypointSchema));
    expect(documentedKeys('verify').sort()).toEqual(shape(toleranceSchema));
    expect(documentedKeys('run').sort()).toEqual(shape(runSchema));
    const serviceKeys = new Set(serviceSchema.options.flatMap((option) => Object.keys(option.shape)));
    expect(documentedKeys('services').sort()).toEqual([...serviceKeys].sort());
  });

  it('its YAML examples are valid (the complete one, the smallest, and each section\'s)', () => {
    const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    const base = 'name: x\nenvironment: { node: 20.20.2 }\n';
    for (const block of blocks) {
      const text = block.startsWith('name:') ? block : base + block;
      expect(() => parseManifest(text, path.join(repoRoot, 'research.yaml')), text).not.toThrow();
    }
  });
});
