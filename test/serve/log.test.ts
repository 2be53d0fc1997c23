// The request log's batching: whole lines, never more than one atomic pipe write per batch, nothing lost or held; and
// its socket to `repro serve` (a containerized service's log): whole lines relayed, a slow reader costing dropped lines, counted.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { atomicPipeWrite, connectLogSocket, createBufferedLog } from '../../src/serve/log.ts';
import { startLogRelay } from '../../src/serve/log-relay.ts';

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

describe('the log socket (connectLogSocket → startLogRelay)', () => {
  /** A stream that keeps what is written to it; `hold()` makes it stop taking writes until `release()`. */
  function terminal() {
    const chunks: Buffer[] = [];
    let held: Array<() => void> | undefined;
    const stream = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        if (held) held.push(done);
        else done();
      },
    });
    return {
      stream,
      text: () => Buffer.concat(chunks).toString(),
      hold: () => (held = []),
      release: () => {
        const waiting = held ?? [];
        held = undefined;
        for (const done of waiting) done();
      },
    };
  }

  it('relays whole lines from several connections, each in its order, with none lost or torn; the folder cannot be listed, goes on close', async () => {
    const out = terminal();
    const relay = await startLogRelay(out.stream);
    expect((await stat(relay.dir)).mode & 0o777).toBe(0o711);
    expect((await stat(join(relay.dir, relay.socketName))).mode & 0o777).toBe(0o666);
    expect(relay.socketName).toMatch(/^log-[0-9a-f]{32}\.sock$/);
    const a = await connectLogSocket(join(relay.dir, relay.socketName));
    const b = await connectLogSocket(join(relay.dir, relay.socketName));
    const lines = (who: string) => Array.from({ length: 500 }, (_, i) => JSON.stringify({ who, i }) + '\n');
    // Batches that cut lines anywhere, sent alternately from the two connections.
    const cut = (text: string) => Array.from({ length: Math.ceil(text.length / 777) }, (_, i) => text.slice(i * 777, (i + 1) * 777));
    const [fromA, fromB] = [cut(lines('a').join('')), cut(lines('b').join('') + 'unfinished')];
    for (let i = 0; i < Math.max(fromA.length, fromB.length); i++) {
      if (fromA[i]) a.write(fromA[i]);
      if (fromB[i]) b.write(fromB[i]);
    }
    await Promise.all([a.end(), b.end()]);
    await relay.close();
    const got = out.text().split('\n');
    expect(got.pop()).toBe('');
    expect(got.filter((line) => line.includes('"a"'))).toEqual(lines('a').map((line) => line.trimEnd()));
    expect(got.filter((line) => line.includes('"b"'))).toEqual(lines('b').map((line) => line.trimEnd()));
    expect(got).toContain('unfinished');
    expect(got).toHaveLength(1001);
    expect(relay.lines()).toBe(1001);
    await expect(stat(relay.dir)).rejects.toThrow(/ENOENT/);
  });

  it('a reader that falls behind: lines beyond the queue limit are dropped and counted, never held without bound', async () => {
    const out = terminal();
    const relay = await startLogRelay(out.stream);
    const log = await connectLogSocket(join(relay.dir, relay.socketName), { queueLimit: 64 * 1024 });
    out.hold();
    const total = 40_000;
    for (let i = 0; i < total; i++) log.write(JSON.stringify({ i, pad: 'x'.repeat(80) }) + '\n');
    out.release();
    await new Promise((resolve) => setTimeout(resolve, 300));
    log.write(JSON.stringify({ last: true }) + '\n');
    await log.end();
    await relay.close();
    const got = out.text().trimEnd().split('\n').map((line) => JSON.parse(line) as { i?: number; event?: string; lines?: number; last?: boolean });
    const kept = got.filter((line) => line.i !== undefined).map((line) => line.i as number);
    const notice = got.filter((line) => line.event === 'log-dropped');
    expect(notice).toHaveLength(1);
    expect(notice[0].lines).toBeGreaterThan(0);
    expect(kept.length + (notice[0].lines as number)).toBe(total);
    // What was kept is the first lines, in order; the notice comes before the next line that went through.
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => i));
    expect(got.slice(-2)).toEqual([notice[0], { last: true }]);
  });

  it('connecting to a socket that is not there fails with the path', async () => {
    await expect(connectLogSocket('/nonexistent/log.sock')).rejects.toThrow(/ENOENT.*\/nonexistent\/log\.sock/);
  });
});
