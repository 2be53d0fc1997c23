import { describe, expect, it } from 'vitest';
import { Lanes8, ROW_BYTES } from './lanes8.ts';
import { mulberry32 } from './random.ts';

describe('Lanes8.multiply', () => {
  it('gives the bits of the JavaScript loop, lane by lane, for empty and long rows', () => {
    const random = mulberry32(5);
    const rows = 40;
    const matrixRows = 30;
    const lengths = Array.from({ length: rows }, (_, k) => (k % 7 === 0 ? 0 : Math.floor(random() * 50)));
    const entries = lengths.reduce((a, b) => a + b, 0);
    const kernel = new Lanes8(
      [(rows + 1) * 4, entries * 4, entries * 8, matrixRows * 64, 64, rows * 64].reduce((sum, bytes) => sum + Lanes8.bytes(bytes), 0),
    );
    const start = kernel.i32(rows + 1);
    const index = kernel.i32(entries);
    const value = kernel.f64(entries);
    const matrix = kernel.f64(matrixRows * 8);
    const init = kernel.f64(8);
    const out = kernel.f64(rows * 8);
    const spread = () => (random() - 0.5) * 10 ** Math.floor(random() * 12 - 6);
    for (let k = 0, e = 0; k < rows; k++) {
      for (let n = 0; n < lengths[k]; n++, e++) {
        index.view[e] = Math.floor(random() * matrixRows) * ROW_BYTES;
        value.view[e] = spread();
      }
      start.view[k + 1] = e;
    }
    for (let m = 0; m < matrix.view.length; m++) matrix.view[m] = spread();
    for (let c = 0; c < 8; c++) init.view[c] = spread();
    kernel.multiply(start.at, index.at, value.at, matrix.at, init.at, out.at, rows);
    const expected = new Float64Array(rows * 8);
    for (let k = 0; k < rows; k++) {
      for (let c = 0; c < 8; c++) {
        let s = init.view[c];
        for (let e = start.view[k]; e < start.view[k + 1]; e++) s += matrix.view[(index.view[e] / ROW_BYTES) * 8 + c] * value.view[e];
        expected[k * 8 + c] = s;
      }
    }
    expect([...out.view]).toEqual([...expected]);
  });

  it('refuses more than its memory', () => {
    const kernel = new Lanes8(64);
    expect(() => kernel.f64(10_000)).toThrow(RangeError);
  });
});
