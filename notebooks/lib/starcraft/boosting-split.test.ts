import { describe, expect, it } from 'vitest';
import { BoostingKernels } from './boosting-kernels.ts';
import { filterLimit, mayBeat, splitGain } from './boosting-split.ts';
import { mulberry32 } from './random.ts';

describe('splitGain', () => {
  const exact = (gl: number, hl: number, g: number, h: number, parent: number, lambda: number) =>
    (gl * gl) / (hl + lambda) + ((g - gl) * (g - gl)) / (h - hl + lambda) - parent;

  it('rules out a candidate only when its exact gain does not beat the best so far', () => {
    const random = mulberry32(5);
    let returned = 0;
    for (let k = 0; k < 20000; k++) {
      const g = random() * 20 - 10;
      const h = 1 + random() * 50;
      const hl = random() * h;
      const gl = random() * 20 - 10;
      const parent = (g * g) / (h + 1);
      const gain = exact(gl, hl, g, h, parent, 1);
      // best at, just below and just above the exact gain: the comparison must come out the same.
      for (const best of [gain, gain * (1 - 1e-15), gain * (1 + 1e-12), 1e-6, Math.abs(gain) * 2 + 1e-6]) {
        if (!(best > 0) || hl < 1 || h - hl < 1) continue;
        const got = splitGain(gl, hl, g, h, parent, 1, 1, best);
        expect(got > best).toBe(gain > best);
        if (got !== -Infinity) { expect(got).toBe(gain); returned++; }
      }
    }
    expect(returned).toBeGreaterThan(0);
  });

  it('returns −∞ when a side is lighter than the minimum child weight', () => {
    expect(splitGain(1, 0.5, 2, 10, 0, 1, 1, 1e-6)).toBe(-Infinity);
    expect(splitGain(1, 9.5, 2, 10, 0, 1, 1, 1e-6)).toBe(-Infinity);
  });
});

describe('mayBeat', () => {
  it('never rules out a box holding a candidate whose gain beats the best', () => {
    const random = mulberry32(11);
    let ruledOut = 0;
    let beaten = 0;
    for (let k = 0; k < 5000; k++) {
      const g = random() * 20 - 10;
      const h = 2 + random() * 50;
      const parent = (g * g) / (h + 1);
      // a box of running sums, as one block of a scan leaves them
      const hMin = random() * h;
      const hMax = Math.min(h, hMin + random() * 4);
      const gMin = random() * 20 - 10;
      const gMax = gMin + random() * 3;
      const gains: number[] = [];
      for (let c = 0; c < 40; c++) {
        const gl = c < 4 ? (c & 1 ? gMax : gMin) : gMin + random() * (gMax - gMin);
        const hl = c < 4 ? (c & 2 ? hMax : hMin) : hMin + random() * (hMax - hMin);
        gains.push(splitGain(gl, hl, g, h, parent, 1, 1, 1e-6));
      }
      const top = Math.max(...gains);
      // the best so far at, just below and well below the box's top gain
      for (const best of [1e-6, top * (1 - 1e-12), top, top * 1.5 + 1e-6]) {
        const may = mayBeat(gMin, gMax, hMin, hMax, g, h, parent, 1, 1, best);
        if (gains.some((gain) => gain > best)) { expect(may).toBe(true); beaten++; }
        if (!may) ruledOut++;
      }
    }
    expect(beaten).toBeGreaterThan(1000);
    expect(ruledOut).toBeGreaterThan(1000);
  });

  it('rules out a box whose every candidate has a side lighter than the minimum child weight', () => {
    expect(mayBeat(-5, 5, 0.1, 0.9, 0, 10, 0, 1, 1, 1e-6)).toBe(false);
    expect(mayBeat(-5, 5, 9.2, 9.9, 0, 10, 0, 1, 1, 1e-6)).toBe(false);
    expect(mayBeat(-5, 5, 0.5, 1.5, 0, 10, 0, 1, 1, 1e-6)).toBe(true);
  });
});

