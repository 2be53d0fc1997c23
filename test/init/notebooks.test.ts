// Notebooks, their kernels, and the outputs folder their code falls back to outside repro.
import { describe, expect, it } from 'vitest';
import { listRepoFiles } from '../../src/init/files.ts';
import { fallbackOutputs, surveyNotebooks } from '../../src/init/notebooks.ts';
import { notebook, tree } from './helpers.ts';

describe('surveyNotebooks', () => {
  it('reads each notebook kernel from metadata.kernelspec, as repro run chooses it, and keeps the code cells', async () => {
    const root = await tree({
      'notebooks/a.ipynb': notebook('tslab', "const out = process.env.REPRO_OUTPUTS ?? '../results/a';"),
      'b.ipynb': notebook('python3', 'import pandas as pd', 'x = 1'),
      'r/c.ipynb': notebook('ir', 'library(ggplot2)'),
      'conda.ipynb': notebook({ kernelspec: { name: 'conda-env-x-py', display_name: 'x', language: 'python' } }, 'print(1)'),
    });
    const survey = await surveyNotebooks(root, (await listRepoFiles(root)).files);
    expect(survey.unusable).toEqual([]);
    expect(survey.notebooks.map((nb) => [nb.path, nb.kernel, nb.language, nb.readsOutputsVariable, nb.fallbackOutputs])).toEqual([
      ['b.ipynb', 'python3', 'python', false, undefined],
      ['conda.ipynb', 'python3', 'python', false, undefined],
      ['notebooks/a.ipynb', 'tslab', 'typescript', true, 'results/a'],
      ['r/c.ipynb', 'ir', 'R', false, undefined],
    ]);
    expect(survey.notebooks[0].code).toBe('import pandas as pd\n\nx = 1');
  });

  it('lists notebooks repro cannot run, with the reason and the fix, and goes on', async () => {
    const root = await tree({
      'julia.ipynb': notebook({ kernelspec: { name: 'julia-1.9', display_name: 'Julia', language: 'julia' } }, 'x = 1'),
      'broken.ipynb': '{ not json',
      'ok.ipynb': notebook('jslab', 'let x = 1;'),
    });
    const survey = await surveyNotebooks(root, (await listRepoFiles(root)).files);
    expect(survey.notebooks.map((nb) => nb.path)).toEqual(['ok.ipynb']);
    expect(survey.unusable.map((item) => item.path)).toEqual(['broken.ipynb', 'julia.ipynb']);
    expect(survey.unusable[0].reason).toMatch(/^not valid JSON: .*A \.ipynb file is JSON/);
    expect(survey.unusable[1].reason).toMatch(/^names the kernel "julia-1.9" \(language julia\), and repro runs only tslab, jslab, python3, ir\. Open it in Jupyter/);
  });
});

describe('fallbackOutputs', () => {
  it.each([
    ['python', 'outputs = os.environ.get("REPRO_OUTPUTS", "../results/temperature")', 'notebooks/t.ipynb', 'results/temperature'],
    ['python getenv or', "out = os.getenv('REPRO_OUTPUTS') or 'out/t'", 't.ipynb', 'out/t'],
    ['R', 'outputs <- Sys.getenv("REPRO_OUTPUTS", "../results/toothgrowth")', 'notebooks/t.ipynb', 'results/toothgrowth'],
    ['R unset =', "o <- Sys.getenv('REPRO_OUTPUTS', unset = 'figures')", 'analysis/t.ipynb', 'analysis/figures'],
    ['TypeScript ??', "const outputs = process.env.REPRO_OUTPUTS ?? '../results/analysis';", 'notebooks/a.ipynb', 'results/analysis'],
    ['JavaScript ||', 'const out = process.env["REPRO_OUTPUTS"] || "results/walk";', 'walk.ipynb', 'results/walk'],
    ['repro/notebook', "const out = outputsDir('../results/x/');", 'nb/x.ipynb', 'results/x'],
  ])('%s', (_, code, path, expected) => {
    expect(fallbackOutputs(code, path)).toBe(expected);
  });

  it.each([
    ['no fallback', 'open(os.path.join(os.environ["REPRO_OUTPUTS"], "values.csv"), "w")'],
    ['R with no default', 'file.path(Sys.getenv("REPRO_OUTPUTS"), "values.csv")'],
    ['outside the repository', 'os.environ.get("REPRO_OUTPUTS", "../../elsewhere")'],
    ['absolute', 'os.environ.get("REPRO_OUTPUTS", "/tmp/out")'],
    ['the project folder itself', "process.env.REPRO_OUTPUTS ?? '..'"],
    ['a template', 'process.env.REPRO_OUTPUTS ?? `../results/${name}`'],
  ])('none for %s', (_, code) => {
    expect(fallbackOutputs(code, 'notebooks/x.ipynb')).toBeUndefined();
  });
});
