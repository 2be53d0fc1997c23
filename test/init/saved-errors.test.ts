// Errors a notebook was saved with, and a --discover run failing with the same one: a TODO naming the cell and the
// error, suggesting the raises-exception tag or allowErrors; init never sets either itself.
import { cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyDiscovery } from '../../src/init/apply-discovery.ts';
import { builtinIndex } from '../../src/init/debian.ts';
import { detectProject } from '../../src/init/detect.ts';
import type { Discovery } from '../../src/init/discover.ts';
import { listRepoFiles } from '../../src/init/files.ts';
import { surveyNotebooks } from '../../src/init/notebooks.ts';
import { renderManifest } from '../../src/init/write-yaml.ts';
import { parseManifest } from '../../src/manifest/load.ts';
import { repoRoot } from '../manifest/helpers.ts';
import { tree } from './helpers.ts';

const fixture = join(repoRoot, 'test', 'fixtures', 'init', 'saved-error');
const todo =
  'cell 2 raises ZeroDivisionError (division by zero): its saved outputs show it, and repro run stops at an error. If the error is intended, ' +
  'tag the cell `raises-exception` (the run keeps the error and goes on); if errors are part of this notebook, set `allowErrors: true` on this ' +
  'entrypoint; otherwise fix the cell';

async function sample(): Promise<string> {
  const root = await tree({});
  await cp(fixture, root, { recursive: true });
  return root;
}

/** A copy of the notebook with its cells edited. */
function withCell(bytes: Buffer, edit: (cells: Array<{ metadata: { tags?: string[] } }>) => void): string {
  const notebook = JSON.parse(bytes.toString('utf8')) as { cells: Array<{ metadata: { tags?: string[] } }> };
  edit(notebook.cells);
  return JSON.stringify(notebook);
}

describe('saved errors', () => {
  it('a real notebook saved with a ZeroDivisionError in cell 2: listed with its cell, name and first line', async () => {
    const root = await sample();
    const survey = await surveyNotebooks(root, (await listRepoFiles(root)).files);
    expect(survey.notebooks[0].savedErrors).toEqual([{ cell: 2, ename: 'ZeroDivisionError', evalue: 'division by zero' }]);
  });

  it('a cell tagged raises-exception is not listed: its error is intended', async () => {
    const bytes = await readFile(join(fixture, 'notebooks', 'divide.ipynb'));
    const root = await tree({ 'divide.ipynb': withCell(bytes, (cells) => (cells[2].metadata.tags = ['raises-exception'])) });
    const survey = await surveyNotebooks(root, (await listRepoFiles(root)).files);
    expect(survey.notebooks[0].savedErrors).toEqual([]);
  });

  it('init writes the TODO beside the entrypoint and sets no allowErrors; the file loads', async () => {
    const { proposal } = await detectProject(await sample(), { debian: builtinIndex });
    expect(proposal.entrypoints[0].todo).toContain(todo);
    const text = renderManifest(proposal);
    expect(text).toContain('    # TODO: cell 2 raises ZeroDivisionError (division by zero): its saved outputs show it, and repro run stops at an\n');
    expect(parseManifest(text, 'research.yaml').manifest.entrypoints[0].allowErrors).toBeUndefined();
  });

  it('--discover failing at that cell with that error: one TODO says both, instead of "fix it"', async () => {
    const { proposal } = await detectProject(await sample(), { debian: builtinIndex });
    const failedWith = (failedCell: number, failedError: string): Discovery => ({
      where: 'in the container (repro/x:1)',
      droppedApt: [],
      notebooks: [{ notebook: 'notebooks/divide.ipynb', outputs: proposal.entrypoints[0].outputs, status: 'failed', failure: `cell ${failedCell}: ${failedError}: division by zero`, failedCell, failedError, outputsWritten: [], ownPaths: [], deleted: [], variations: [], onlyOnce: [] }],
    });
    const same = applyDiscovery(proposal, failedWith(2, 'ZeroDivisionError'), ['notebooks/divide.ipynb']).entrypoints[0].todo;
    expect(same.filter((line) => line.includes('ZeroDivisionError'))).toEqual([
      '--discover: ' + todo.replace('its saved outputs show it', 'the --discover run failed there with it, as its saved outputs show it') + ' (what it writes after that cell is not known yet)',
    ]);
    const other = applyDiscovery(proposal, failedWith(1, 'NameError'), ['notebooks/divide.ipynb']).entrypoints[0].todo;
    expect(other).toContain(todo);
    expect(other).toContain('--discover: the notebook failed at cell 1: NameError: division by zero; fix it and run `repro init --discover --force` again (what it writes is not known yet)');
  });
});
