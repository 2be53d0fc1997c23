// The fast path (GET and HEAD answered from the connection's bytes) against Node's own HTTP server: the same bytes out
// for the same requests, and every request it does not take handed over whole, mid-connection included.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServiceApp, type ServiceApp } from '../../src/serve/app.ts';
import { readHead } from '../../src/serve/fast-http.ts';
import { listen } from '../../src/serve/server.ts';

/** Sends `parts` (one write each, in turn) and resolves with everything the server sent until it closed. */
function exchange(url: string, parts: Array<string | Buffer>): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    const send = (i: number) => {
      if (i === parts.length) return;
      socket.write(parts[i], () => setImmediate(() => send(i + 1)));
    };
    socket.on('connect', () => send(0));
  });
}

/** Responses without their Date header (the one part that differs between two runs a second apart). */
const undated = (text: string) => text.replace(/\r\nDate: [^\r]+/g, '');

describe('readHead', () => {
  const host = '\r\nHost: 127.0.0.1';
  it.each([
    ['GET /predict?msg=Hi HTTP/1.1' + host, { method: 'GET', target: '/predict?msg=Hi', close: false }],
    ['HEAD /health HTTP/1.1' + host + '\r\nAccept: */*', { method: 'HEAD', target: '/health', close: false }],
    ['GET / HTTP/1.1' + host + '\r\nConnection: keep-alive, Close', { method: 'GET', target: '/', close: true }],
    ['GET / HTTP/1.1' + host + '\r\nContent-Length: 0\r\nX-Empty:', { method: 'GET', target: '/', close: false }],
  ])('takes %j', (head, expected) => {
    expect(readHead(head)).toEqual(expected);
  });

  it.each([
    ['POST /predict HTTP/1.1' + host, 'a method with a body'],
    ['GET / HTTP/1.0' + host, 'HTTP/1.0'],
    ['GET / HTTP/1.1', 'no Host'],
    ['GET / HTTP/1.1' + host + host, 'two Hosts'],
    ['GET / HTTP/1.1' + host + '\r\nContent-Length: 5', 'a body'],
    ['GET / HTTP/1.1' + host + '\r\nContent-Length: 0, 0', 'a list for a length'],
    ['GET / HTTP/1.1' + host + '\r\nTransfer-Encoding: chunked', 'Transfer-Encoding'],
    ['GET / HTTP/1.1' + host + '\r\nExpect: 100-continue', 'Expect'],
    ['GET / HTTP/1.1' + host + '\r\nUpgrade: websocket\r\nConnection: Upgrade', 'Upgrade'],
    ['GET / HTTP/1.1' + host + '\r\nX-Folded: a\r\n b', 'a folded line'],
    ['GET / HTTP/1.1' + host + '\r\nNo colon here', 'a line with no colon'],
    ['GET / HTTP/1.1' + host + '\r\nBad Name: x', 'a name that is not a token'],
    ['GET / HTTP/1.1' + host + '\r\nX-Nul: a\u0000b', 'a control character in a value'],
    ['GET http://example.org/ HTTP/1.1' + host, 'an absolute target'],
    ['GET /a b HTTP/1.1' + host, 'a space in the target'],
    ['\r\nGET / HTTP/1.1' + host, 'a blank line first'],
  ])('leaves %j to Node (%s)', (head) => {
    expect(readHead(head)).toBeUndefined();
  });
});

