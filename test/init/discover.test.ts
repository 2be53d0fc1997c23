// --discover on this machine (--engine local) with the jslab kernel repro ships: what each notebook wrote, where,
// and what changed between its two runs. (The container path is the end-to-end test, test/e2e/init.test.ts.)
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createProgress } from '../../src/cli/progress.ts';
import { applyDiscovery } from '../../src/init/apply-discovery.ts';
import { builtinIndex } from '../../src/init/debian.ts';
import { detectProject } from '../../src/init/detect.ts';
import { discover } from '../../src/init/discover.ts';
import { renderManifest } from '../../src/init/write-yaml.ts';
import { parseManifest } from '../../src/manifest/load.ts';
import { notebook, tree } from './helpers.ts';

const walk = notebook(
  'jslab',
  "const out = process.env.REPRO_OUTPUTS ?? '../results/walk';\nrequire('fs').mkdirSync(out, { recursive: true });",
  "require('fs').writeFileSync(out + '/walk.csv', 'step,position\\n0,0\\n1,1\\n');",
  // A run counter beside the notebook (a write at a path of its own) makes the "timing" differ between runs.
  "const runs = require('fs').existsSync('runs.txt') ? Number(require('fs').readFileSync('runs.txt', 'utf8')) + 1 : 1;\nrequire('fs').writeFileSync('runs.txt', String(runs));\nrequire('fs').writeFileSync(out + '/timing.csv', 'step,ms\\nall,' + runs * 100 + '\\n');",
);
const legacy = notebook('jslab', "const fs = require('fs');\nfs.mkdirSync('../out/legacy', { recursive: true });\nfs.writeFileSync('../out/legacy/table.csv', 'a\\n1\\n');");
const broken = notebook('jslab', 'throw new Error("no data here");');

describe('discover --engine local', () => {
  it('records the files under REPRO_OUTPUTS, the files at paths of its own, a failing notebook, and a rule for what changed', async () => {
    const root = await tree({ 'notebooks/walk.ipynb': walk, 'legacy/legacy.ipynb': legacy, 'broken.ipynb': broken, 'README.md': '# x\n' });
    const detection = await detectProject(root, { debian: builtinIndex });
    const progress = createProgress({ quiet: true });
    const discovery = await discover(root, detection, { engine: 'local', progress });

    expect(discovery.where).toBe('on this machine (--engine local)');
    const [failing, legacySeen, walkSeen] = discovery.notebooks;
    expect(failing).toMatchObject({ notebook: 'broken.ipynb', status: 'failed', failure: 'cell 0: Error: no data here', keptFailed: '.repro/failed/init/broken.ipynb' });
    // The executed notebook outlives the scratch copy: its failing cell holds the error.
    const kept = JSON.parse(await readFile(join(root, '.repro/failed/init/broken.ipynb'), 'utf8')) as { cells: Array<{ outputs?: Array<{ output_type: string; evalue?: string }> }> };
    expect(kept.cells[0].outputs?.find((output) => output.output_type === 'error')?.evalue).toBe('no data here');
    expect(legacySeen).toMatchObject({ notebook: 'legacy/legacy.ipynb', status: 'ok', outputsWritten: [], ownPaths: ['out/legacy/table.csv'], variations: [] });
    expect(walkSeen.failure).toBeUndefined();
    expect(walkSeen).toMatchObject({ notebook: 'notebooks/walk.ipynb', outputs: 'results/walk', status: 'ok', outputsWritten: ['timing.csv', 'walk.csv'], ownPaths: ['notebooks/runs.txt'], onlyOnce: [] });
    expect(walkSeen.variations).toEqual([{ path: 'results/walk/timing.csv', rule: { informational: true }, why: expect.stringContaining('differed between two runs of the notebook') }]);
    // The repository itself is untouched: the runs were in a scratch copy.
    await expect(readFile(join(root, 'notebooks/runs.txt'))).rejects.toThrow();

    const proposal = applyDiscovery(detection.proposal, discovery, detection.files.map((file) => file.path));
    expect(proposal.entrypoints.map((entry) => [entry.notebook, entry.outputs])).toEqual([
      ['broken.ipynb', 'results/broken'],
      ['legacy/legacy.ipynb', 'out/legacy'],
      ['notebooks/walk.ipynb', 'results/walk'],
    ]);
    const text = renderManifest(proposal);
    expect(parseManifest(text, 'research.yaml').manifest.verify).toEqual({ 'results/walk/timing.csv': { informational: true } });
    expect(text).toContain('# TODO: --discover: the notebook failed at cell 0: Error: no data here; the executed notebook is in');
    expect(text.replace(/\n\s*#\s+/g, ' ')).toContain('the executed notebook is in .repro/failed/init/broken.ipynb; fix it');
    expect(text).toContain("e.g. const outputs = process.env.REPRO_OUTPUTS ?? '../out/legacy'");
  });
});
