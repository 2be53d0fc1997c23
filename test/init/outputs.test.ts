// The outputs folder proposed per notebook: the code's own fallback when safe, else results/<name>.
import { describe, expect, it } from 'vitest';
import type { FoundNotebook } from '../../src/init/notebooks.ts';
import { defaultOutputs, proposeOutputs } from '../../src/init/outputs.ts';

const found = (path: string, fallbackOutputs?: string, readsOutputsVariable = fallbackOutputs !== undefined): FoundNotebook => ({
  path,
  kernel: 'tslab',
  language: 'typescript',
  code: '',
  savedErrors: [],
  readsOutputsVariable,
  fallbackOutputs,
});

describe('proposeOutputs', () => {
  it("takes the notebook's own fallback folder, so that Jupyter and repro write to one place", () => {
    const proposals = proposeOutputs([found('notebooks/a.ipynb', 'results/a'), found('walk.ipynb', 'out/walk')], { paths: ['notebooks/a.ipynb', 'walk.ipynb'] });
    expect(proposals).toEqual([
      { notebook: 'notebooks/a.ipynb', outputs: 'results/a', why: 'where its code writes when REPRO_OUTPUTS is unset' },
      { notebook: 'walk.ipynb', outputs: 'out/walk', why: 'where its code writes when REPRO_OUTPUTS is unset' },
    ]);
  });

  it('proposes results/<notebook name> when the code names no folder, and says why', () => {
    const [withVariable, without] = proposeOutputs([found('nb/x.ipynb', undefined, true), found('nb/My Analysis.ipynb')], { paths: [] });
    expect(withVariable).toMatchObject({ outputs: 'results/x', why: 'results/<notebook name>: its code reads REPRO_OUTPUTS with no fallback folder init could read' });
    expect(without).toMatchObject({ outputs: 'results/My-Analysis', why: 'results/<notebook name>: its code does not read REPRO_OUTPUTS' });
  });

  it('never proposes a folder that holds other files (a run replaces it whole), nor one folder twice', () => {
    const proposals = proposeOutputs(
      [found('notebooks/a.ipynb', 'notebooks'), found('x/b.ipynb', 'shared'), found('y/c.ipynb', 'shared'), found('z/b.ipynb'), found('w/b.ipynb')],
      { paths: ['notebooks/a.ipynb', 'x/b.ipynb', 'y/c.ipynb', 'z/b.ipynb', 'w/b.ipynb', 'results/b-2/keep.txt'] },
    );
    expect(proposals.map((p) => p.outputs)).toEqual(['results/a', 'results/b', 'results/c', 'results/b-3', 'results/b-4']);
    expect(proposals[0].why).toContain('its code falls back to notebooks, which holds other files');
    expect(proposals[1].why).toContain("its code falls back to shared, as another notebook's does");
  });

  it('names the default folder after the notebook', () => {
    expect(defaultOutputs('a/b/Temperature (v2).ipynb')).toBe('results/Temperature-v2');
  });
});
