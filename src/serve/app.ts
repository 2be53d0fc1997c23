// Builds a service: readiness, its routes, the {"success": false, "error": …} answer for every client mistake, and
// one JSON log line per request. No framework: the service has two routes, and under load a framework's routing, hooks
// and reply objects cost more CPU per request than the model itself (with Fastify, echo served 38,000 requests/s with
// a p99 of 5.4–6.3 ms on this repository's 2-core machine). GET and HEAD requests are answered on fast-http.ts's path,
// straight from the connection's bytes; everything else by Node's HTTP server, which takes the connection over.
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { parse as parseQuery } from 'node:querystring';
import type { Predictor } from '../model/load.ts';
import { type FastAnswer, serveFast } from './fast-http.ts';
import { InputError, type Fields, requestFields } from './input.ts';
import { echoAnswer, modelAnswer, type Answer } from './routes.ts';

export type ServiceDefinition =
  | { kind: 'echo'; name: string }
  | { kind: 'model'; name: string; predictor: Predictor; inputs: readonly string[]; batchLimit: number };

export interface LogSink {
  write(line: string): unknown;
}

export interface AppOptions {
  /** Where the request log lines go; process.stdout by default. */
  log?: LogSink;
  /** Largest accepted body in bytes; 1 MiB by default. */
  bodyLimit?: number;
  /** Answer GET and HEAD on the fast path (default); false: Node's HTTP server answers every request. */
  fastPath?: boolean;
}

export const defaultBodyLimit = 1024 * 1024;

export interface RequestLogLine {
  time: string;
  method: string;
  path: string;
  status: number;
  ms: number;
  error?: string;
}

export interface ServiceApp {
  /** The server to listen with (see listen in server.ts); it passes each connection to accept. */
  readonly server: Server;
  /** Serves a connection accepted elsewhere (a cluster's primary deals them to its workers). */
  accept(socket: Socket): void;
  /**
   * Stops accepting connections and closes the idle ones. Requests already on an open connection are still served,
   * with `Connection: close`: they were accepted, so they finish. Resolves when the last connection has closed.
   */
  close(): Promise<void>;
}

/** An answer, and for a 500 the error behind it (it goes to the log, never to the client). */
interface Answered extends FastAnswer {
  error?: string;
}

const jsonType = 'application/json; charset=utf-8';
const routesHelp = 'the service answers GET /health and GET or POST /predict';
const emptyJson = 'the body is empty but Content-Type says application/json; send a JSON object';
/** Keep-alive as long as a load balancer in front would expect (Node's default of 5 s races their 60 s). */
const keepAliveMs = 72_000;

const pathOf = (target: string) => {
  const query = target.indexOf('?');
  // The path only, in the log and in messages: query strings carry the client's data.
  return query === -1 ? target : target.slice(0, query);
};

function failure(error: unknown): Answered {
  if (error instanceof InputError) return { status: error.status, body: JSON.stringify({ success: false, error: error.message }) };
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return { status: 500, body: JSON.stringify({ success: false, error: 'internal error; see the service log' }), error: detail };
}

