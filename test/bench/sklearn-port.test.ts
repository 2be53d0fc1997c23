import { describe, expect, it } from 'vitest';
import { parsePortOutput } from '../../bench/reference/sklearn-port.ts';

const models = { boosted_trees: 1.5, knn_as_published: 0.2, knn_corrected: 0.2, multinomial_logistic: 0.9, cart: 0.3 };
const answer = { processes: 2, frames: 49, wall: 3.4, cpu: 6.8, seconds: models, accuracy: models, versions: { xgboost: '1.7.4' } };

describe('parsePortOutput', () => {
  it('reads the last line of the output as the result', () => {
    const r = parsePortOutput(`some warning\n${JSON.stringify(answer)}\n`);
    expect(r.wall).toBe(3.4);
    expect(r.processes).toBe(2);
    expect(r.seconds.boosted_trees).toBe(1.5);
    expect(r.versions.xgboost).toBe('1.7.4');
  });

  it('says so when the output has no JSON', () => {
    expect(() => parsePortOutput('Traceback (most recent call last):\nValueError: bad')).toThrow(/printed no JSON result.*ValueError: bad/);
    expect(() => parsePortOutput('')).toThrow(/printed no JSON result/);
  });

  it('says which fields are missing or wrong', () => {
    expect(() => parsePortOutput(JSON.stringify({ ...answer, wall: 'fast' }))).toThrow(/lacks fields/);
    expect(() => parsePortOutput(JSON.stringify({ ...answer, seconds: { cart: 1 } }))).toThrow(/lacks fields/);
    expect(() => parsePortOutput(JSON.stringify({ ...answer, cpu: -1 }))).toThrow(/lacks fields/);
  });
});