describe('the fast path beside Node\'s server', () => {
  const lines: string[] = [];
  let fast: ServiceApp;
  let node: ServiceApp;
  let fastUrl: string;
  let nodeUrl: string;
  beforeAll(async () => {
    fast = createServiceApp({ kind: 'echo', name: 'echo' }, { log: { write: (line: string) => lines.push(line) } });
    node = createServiceApp({ kind: 'echo', name: 'echo' }, { log: { write: () => true }, fastPath: false });
    fastUrl = await listen(fast, { host: '127.0.0.1', port: 0 });
    nodeUrl = await listen(node, { host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await fast.close();
    await node.close();
  });

  const get = (target: string, extra = '') => `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1${extra}\r\n\r\n`;
  it.each([
    ['one GET, then close', [get('/predict?msg=Hi', '\r\nConnection: close')]],
    ['two pipelined, the second closing', [get('/predict?msg=a') + get('/predict?msg=%C3%A9t%C3%A9', '\r\nConnection: close')]],
    ['HEAD', [`HEAD /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`]],
    ['a 400 and a 404', [get('/predict?msg=a&msg=b') + get('/nowhere?secret=1', '\r\nConnection: close')]],
    ['a request cut into many writes', [...get('/predict?msg=slow', '\r\nConnection: close')].map((char) => char)],
    [
      'a POST between GETs (handed over mid-connection, and the GET after it answered by Node)',
      [get('/predict?msg=first') + 'POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{"msg":"two"}' + get('/predict?msg=third', '\r\nConnection: close')],
    ],
    ['a malformed head', ['GET /x HTTP/1.1\r\nHost x\r\n\r\n']],
    ['a head over 16 KiB', [`GET /predict?msg=x HTTP/1.1\r\nHost: x\r\nX-Long: ${'a'.repeat(17 * 1024)}\r\n\r\n`]],
  ])('%s: the same bytes as Node\'s server', async (_label, parts) => {
    const fromFast = await exchange(fastUrl, parts);
    const fromNode = await exchange(nodeUrl, parts);
    expect(fromFast).toMatch(/^HTTP\/1\.1 /);
    expect(undated(fromFast)).toBe(undated(fromNode));
  });

  it('a malformed head after a good one: the good one answered, then Node\'s 400, and the connection closed', async () => {
    const text = await exchange(fastUrl, [get('/predict?msg=ok') + 'GET /x HTTP/1.1\r\nHost x\r\n\r\n']);
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\n\{"response":"ok","success":true\}HTTP\/1\.1 400 Bad Request\r\nConnection: close\r\n\r\n$/);
  });

  it('answers in order, and logs each request once, path only', async () => {
    lines.length = 0;
    const text = await exchange(fastUrl, [get('/predict?msg=1') + get('/health') + get('/predict?msg=3', '\r\nConnection: close')]);
    expect([...text.matchAll(/\r\n\r\n(\{[^}]*\})/g)].map((match) => match[1])).toEqual([
      '{"response":"1","success":true}',
      '{"status":"ready","service":"echo","success":true}',
      '{"response":"3","success":true}',
    ]);
    expect(lines.map((line) => (JSON.parse(line) as { path: string }).path)).toEqual(['/predict', '/health', '/predict']);
    expect(lines.join('')).not.toContain('msg=');
  });

  it('a client that resets its connection ends that connection only: the service answers the next one', async () => {
    const { port } = new URL(fastUrl);
    for (const when of ['after an answer', 'mid-request']) {
      const socket = connect(Number(port), '127.0.0.1');
      await new Promise<void>((resolve) => socket.on('connect', () => resolve()));
      if (when === 'after an answer') {
        const answered = new Promise<void>((resolve) => socket.once('data', () => resolve()));
        socket.write(get('/predict?msg=a'));
        await answered;
      } else {
        socket.write('GET /predict?msg=a HTTP/1.1\r\nHo');
      }
      const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
      socket.resetAndDestroy();
      await closed;
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await exchange(fastUrl, [get('/predict?msg=next', '\r\nConnection: close')])).toContain('{"response":"next","success":true}');
    }
  });

  it('keeps an idle connection open until close(), which then closes it and resolves', async () => {
    const app = createServiceApp({ kind: 'echo', name: 'echo' }, { log: { write: () => true } });
    const url = await listen(app, { host: '127.0.0.1', port: 0 });
    const { port } = new URL(url);
    const socket = connect(Number(port), '127.0.0.1');
    const received: string[] = [];
    const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    const answered = new Promise<void>((resolve) => socket.once('data', (chunk: Buffer) => (received.push(chunk.toString()), resolve())));
    socket.write(get('/predict?msg=kept'));
    await answered;
    expect(received[0]).toContain('Connection: keep-alive');
    await app.close();
    await ended;
    expect(socket.destroyed).toBe(true);
  });
});
