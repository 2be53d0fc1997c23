// Wire format and signing, and the iopub-to-nbformat conversion, without a kernel.
import { describe, expect, it } from 'vitest';
import { errorFromStderr, OutputCollector, overwriteReturns, type Output } from '../../src/kernel/outputs.ts';
import { ProtocolError, Session, Signer, type Message } from '../../src/kernel/protocol.ts';

function frames(session: Session, type: string, content: object, parent?: string): Buffer[] {
  const { frames } = session.request(type, content);
  if (parent === undefined) return frames.map((frame) => Buffer.from(frame));
  // Rewrite the parent header and re-sign, as a kernel replying to `parent` would.
  const parts = frames.slice(2).map(String);
  parts[1] = JSON.stringify({ msg_id: parent });
  return [Buffer.from('<IDS|MSG>'), Buffer.from(new Signer(key).sign(parts)), ...parts.map((p) => Buffer.from(p))];
}
const key = 'secret';

describe('messages', () => {
  it('signs with HMAC-SHA256 and reads back what it signed', () => {
    const session = new Session(key);
    const message = session.parse(frames(session, 'execute_request', { code: '1' }, 'p1'));
    expect(message.header.msg_type).toBe('execute_request');
    expect(message.parent_header.msg_id).toBe('p1');
    expect(message.content).toEqual({ code: '1' });
  });

  it('refuses a message whose signature does not match', () => {
    const received = frames(new Session('other key'), 'status', {});
    expect(() => new Session(key).parse(received)).toThrow(ProtocolError);
  });

  it('skips routing identities before the delimiter', () => {
    const session = new Session(key);
    const message = session.parse([Buffer.from('identity'), ...frames(session, 'stream', { name: 'stdout', text: 'x' })]);
    expect(message.content.text).toBe('x');
  });
});

function message(msg_type: string, content: Record<string, unknown>): Message {
  return { header: { msg_id: 'm', msg_type, session: 's', username: 'u', date: '', version: '5.3' }, parent_header: {}, metadata: {}, content, buffers: [] };
}

describe('outputs', () => {
  it('keeps a carriage-returned line as Jupyter shows and saves it: the last state of a progress bar, whatever the chunks', () => {
    const bar = (percent: number, time: string) => `\r[${'#'.repeat(percent / 10).padEnd(10)}] | ${percent}% Completed | ${time}`;
    const chunks = [`start\n${bar(0, '215.96 us')}`, bar(30, '1.02 s'), `${bar(100, '3.41 s')}\n`, 'done\r\n', 'x\r', 'y\n'];
    const collector = new OutputCollector();
    for (const text of chunks) collector.add(message('stream', { name: 'stdout', text }));
    expect(collector.outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: 'start\n[##########] | 100% Completed | 3.41 s\ndone\ny\n' }]);
    // Fewer or more updates (as the timing allows) leave the same text.
    const fewer = new OutputCollector();
    fewer.add(message('stream', { name: 'stdout', text: `start\n${bar(0, '1 us')}${bar(100, '3.41 s')}\ndone\r\nx\ry\n` }));
    expect(fewer.outputs).toEqual(collector.outputs);
    // The line is what follows its last return, however short (nbformat's rule: no leftovers that depend on the
    // lengths of earlier states), and a return at the end waits for more.
    expect(overwriteReturns('12345\rab')).toBe('ab');
    expect(overwriteReturns('12345\r')).toBe('12345\r');
    expect(overwriteReturns('no return\n')).toBe('no return\n');
    // Backspaces are kept, as the coalescing this follows keeps them (its loop that would remove them never runs).
    expect(overwriteReturns('ab\bc\rxy\b\n')).toBe('xy\b\n');
  });

  it('merges streams by name, keeps order, and honours clear_output(wait)', () => {
    const collector = new OutputCollector();
    collector.add(message('stream', { name: 'stdout', text: 'a' }));
    collector.add(message('stream', { name: 'stdout', text: 'b\n' }));
    collector.add(message('stream', { name: 'stderr', text: 'warn\n' }));
    collector.add(message('stream', { name: 'stdout', text: 'c\n' }));
    expect(collector.outputs.map((o) => (o.output_type === 'stream' ? `${o.name}:${o.text}` : ''))).toEqual(['stdout:ab\n', 'stderr:warn\n', 'stdout:c\n']);
    collector.add(message('clear_output', { wait: true }));
    expect(collector.outputs).toHaveLength(3);
    collector.add(message('execute_result', { execution_count: 4, data: { 'text/plain': '4' }, metadata: {} }));
    expect(collector.outputs).toEqual([{ output_type: 'execute_result', execution_count: 4, data: { 'text/plain': '4' }, metadata: {} }]);
    collector.add(message('clear_output', { wait: false }));
    expect(collector.outputs).toEqual([]);
  });

  it('updates a display by id, also one shown by an earlier cell', () => {
    const displays = new Map<string, Output[]>();
    const first = new OutputCollector(displays);
    first.add(message('display_data', { data: { 'text/plain': 'old' }, metadata: {}, transient: { display_id: 'd1' } }));
    const second = new OutputCollector(displays);
    second.add(message('update_display_data', { data: { 'text/plain': 'new' }, metadata: {}, transient: { display_id: 'd1' } }));
    expect(first.outputs).toEqual([{ output_type: 'display_data', data: { 'text/plain': 'new' }, metadata: {} }]);
    expect(second.outputs).toEqual([]);
  });

  it("turns tslab's printed exception into an error output", () => {
    const chunk = 'evalmachine.<anonymous>:2\nthrow x;\n^\n\nRangeError: too big\n    at evalmachine.<anonymous>:2:7\n    at Script.runInThisContext (node:vm:135:14)\n';
    const outputs: Output[] = [{ output_type: 'stream', name: 'stderr', text: `earlier\n${chunk}` }];
    const error = errorFromStderr(outputs, chunk);
    expect(error).toMatchObject({ ename: 'RangeError', evalue: 'too big' });
    expect(error.traceback).not.toContain('    at Script.runInThisContext (node:vm:135:14)');
    expect(outputs[0]).toEqual({ output_type: 'stream', name: 'stderr', text: 'earlier\n' });
    expect(errorFromStderr([], "1:5 - Type 'number' is not assignable to type 'string'.\n")).toMatchObject({ ename: 'TypeScriptError' });
  });
});
