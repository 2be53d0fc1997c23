// published-r.csv (the reference curve of research.yaml's starcraft-seeds sweep) is PUBLISHED_R, transcribed for
// repro: one row per model with a published column and whole minute, the corrected kNN left out (R ran the leaky one).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MODELS } from './models.ts';
import { PUBLISHED_COLUMN, PUBLISHED_R } from './published.ts';

describe('published-r.csv', () => {
  it('holds PUBLISHED_R under our model names, minutes 0 to 12', async () => {
    const [header, ...rows] = (await readFile(join(import.meta.dirname, 'published-r.csv'), 'utf8')).trimEnd().split('\n');
    expect(header).toBe('model,minutes,accuracy,published_as');
    const expected = MODELS.filter((model) => model !== 'knn_corrected').flatMap((model) =>
      PUBLISHED_R[PUBLISHED_COLUMN[model]].map((accuracy, minute) => [model, String(minute), accuracy, PUBLISHED_COLUMN[model]]),
    );
    expect(rows.map((row) => row.split(',')).map(([model, minutes, accuracy, as]) => [model, minutes, Number(accuracy), as])).toEqual(expected);
    expect(rows).toHaveLength(52);
  });
});