export function createServiceApp(service: ServiceDefinition, options: AppOptions = {}): ServiceApp {
  const log = options.log ?? process.stdout;
  const bodyLimit = options.bodyLimit ?? defaultBodyLimit;
  const answer: Answer = service.kind === 'echo' ? echoAnswer : modelAnswer(service);
  const health = JSON.stringify({ status: 'ready', service: service.name, success: true });
  let closing = false;
  // Every open connection and how many of its requests are unanswered: at close, the idle ones (0) are closed at
  // once and the others as soon as they are answered. Kept here, not left to Node's server: it never listens, its
  // connections come from accept.
  const open = new Map<Socket, number>();
  let closed: (() => void) | undefined;

  const answerFields = (method: 'GET' | 'POST', fields: () => Fields): Answered => {
    try {
      return { status: 200, body: JSON.stringify(answer(method, fields())) };
    } catch (error) {
      return failure(error);
    }
  };
  /** A request with no body: GET or HEAD, answered from its target alone: `path`, then the query after it, if any. */
  const answerTarget = (method: string, path: string, target: string): Answered => {
    if (path === '/predict') return answerFields('GET', () => requestFields(method, parseQuery(target.slice(path.length + 1)), undefined));
    if (path === '/health') return { status: 200, body: health };
    return notFound(method, path);
  };
  const notFound = (method: string, path: string): Answered => ({ status: 404, body: JSON.stringify({ success: false, error: `no route ${method} ${path}; ${routesHelp}` }) });
  const logged = (method: string, path: string, start: number, answered: Answered): void => {
    log.write(logLine(method, path, answered.status, Math.round((performance.now() - start) * 1000) / 1000, answered.error));
  };

  // Node's server, for the requests the fast path leaves to it.
  const onRequest = (request: IncomingMessage, response: ServerResponse): void => {
    const start = performance.now();
    const socket = request.socket;
    open.set(socket, (open.get(socket) ?? 0) + 1);
    const method = request.method ?? 'GET';
    const url = request.url ?? '/';
    const path = pathOf(url);
    const send = (answered: Answered): void => {
      const headers: Record<string, string | number> = { 'content-type': jsonType, 'content-length': Buffer.byteLength(answered.body) };
      if (closing) headers.connection = 'close';
      response.writeHead(answered.status, headers);
      response.end(answered.body);
      const waiting = open.get(socket);
      if (waiting !== undefined) open.set(socket, waiting - 1);
      logged(method, path, start, answered);
    };
    if (path === '/predict' && method === 'POST') {
      readBody(request, bodyLimit, (error, body) => {
        // The rest of a refused body is not read: the connection closes after the answer.
        if (error && !request.complete) response.shouldKeepAlive = false;
        send(error ? failure(error) : answerFields('POST', () => requestFields(method, undefined, body)));
      });
      return;
    }
    send(method === 'GET' || method === 'HEAD' ? answerTarget(method, path, url) : notFound(method, path));
  };
  const http = createHttpServer({ keepAliveTimeout: keepAliveMs }, onRequest);
  const fast = {
    answer: (method: 'GET' | 'HEAD', target: string) => {
      const start = performance.now();
      const path = pathOf(target);
      const answered = answerTarget(method, path, target);
      logged(method, path, start, answered);
      return answered;
    },
    handOver: (socket: Socket) => void http.emit('connection', socket),
    closing: () => closing,
    keepAliveMs,
  };

  const accept = (socket: Socket): void => {
    open.set(socket, 0);
    socket.once('close', () => {
      open.delete(socket);
      if (open.size === 0) closed?.();
    });
    // Each answer is one write: sent at once, not held back waiting for the client's acknowledgement.
    socket.setNoDelay(true);
    if (options.fastPath === false) http.emit('connection', socket);
    else serveFast(socket, fast);
    // A connection dealt by a primary comes paused (not a byte read before it got here).
    socket.resume();
  };
  const server = createServer(accept);
  return {
    server,
    accept,
    close: () => {
      closing = true;
      const stopped = new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
      const drained = new Promise<void>((resolve) => (open.size === 0 ? resolve() : (closed = resolve)));
      // Idle: nothing more is read from it (a request sent now was never accepted: the client sees the connection
      // close, as when the server closes an idle connection on its own), and what was written to it is still sent.
      for (const [socket, waiting] of open) {
        if (waiting > 0) continue;
        if (socket.writableLength === 0) socket.destroy();
        else {
          socket.pause();
          socket.destroySoon();
        }
      }
      return Promise.all([stopped, drained]).then(() => undefined);
    },
  };
}

// The request log line (a RequestLogLine as JSON), written as text: at tens of thousands of requests a second per
// core, JSON.stringify of an object and a Date per line cost as much as the route. The time's text is made once per
// millisecond; the method and path, which are the client's text, are still escaped by JSON.stringify.
let lastMs = -1;
let lastTime = '';
const knownText = new Map<string, string>(['GET', 'POST', 'HEAD', '/predict', '/health'].map((text) => [text, JSON.stringify(text)]));
const quoted = (text: string) => knownText.get(text) ?? JSON.stringify(text);

export function logLine(method: string, path: string, status: number, ms: number, error?: string): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastTime = new Date(now).toISOString();
  }
  const tail = error === undefined ? '' : `,"error":${JSON.stringify(error)}`;
  return `{"time":"${lastTime}","method":${quoted(method)},"path":${quoted(path)},"status":${status},"ms":${ms}${tail}}\n`;
}

/**
 * A POST body as the routes take it: parsed JSON for application/json, the text for text/plain, undefined when there
 * is none. Anything else, or more than `limit` bytes, is a client mistake (415, 413), refused before it is read.
 */
function readBody(request: IncomingMessage, limit: number, done: (error: InputError | undefined, body?: unknown) => void): void {
  const declared = request.headers['content-length'];
  const hasBody = declared !== undefined ? declared !== '0' : request.headers['transfer-encoding'] !== undefined;
  const type = (request.headers['content-type'] ?? '').split(';', 1)[0].trim().toLowerCase();
  const json = type === 'application/json';
  if (!hasBody) return done(json ? new InputError(emptyJson) : undefined);
  if (!json && type !== 'text/plain') return done(new InputError('unsupported Content-Type; send the body as application/json', 415));
  const tooLarge = () => new InputError(`the body is larger than the limit of ${limit} bytes`, 413);
  if (declared !== undefined && Number(declared) > limit) return done(tooLarge());
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  const finish = (error: InputError | undefined, body?: unknown) => {
    if (finished) return;
    finished = true;
    request.off('data', onData);
    done(error, body);
  };
  const onData = (chunk: Buffer) => {
    size += chunk.length;
    if (size > limit) return finish(tooLarge());
    chunks.push(chunk);
  };
  request.on('data', onData);
  // A client that goes away mid-body gets no answer: there is no one to send it to.
  request.on('error', () => (finished = true));
  request.on('end', () => {
    const text = (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)).toString('utf8');
    if (!json) return finish(undefined, text);
    if (text.trim() === '') return finish(new InputError(emptyJson));
    let body: unknown;
    try {
      // A "__proto__" key becomes an own property, never a prototype; the routes refuse it as an unknown field.
      body = JSON.parse(text);
    } catch (error) {
      return finish(new InputError(`malformed JSON body: ${(error as Error).message}`));
    }
    finish(undefined, body);
  });
}
