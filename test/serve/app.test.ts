// The echo and games services in-process, over HTTP on a free port: every documented request, and every bad input
// answered with a 4xx {"success": false} naming the field, never a 200 and never a crash.
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServiceApp, logLine, type AppOptions, type RequestLogLine, type ServiceApp, type ServiceDefinition } from '../../src/serve/app.ts';
import { loadService } from '../../src/serve/config.ts';
import { listen } from '../../src/serve/server.ts';
import { gamesH5 } from '../model/data-files.ts';

const inputs = ['g1', 'g2', 'g3', 'g4', 'g5', 'g6', 'g7', 'g8', 'g9', 'g10'];
const g1Only = Object.fromEntries(inputs.map((name, i) => [name, i === 0 ? 1 : 0]));
const g1OnlyQuery = inputs.map((name, i) => `${name}=${i === 0 ? 1 : 0}`).join('&');

interface Sent {
  method: string;
  url: string;
  /** An object goes as JSON (application/json); a string as given, with `headers`' Content-Type. */
  payload?: string | object;
  headers?: Record<string, string>;
}

interface Answered {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json(): unknown;
}

/** A running service and a way to send it one request on a fresh connection. */
interface Running {
  app: ServiceApp;
  send(sent: Sent): Promise<Answered>;
}

