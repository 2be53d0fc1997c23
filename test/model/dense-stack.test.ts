// The dense runtime (WebAssembly SIMD sums) against the JavaScript forward pass it replaced (dense-reference.ts):
// the same bits, on games.h5 and on synthetic stacks whose widths are not multiples of the four SIMD lanes.
import { beforeAll, describe, expect, it } from 'vitest';
import { compileDenseStack } from '../../src/model/dense-stack.ts';
import { readKerasH5 } from '../../src/model/keras-h5.ts';
import { type Activation, activations, type DenseLayer, type SequentialSpec } from '../../src/model/spec.ts';
import { allGameRows, gamesH5 } from './data-files.ts';
import { referenceDenseStack } from './dense-reference.ts';

/** mulberry32: a seeded generator of uniform numbers in [0, 1), so that every failure can be replayed. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A value of the kinds that have tripped float code: zeros of both signs, negatives, tiny and huge magnitudes. */
function awkward(random: () => number): number {
  const pick = random();
  if (pick < 0.15) return 0;
  if (pick < 0.25) return -0;
  const sign = random() < 0.5 ? -1 : 1;
  if (pick < 0.35) return sign * 2 ** (-149 + Math.floor(random() * 30)); // subnormal or near it
  if (pick < 0.45) return sign * 2 ** (20 + Math.floor(random() * 40)); // large; products may overflow to ±Infinity
  if (pick < 0.5) return sign; // ±1, as one-hot features
  return sign * random() * 4;
}

function fill(length: number, value: () => number): Float32Array {
  return Float32Array.from({ length }, value);
}

/** Same bytes; on a difference, names the first element that differs. */
function expectSameBits(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  const a = new Uint8Array(actual.buffer, actual.byteOffset, actual.byteLength);
  const e = new Uint8Array(expected.buffer, expected.byteOffset, expected.byteLength);
  if (Buffer.compare(a, e) === 0) return;
  const index = actual.findIndex((value, i) => !Object.is(value, expected[i]));
  expect({ index, actual: actual[index] }).toEqual({ index, actual: expected[index] });
  expect.fail('same values but different bytes (a NaN of another sign or payload)');
}

function denseLayer(random: () => number, inputs: number, units: number, activation: Activation, bias: boolean, value = () => awkward(random)): DenseLayer {
  return { kind: 'dense', name: `dense_${inputs}_${units}`, inputs, units, activation, kernel: fill(inputs * units, value), bias: bias ? fill(units, value) : undefined };
}

function stack(layers: DenseLayer[]): SequentialSpec {
  return { name: 'synthetic', inputs: layers[0].inputs, outputs: layers[layers.length - 1].units, layers, source: 'synthetic' };
}

describe('compileDenseStack on games.h5', () => {
  let spec: SequentialSpec;
  beforeAll(async () => {
    spec = await readKerasH5(gamesH5);
  });

  it('gives the bits of the JavaScript forward pass for every 0/1 row, in one batch and row by row', () => {
    const x = allGameRows();
    const runtime = compileDenseStack(spec);
    const reference = referenceDenseStack(spec);
    expectSameBits(runtime.predict(x, 1024), reference.predict(x, 1024));
    for (let row = 0; row < 1024; row++) {
      const one = x.subarray(row * 10, (row + 1) * 10);
      expectSameBits(runtime.predict(one, 1), reference.predict(one, 1));
    }
  });

  it.each([1, 2, 3, 4, 5])('gives the same bits for 1000 seeded rows of awkward and ordinary values (seed %i)', (seed) => {
    const random = mulberry32(seed);
    const awkwardRows = fill(1000 * 10, () => awkward(random));
    const ordinaryRows = fill(1000 * 10, () => (random() < 0.3 ? 0 : random() * 2 - 1));
    for (const x of [awkwardRows, ordinaryRows]) {
      expectSameBits(compileDenseStack(spec).predict(x, 1000), referenceDenseStack(spec).predict(x, 1000));
    }
  });

  it('returns a new array each call, not a view of its memory', () => {
    const runtime = compileDenseStack(spec);
    const first = runtime.predict(allGameRows().subarray(0, 10), 1);
    const copy = first.slice();
    runtime.predict(allGameRows().subarray(10, 20), 1);
    expect(first).toEqual(copy);
    expect(first.buffer.byteLength).toBe(4);
  });
});

describe('compileDenseStack on synthetic stacks', () => {
  const widths = [1, 3, 5, 7];

  it.each(activations.map((activation) => [activation]))('gives the same bits with %s on widths 1, 3, 5, 7, with and without bias', (activation) => {
    const random = mulberry32(activations.indexOf(activation) + 100);
    for (const inputs of widths) {
      for (const units of widths) {
        for (const bias of [true, false]) {
          for (const value of [() => awkward(random), () => random() * 2 - 1]) {
            const spec = stack([denseLayer(random, inputs, units, activation, bias, value), denseLayer(random, units, 7, 'relu', bias, value), denseLayer(random, 7, units, activation, bias, value)]);
            const x = fill(50 * inputs, () => awkward(random));
            expectSameBits(compileDenseStack(spec).predict(x, 50), referenceDenseStack(spec).predict(x, 50));
          }
        }
      }
    }
  });

  it('gives the same bits on wider layers, through Dropout, and for a first layer wider than the rest', () => {
    const random = mulberry32(7);
    const first = denseLayer(random, 37, 5, 'tanh', true);
    const layers = [first, { kind: 'dropout' as const, name: 'dropout', rate: 0.5 }, denseLayer(random, 5, 66, 'relu', true), denseLayer(random, 66, 3, 'softmax', true, () => random() - 0.5)];
    const spec: SequentialSpec = { name: 'synthetic', inputs: 37, outputs: 3, layers, source: 'synthetic' };
    const x = fill(200 * 37, () => awkward(random));
    expectSameBits(compileDenseStack(spec).predict(x, 200), referenceDenseStack(spec).predict(x, 200));
  });

  it('skips inputs of 0 and -0 alike, as the JavaScript did: a -0 input with an infinite weight adds nothing', () => {
    const layer: DenseLayer = { kind: 'dense', name: 'd', inputs: 3, units: 5, activation: 'linear', kernel: fill(15, () => Infinity), bias: fill(5, () => -0) };
    const spec = stack([layer]);
    const x = Float32Array.of(0, -0, 0, -0, 0, 0);
    const y = compileDenseStack(spec).predict(x, 2);
    expectSameBits(y, referenceDenseStack(spec).predict(x, 2));
    expect([...y].every((value) => Object.is(value, 0))).toBe(true);
  });
});
