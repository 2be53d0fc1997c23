import { describe, expect, it } from 'vitest';
import { Lanes8 } from './lanes8.ts';

describe('WasmMemory.release', () => {
  it('hands a released memory to the next kernel of the module, zeroed, with the capacity it asks for', () => {
    const first = new Lanes8(3 * 65536);
    const block = first.f64(1000);
    block.view.fill(7);
    first.release();
    first.release(); // twice is once
    const second = new Lanes8(64);
    expect(second.memory).toBe(first.memory);
    expect(second.f64(1000).view.every((v) => v === 0)).toBe(true);
    expect(() => second.f64(10_000)).toThrow(RangeError); // one page asked for, as a fresh memory would have
    const third = new Lanes8(64); // the released memory is taken: a fresh one
    expect(third.memory).not.toBe(first.memory);
  });

  it('grows a released memory that is too small', () => {
    const small = new Lanes8(64);
    small.release();
    const large = new Lanes8(5 * 65536);
    expect(large.memory).toBe(small.memory);
    expect(large.memory.buffer.byteLength).toBe(5 * 65536);
    expect(large.f64(5 * 8192).view.length).toBe(5 * 8192);
  });
});
