// The pure parts of kernel liveness: counting ipykernel's message numbers, reading a process's state, Node's
// out-of-memory line, the notes for lost output, tslab frames left alone when they cannot be matched, run ids.
import { describe, expect, it } from 'vitest';
import { heartbeatIsThreaded, processState } from '../../src/kernel/liveness.ts';
import { MessageCount } from '../../src/kernel/message-count.ts';
import { heapExhausted, lostOutputNote } from '../../src/kernel/outputs.ts';
import { cellTraceback } from '../../src/kernel/tslab-lines.ts';
import { defaultFailedDir } from '../../src/run/types.ts';

describe('MessageCount', () => {
  it('counts the numbers never seen up to a message, once, after the baseline', () => {
    const count = new MessageCount();
    count.see('abc-1_77_0');
    count.see('abc-1_77_1');
    count.baseline();
    for (const n of [2, 3, 5, 8]) count.see(`abc-1_77_${n}`);
    expect(count.missingUpTo('abc-1_77_5')).toBe(1); // 4
    expect(count.missingUpTo('abc-1_77_8')).toBe(2); // 6, 7
    expect(count.missingUpTo('abc-1_77_8')).toBe(0);
  });

  it('counts nothing for kernels with random ids (tslab, IRkernel)', () => {
    const count = new MessageCount();
    count.see('3f2a9c0d1e');
    count.see('cb2ee1c6-f918-4ebe-95bb-0dcb4424466f');
    count.baseline();
    expect(count.missingUpTo('cb2ee1c6-f918-4ebe-95bb-0dcb44244670')).toBe(0);
  });
});

describe('process state and heartbeat kinds', () => {
  it('reads this process as running or sleeping, and nothing for a pid that does not exist', () => {
    expect(['R', 'S']).toContain(processState(process.pid));
    expect(processState(2 ** 22 + 1)).toBeUndefined();
  });

  it('takes only ipykernel\'s heartbeat as threaded', () => {
    expect(heartbeatIsThreaded({ implementation: 'ipython' })).toBe(true);
    expect(heartbeatIsThreaded({ implementation: 'tslab' })).toBe(false);
    expect(heartbeatIsThreaded({ implementation: 'IRkernel' })).toBe(false);
  });
});

describe('notes and reports', () => {
  it('finds Node\'s fatal line among the native frames', () => {
    const tail = '<--- JS stacktrace --->\n\nFATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\n 1: 0xb8d0a3 node::Abort() [node]\n';
    expect(heapExhausted(tail)).toBe('FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory');
    expect(heapExhausted('Segmentation fault\n')).toBeUndefined();
  });

  it('says how many messages were dropped, or that idle never came', () => {
    expect(lostOutputNote({ dropped: 12 })).toBe("repro: output is missing here: 12 of the kernel's messages for this cell were dropped on the way; its output queue overflowed\n");
    expect(lostOutputNote({ graceMs: 3000 })).toContain('(nothing for 3.0 s after its reply)');
  });
});

describe('cellTraceback', () => {
  it('leaves frames alone when what tslab printed does not match the cell compiled here', () => {
    const lines = ['evalmachine.<anonymous>:40', '    somethingElse();', '    ^', '', 'Error: x', '    at evalmachine.<anonymous>:40:5', '    at evalmachine.<anonymous>:99:3'];
    expect(cellTraceback(lines, 'const a = 1;\nthrow new Error("x");', false)).toEqual(lines);
  });

  it('leaves a traceback without tslab frames alone', () => {
    const lines = ['3:7 - Cannot find name \'y\'.'];
    expect(cellTraceback(lines, 'const x = 1;\n\ny;', false)).toBe(lines);
  });
});

describe('defaultFailedDir', () => {
  it('gives each run a folder of its own under .repro/failed', () => {
    const now = new Date('2026-01-02T03:04:05.678Z');
    const a = defaultFailedDir('/p', now);
    const b = defaultFailedDir('/p', now);
    expect(a).toMatch(new RegExp(`^/p/\\.repro/failed/20260102T030405Z-${process.pid}-[0-9a-f]{6}$`));
    expect(a).not.toBe(b);
  });
});
