// A verify rule for what differed between two runs: the smallest tolerance verify's comparer passes, else informational.
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { proposeRule } from '../../src/init/variation.ts';
import { parseManifest } from '../../src/manifest/load.ts';

const csv = (rows: string[]) => Buffer.from(rows.join('\n') + '\n');

function png(changed: number): Buffer {
  const image = new PNG({ width: 100, height: 100 });
  image.data.fill(255);
  for (let i = 0; i < changed; i++) image.data[i * 4] = 0;
  return PNG.sync.write(image);
}

describe('proposeRule', () => {
  it('nothing for files the two runs wrote alike', async () => {
    expect(await proposeRule('results/a/x.csv', csv(['a,b', '1,2']), csv(['a,b', '1,2']))).toBeUndefined();
    expect(await proposeRule('results/a/x.bin', Buffer.from([1, 2]), Buffer.from([1, 2]))).toBeUndefined();
  });

  it('a table whose one column moved a little: that column gets the smallest rtol that passes, the others stay exact', async () => {
    const rule = await proposeRule('results/a/x.csv', csv(['model,auc,n', 'knn,0.912345678901,10']), csv(['model,auc,n', 'knn,0.912345678902,10']));
    expect(rule?.rule).toEqual({ columns: { auc: { rtol: 1e-9 } } });
    expect(rule?.why).toMatch(/^differed between two runs of the notebook \(.*auc.*\); the smallest tolerance that passes both$/);
  });

  it('a timing column that moves by half: informational, with the TODO to check it is a timing', async () => {
    const rule = await proposeRule('results/a/timing.csv', csv(['model,ms', 'knn,142.9']), csv(['model,ms', 'knn,212.4']));
    expect(rule?.rule).toEqual({ informational: true });
    expect(rule?.why).toContain('TODO: if it is a timing or a timestamp, keep this; if it is a result, find out why it changes (random numbers drawn with no seed? seed them from REPRO_SEED)');
  });

  it('JSON metrics with a last-digit change get rtol', async () => {
    const rule = await proposeRule('results/a/m.json', Buffer.from('{"loss": 0.123456789}'), Buffer.from('{"loss": 0.1234567891}'));
    expect(rule?.rule).toEqual({ rtol: 1e-9 });
  });

  it('a figure with a few different pixels gets a pixel fraction; anything else binary is informational', async () => {
    expect((await proposeRule('results/a/f.png', png(0), png(5)))?.rule).toEqual({ pixels: 0.001 });
    expect((await proposeRule('results/a/f.png', png(0), png(50)))?.rule).toEqual({ pixels: 0.01 });
    expect((await proposeRule('results/a/model.bin', Buffer.from([1]), Buffer.from([2])))?.rule).toEqual({ informational: true });
  });

  it('every rule it proposes is a valid verify rule', async () => {
    const rules = [
      await proposeRule('results/a/x.csv', csv(['a', '1.0000000001']), csv(['a', '1.0000000002'])),
      await proposeRule('results/a/f.png', png(0), png(5)),
      await proposeRule('results/a/t.txt', Buffer.from('took 3 s'), Buffer.from('took 4 s')),
    ];
    const verify = rules.map((rule, i) => `  "r${i}": ${JSON.stringify(rule?.rule)}`).join('\n');
    expect(() => parseManifest(`name: x\nverify:\n${verify}\n`, 'research.yaml')).not.toThrow();
  });
});
