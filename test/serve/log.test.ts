// The request log's batching: whole lines, never more than one atomic pipe write per batch, nothing lost or held.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { atomicPipeWrite, createBufferedLog } from '../../src/serve/log.ts';

function sink() {
  const writes: string[] = [];
  return { writes, write: (text: string) => writes.push(text) };
}

const line = (i: number) => JSON.stringify({ method: 'GET', path: '/predict', status: 200, i }) + '\n';

describe('createBufferedLog', () => {
  afterEach(() => vi.useRealTimers());

  it('writes full batches of whole lines, each at most 4096 bytes, in order, and loses none', () => {
    const out = sink();
    const log = createBufferedLog(out);
    const lines = Array.from({ length: 1000 }, (_, i) => line(i));
    for (const text of lines) log.write(text);
    log.flush();
    expect(out.writes.length).toBeGreaterThan(10);
    expect(out.writes.length).toBeLessThan(lines.length / 40);
    for (const batch of out.writes) {
      expect(Buffer.byteLength(batch)).toBeLessThanOrEqual(atomicPipeWrite);
      expect(batch.endsWith('\n')).toBe(true);
    }
    expect(out.writes.join('')).toBe(lines.join(''));
  });

  it('writes a lone line after the delay, not before, and a line longer than a batch alone', () => {
    vi.useFakeTimers();
    const out = sink();
    const log = createBufferedLog(out, { delayMs: 50 });
    log.write(line(1));
    vi.advanceTimersByTime(49);
    expect(out.writes).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(out.writes).toEqual([line(1)]);
    const long = JSON.stringify({ error: 'x'.repeat(6000) }) + '\n';
    log.write(line(2));
    log.write(long);
    expect(out.writes).toEqual([line(1), line(2), long]);
  });

  it('flush writes nothing when nothing is buffered', () => {
    const out = sink();
    const log = createBufferedLog(out);
    log.flush();
    log.write(line(3));
    log.flush();
    log.flush();
    expect(out.writes).toEqual([line(3)]);
  });
});