async function start(service: ServiceDefinition, options: AppOptions): Promise<Running> {
  const app = createServiceApp(service, options);
  const base = await listen(app, { host: '127.0.0.1', port: 0 });
  const send = ({ method, url, payload, headers = {} }: Sent) =>
    new Promise<Answered>((resolve, reject) => {
      const body = payload === undefined ? undefined : typeof payload === 'string' ? payload : JSON.stringify(payload);
      const sentHeaders = { ...(typeof payload === 'object' ? { 'content-type': 'application/json' } : {}), ...headers };
      const req = httpRequest(`${base}${url}`, { method, headers: sentHeaders, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body: text, json: () => JSON.parse(text) as unknown });
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  return { app, send };
}

function relativeTo(value: string, expected: number): number {
  return Math.abs(Number(value) - expected) / expected;
}

describe('echo service', () => {
  let app: Running;
  const lines: string[] = [];
  beforeAll(async () => {
    app = await start({ kind: 'echo', name: 'echo' }, { log: { write: (line: string) => lines.push(line) } });
  });
  afterAll(() => app.app.close());

  it('GET /predict?msg=Hi and POST {"msg":"Hi"} answer {"response":"Hi","success":true}', async () => {
    const get = await app.send({ method: 'GET', url: '/predict?msg=Hi' });
    expect(get.statusCode).toBe(200);
    expect(get.body).toBe('{"response":"Hi","success":true}');
    const post = await app.send({ method: 'POST', url: '/predict', payload: { msg: 'Hi' } });
    expect(post.statusCode).toBe(200);
    expect(post.json()).toEqual({ response: 'Hi', success: true });
  });

  it('GET /health is ready', async () => {
    const health = await app.send({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ status: 'ready', success: true });
  });

  it.each([
    ['GET', '/predict', undefined, 400, /missing field "msg"/],
    ['GET', '/predict?msg=a&msg=b', undefined, 400, /"msg" is given more than once/],
    ['GET', '/predict?msg=Hi&extra=1', undefined, 400, /unknown field "extra"/],
    ['POST', '/predict', { msg: 5 }, 400, /field "msg" must be a string \(got 5\)/],
    ['GET', '/nowhere', undefined, 404, /no route GET \/nowhere/],
  ] as const)('%s %s', async (method, url, payload, status, message) => {
    const response = await app.send({ method, url, payload });
    expect(response.statusCode).toBe(status);
    expect(response.json()).toEqual({ success: false, error: expect.stringMatching(message) });
  });

  it('logs one JSON line per request: method, path (no query), status, ms', async () => {
    lines.length = 0;
    await app.send({ method: 'GET', url: '/predict?msg=secret' });
    await app.send({ method: 'GET', url: '/predict' });
    expect(lines).toHaveLength(2);
    const [ok, bad] = lines.map((line) => JSON.parse(line) as RequestLogLine);
    expect(ok).toMatchObject({ method: 'GET', path: '/predict', status: 200 });
    expect(bad).toMatchObject({ status: 400 });
    expect(typeof ok.ms).toBe('number');
    expect(lines[0]).not.toContain('secret');
    expect(lines.every((line) => line.endsWith('\n') && !line.slice(0, -1).includes('\n'))).toBe(true);
  });
});

describe('the request log line', () => {
  it('is the RequestLogLine as JSON, whatever the client put in the path', () => {
    for (const [method, path, status, ms, error] of [
      ['GET', '/predict', 200, 0.019, undefined],
      ['POST', '/a "quoted"\\path\u2028é', 404, 12.5, undefined],
      ['GET', '/predict', 500, 3, 'Error: boom\n    at x (y.ts:1:2)'],
    ] as const) {
      const text = logLine(method, path, status, ms, error);
      expect(text.endsWith('\n')).toBe(true);
      const parsed = JSON.parse(text) as RequestLogLine;
      expect(parsed).toEqual({ time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), method, path, status, ms, ...(error ? { error } : {}) });
      expect(Math.abs(Date.parse(parsed.time) - Date.now())).toBeLessThan(5_000);
    }
  });
});

describe('games model service (games.h5)', () => {
  let app: Running;
  beforeAll(async () => {
    const service = await loadService({ name: 'games', kind: 'model', model: gamesH5, inputs, batchLimit: 100 }, '.');
    app = await start(service, { log: { write: () => true } });
  });
  afterAll(() => app.app.close());

  it('GET /predict?g1=1&g2=0&…&g10=0 answers the original\'s 2.160104e-16 (within 1e-4)', async () => {
    const response = await app.send({ method: 'GET', url: `/predict?${g1OnlyQuery}` });
    expect(response.statusCode).toBe(200);
    const body = response.json() as { prediction: string; success: boolean };
    expect(body.success).toBe(true);
    expect(typeof body.prediction).toBe('string');
    expect(relativeTo(body.prediction, 2.160104e-16)).toBeLessThan(1e-4);
    expect(response.body).toBe('{"prediction":"2.160104e-16","success":true}');
  });

  it('POST /predict {"g1":1,…} answers the same', async () => {
    const response = await app.send({ method: 'POST', url: '/predict', payload: g1Only });
    expect(response.statusCode).toBe(200);
    expect(relativeTo((response.json() as { prediction: string }).prediction, 2.160104e-16)).toBeLessThan(1e-4);
  });

  it('POST /predict {"instances":[…]} answers one prediction per row, rows as objects or arrays', async () => {
    const response = await app.send({
      method: 'POST',
      url: '/predict',
      payload: { instances: [g1Only, inputs.map((_, i) => (i === 0 ? 1 : 0)), { ...g1Only, g1: 0 }] },
    });
    expect(response.statusCode).toBe(200);
    const body = response.json() as { predictions: string[]; success: boolean };
    expect(body.success).toBe(true);
    expect(body.predictions).toHaveLength(3);
    expect(body.predictions[0]).toBe(body.predictions[1]);
    expect(relativeTo(body.predictions[0], 2.160104e-16)).toBeLessThan(1e-4);
  });

  const tooMany = { instances: Array.from({ length: 101 }, () => g1Only) };
  const huge = JSON.stringify({ instances: Array.from({ length: 30_000 }, () => g1Only) });
  it.each([
    ['missing feature', 'GET', `/predict?${g1OnlyQuery.replace('&g7=0', '')}`, undefined, undefined, 400, /missing feature "g7"/],
    ['non-numeric feature (query)', 'GET', `/predict?${g1OnlyQuery.replace('g3=0', 'g3=abc')}`, undefined, undefined, 400, /feature "g3" must be a finite number \(got "abc"\)/],
    ['non-numeric feature (JSON)', 'POST', '/predict', { ...g1Only, g2: true }, undefined, 400, /feature "g2" must be a finite number \(got true\)/],
    ['empty feature', 'GET', `/predict?${g1OnlyQuery.replace('g5=0', 'g5=')}`, undefined, undefined, 400, /feature "g5" must be a finite number/],
    ['repeated feature', 'GET', `/predict?${g1OnlyQuery}&g1=1`, undefined, undefined, 400, /feature "g1" is given more than once/],
    ['unknown field', 'POST', '/predict', { ...g1Only, g11: 0 }, undefined, 400, /unknown field "g11"/],
    ['malformed JSON', 'POST', '/predict', '{"g1": 1,', 'application/json', 400, /malformed JSON body/],
    ['empty JSON body', 'POST', '/predict', '', 'application/json', 400, /body is empty/],
    ['a JSON array body', 'POST', '/predict', [1, 2], undefined, 400, /must be a JSON object, not an array/],
    ['a text body', 'POST', '/predict', 'g1=1', 'text/plain', 400, /must be a JSON object, not a string/],
    ['an unsupported Content-Type', 'POST', '/predict', '<g1>1</g1>', 'application/xml', 415, /unsupported Content-Type/],
    ['body over 1 MiB', 'POST', '/predict', huge, 'application/json', 413, /larger than the limit of 1048576 bytes/],
    ['more rows than batchLimit', 'POST', '/predict', tooMany, undefined, 413, /"instances" has 101 rows, more than the batch limit of 100/],
    ['a bad row in a batch', 'POST', '/predict', { instances: [g1Only, { ...g1Only, g4: 'x' }] }, undefined, 400, /feature "instances\[1\]\.g4" must be a finite number/],
    ['a short array row', 'POST', '/predict', { instances: [[1, 0]] }, undefined, 400, /instances\[0\] has 2 values; expected 10/],
    ['unknown field beside instances', 'POST', '/predict', { instances: [g1Only], extra: 1 }, undefined, 400, /unknown field "extra"/],
    ['empty batch', 'POST', '/predict', { instances: [] }, undefined, 400, /"instances" is empty/],
    ['a "__proto__" key', 'POST', '/predict', '{"__proto__": {"g1": 1}}', 'application/json', 400, /unknown field "__proto__"/],
    ['a "__proto__" key in a row', 'POST', '/predict', '{"instances": [{"__proto__": {"g1": 1}}]}', 'application/json', 400, /unknown field "instances\[0\]\.__proto__"/],
    ['a "__proto__" key in the query', 'GET', `/predict?${g1OnlyQuery}&__proto__=1`, undefined, undefined, 400, /unknown field "__proto__"/],
    ['a body with no Content-Type', 'POST', '/predict', '{"g1": 1}', undefined, 415, /unsupported Content-Type/],
    ['PUT /predict', 'PUT', '/predict', g1Only, undefined, 404, /no route PUT \/predict; the service answers GET \/health and GET or POST \/predict/],
  ] as const)('%s', async (_label, method, url, payload, contentType, status, message) => {
    const response = await app.send({
      method,
      url,
      payload: payload as string | object | undefined,
      headers: contentType ? { 'content-type': contentType } : undefined,
    });
    expect(response.statusCode).toBe(status);
    expect(response.json()).toEqual({ success: false, error: expect.stringMatching(message) });
  });

  it('a body over the limit sent in chunks (no Content-Length) is refused with 413 once the limit is passed', async () => {
    const response = await app.send({ method: 'POST', url: '/predict', payload: huge, headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } });
    expect(response.statusCode).toBe(413);
    expect(response.headers.connection).toBe('close');
  });

  it('takes application/json with parameters, answers application/json, and answers HEAD without a body', async () => {
    const post = await app.send({ method: 'POST', url: '/predict', payload: JSON.stringify(g1Only), headers: { 'content-type': 'Application/JSON; charset=utf-8' } });
    expect(post.statusCode).toBe(200);
    expect(post.headers['content-type']).toBe('application/json; charset=utf-8');
    const head = await app.send({ method: 'HEAD', url: '/health' });
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe('');
  });

  it('still answers after all of that, and no request reached Object.prototype', async () => {
    expect((await app.send({ method: 'GET', url: `/predict?${g1OnlyQuery}` })).statusCode).toBe(200);
    expect(Object.keys(Object.prototype)).toEqual([]);
    expect(({} as Record<string, unknown>).g1).toBeUndefined();
  });
});