describe('the WebAssembly gain and bound (boosting-kernels.ts)', () => {
  it('give the bits and decisions of splitGain and mayBeat', () => {
    const kernels = new BoostingKernels(10, 2, 10, 3);
    const random = mulberry32(17);
    let exact = 0;
    for (let k = 0; k < 20000; k++) {
      const g = random() * 20 - 10;
      const h = random() * 50;
      const parent = k % 7 === 0 ? -1 : (g * g) / (h + 1);
      const lambda = k % 5 === 0 ? 0 : 1;
      const minChildWeight = k % 3 === 0 ? 0 : 1;
      const gl = random() * 20 - 10;
      const hl = random() * h;
      const gain = splitGain(gl, hl, g, h, parent, lambda, minChildWeight, 1e-6);
      for (const best of [1e-6, -1, 0, gain, gain * (1 - 1e-12), Math.abs(gain) * 2 + 1e-6]) {
        const limit = filterLimit(best, parent);
        const ours = kernels.gainWithin(gl, hl, g, h, parent, lambda, minChildWeight, limit);
        expect(Object.is(ours, splitGain(gl, hl, g, h, parent, lambda, minChildWeight, best))).toBe(true);
        if (ours !== -Infinity) exact++;
        const hMax = Math.min(h, hl + random() * 4);
        const gMax = gl + random() * 3;
        const may = mayBeat(gl, gMax, hl, hMax, g, h, parent, lambda, minChildWeight, best);
        expect(kernels.boxWithin(gl, gMax, hl, hMax, g, h, lambda, minChildWeight, limit)).toBe(may ? 1 : 0);
        // the paired filter: this candidate in lane 0, another in lane 1; a lane passes exactly when the gain is not −∞
        const gl1 = random() * 20 - 10;
        const hl1 = k % 11 === 0 ? hl : random() * h;
        const other = kernels.gainWithin(gl1, hl1, g, h, parent, lambda, minChildWeight, limit);
        expect(kernels.filterPair(gl, hl, gl1, hl1, g, h, lambda, minChildWeight, limit))
          .toBe((ours !== -Infinity ? 1 : 0) | (other !== -Infinity ? 2 : 0));
      }
    }
    expect(exact).toBeGreaterThan(1000);
  });
});

describe('the paired bound of the second pass (boxPair)', () => {
  it('passes every box mayBeat passes, and never rules out a box holding a candidate that beats the best', () => {
    const kernels = new BoostingKernels(10, 2, 10, 3);
    const random = mulberry32(23);
    let ruledOut = 0;
    let beaten = 0;
    for (let k = 0; k < 3000; k++) {
      const g = random() * 20 - 10;
      const h = 2 + random() * 50;
      const lambda = k % 5 === 0 ? 0 : 1;
      const minChildWeight = k % 3 === 0 ? 0 : 1;
      const parent = (g * g) / (h + lambda);
      const boxes = [0, 1].map(() => {
        const hMin = random() * h;
        const hMax = Math.min(h, hMin + random() * 4);
        const gMin = random() * 20 - 10;
        return { gMin, gMax: gMin + random() * 3, hMin, hMax };
      });
      const gains = boxes.map(({ gMin, gMax, hMin, hMax }) => Array.from({ length: 40 }, (_, c) => {
        const gl = c < 4 ? (c & 1 ? gMax : gMin) : gMin + random() * (gMax - gMin);
        const hl = c < 4 ? (c & 2 ? hMax : hMin) : hMin + random() * (hMax - hMin);
        return splitGain(gl, hl, g, h, parent, lambda, minChildWeight, 1e-6);
      }));
      const top = Math.max(...gains.flat());
      for (const best of [1e-6, top * (1 - 1e-12), top, top * 1.5 + 1e-6]) {
        const [a, b] = boxes;
        const bits = kernels.boxPair(
          a.gMin, a.gMax, a.hMin, a.hMax, b.gMin, b.gMax, b.hMin, b.hMax, g, h, lambda, minChildWeight, filterLimit(best, parent),
        );
        boxes.forEach(({ gMin, gMax, hMin, hMax }, lane) => {
          const passed = ((bits >> lane) & 1) === 1;
          if (mayBeat(gMin, gMax, hMin, hMax, g, h, parent, lambda, minChildWeight, best)) expect(passed).toBe(true);
          if (gains[lane].some((gain) => gain > best)) { expect(passed).toBe(true); beaten++; }
          if (!passed) ruledOut++;
        });
      }
    }
    expect(beaten).toBeGreaterThan(1000);
    expect(ruledOut).toBeGreaterThan(1000);
  });
});
