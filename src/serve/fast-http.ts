// The service's hot path: GET and HEAD requests with no body (the ones a client sends for one prediction, and that a
// load test sends) answered straight from the connection's bytes. Anything else on the connection (a POST, a body,
// Transfer-Encoding, Expect, Upgrade, HTTP/1.0, a malformed or oversized head, an answer this path does not give)
// hands the connection, from that request on, to Node's HTTP server, which parses and answers it in full: this path
// only takes requests it can read without doubt, and never guesses at the others.
//
// Why: under wrk -t2 -c32 on this repository's 2-core machine, Node's HTTP server alone answered 48,000–56,000
// requests/s with a p99 of 4.1–6.7 ms; the same answers written from the bytes, 74,000–87,000/s and 3.6–3.9 ms.
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';

/** An answer to a request with no body. */
export interface FastAnswer {
  status: number;
  body: string;
}

export interface FastOptions {
  /** Answers a GET or HEAD to `target` (path and query, as sent); undefined leaves it to the full server. */
  answer(method: 'GET' | 'HEAD', target: string): FastAnswer | undefined;
  /** Takes the connection over, with the bytes not yet answered put back in front of it. */
  handOver(socket: Socket): void;
  /** True once the service is closing: each answer then closes its connection. */
  closing(): boolean;
  /** An idle connection is closed after this long, as Node's server does (its keepAliveTimeout). */
  keepAliveMs: number;
}

/** Node's own limit on a request's head (--max-http-header-size): a longer one is the full server's to refuse. */
const maxHead = 16 * 1024;
/** RFC 9110's token (a header name) and the characters of a request target and of a field value. */
const token = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const target = /^\/[\x21-\x7e]*$/;
const fieldValue = /^[\t\x20-\x7e\x80-\xff]*$/;
const closeToken = /(?:^|,)[ \t]*close[ \t]*(?:,|$)/i;

interface Head {
  method: 'GET' | 'HEAD';
  target: string;
  close: boolean;
}

/**
 * Reads one request head (the text before its blank line, read as latin1 so that one byte is one character).
 * Undefined: not a request this path takes (see the top of this file).
 */
export function readHead(head: string): Head | undefined {
  const lineEnd = head.indexOf('\r\n');
  const line = lineEnd === -1 ? head : head.slice(0, lineEnd);
  const first = line.indexOf(' ');
  const method = line.slice(0, first);
  if (method !== 'GET' && method !== 'HEAD') return undefined;
  const second = line.indexOf(' ', first + 1);
  if (second === -1 || line.slice(second + 1) !== 'HTTP/1.1') return undefined;
  const path = line.slice(first + 1, second);
  if (!target.test(path)) return undefined;
  let close = false;
  let host = false;
  for (let at = lineEnd; at !== -1; ) {
    const next = head.indexOf('\r\n', at + 2);
    const field = head.slice(at + 2, next === -1 ? head.length : next);
    at = next;
    const colon = field.indexOf(':');
    if (colon <= 0) return undefined;
    const name = field.slice(0, colon);
    const value = field.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '');
    if (!token.test(name) || !fieldValue.test(value)) return undefined;
    switch (name.toLowerCase()) {
      case 'content-length':
        if (value !== '0') return undefined;
        break;
      case 'transfer-encoding':
      case 'expect':
      case 'upgrade':
        return undefined;
      case 'connection':
        if (/upgrade/i.test(value)) return undefined;
        close ||= closeToken.test(value);
        break;
      case 'host':
        if (host) return undefined;
        host = true;
        break;
    }
  }
  // HTTP/1.1 requires exactly one Host: without it, the request is the full server's to judge.
  return host ? { method, target: path, close } : undefined;
}

// Node's Date header, made once a second as Node makes it.
let dateSecond = -1;
let dateText = '';
function date(): string {
  const second = Math.floor(Date.now() / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(second * 1000).toUTCString();
  }
  return dateText;
}

/** The response as Node's server writes it for the same answer: the same status line, headers and body. */
export function responseText(answer: FastAnswer, head: boolean, close: boolean, keepAliveMs: number): string {
  const connection = close ? 'Connection: close\r\n' : `Connection: keep-alive\r\nKeep-Alive: timeout=${Math.floor(keepAliveMs / 1000)}\r\n`;
  return (
    `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? 'Unknown'}\r\n` +
    `content-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(answer.body)}\r\n` +
    `Date: ${date()}\r\n${connection}\r\n${head ? '' : answer.body}`
  );
}

/** Serves `socket` on the fast path until a request it does not take; then hands it over. */
export function serveFast(socket: Socket, options: FastOptions): void {
  let pending: Buffer | undefined;
  const idle = () => socket.destroy();
  socket.setTimeout(options.keepAliveMs, idle);
  // A client that resets its connection (wrk and autocannon do, when they stop) only ends that connection.
  const lost = () => socket.destroy();
  socket.on('error', lost);
  const handOver = (rest: Buffer) => {
    socket.off('data', onData);
    socket.off('error', lost); // Node's server has its own
    socket.setTimeout(0, idle);
    if (rest.length > 0) socket.unshift(rest);
    options.handOver(socket);
  };
  const onData = (chunk: Buffer) => {
    const data = pending ? Buffer.concat([pending, chunk]) : chunk;
    pending = undefined;
    let out = '';
    let at = 0;
    let close = false;
    while (at < data.length && !close) {
      const end = data.indexOf('\r\n\r\n', at, 'latin1');
      if (end === -1) {
        if (data.length - at > maxHead) break;
        pending = data.subarray(at);
        at = data.length;
        break;
      }
      const head = end - at <= maxHead ? readHead(data.toString('latin1', at, end)) : undefined;
      const answer = head && options.answer(head.method, head.target);
      if (!head || !answer) break;
      close = head.close || options.closing();
      out += responseText(answer, head.method === 'HEAD', close, options.keepAliveMs);
      at = end + 4;
    }
    // Answers go out in one write, in the order asked, before any the full server gives on this connection.
    if (out !== '' && !socket.write(out)) {
      socket.pause();
      socket.once('drain', () => socket.resume());
    }
    if (close) {
      socket.off('data', onData);
      socket.destroySoon();
    } else if (at < data.length) {
      handOver(data.subarray(at));
    }
  };
  socket.on('data', onData);
}
