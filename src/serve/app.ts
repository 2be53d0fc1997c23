// Builds a service's fastify app: readiness, its routes, the {"success": false, "error": …} answer for every
// client mistake, and one JSON log line per request.
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { Predictor } from '../model/load.ts';
import { InputError } from './input.ts';
import { registerEcho, registerModel } from './routes.ts';

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

export function createServiceApp(service: ServiceDefinition, options: AppOptions = {}): FastifyInstance {
  const log = options.log ?? process.stdout;
  const bodyLimit = options.bodyLimit ?? defaultBodyLimit;
  const app = Fastify({
    logger: false,
    bodyLimit,
    // During a graceful shutdown, requests already on an open connection are served (with Connection: close)
    // rather than refused with a bare 503: they were accepted, so they finish.
    return503OnClosing: false,
  });
  const errors = new WeakMap<object, string>();

  app.addHook('onResponse', async (request, reply) => {
    const line: RequestLogLine = {
      time: new Date().toISOString(),
      method: request.method,
      // The path only: query strings carry the client's data.
      path: request.url.split('?', 1)[0],
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 1000) / 1000,
    };
    const error = errors.get(request);
    if (error) line.error = error;
    log.write(JSON.stringify(line) + '\n');
  });

  app.setErrorHandler(async (error: FastifyError | InputError | Error, request, reply) => {
    const { status, message } = describeError(error, bodyLimit);
    if (status >= 500) errors.set(request, error.stack ?? error.message);
    return reply.code(status).send({ success: false, error: message });
  });

  app.setNotFoundHandler(async (request, reply) => {
    return reply.code(404).send({ success: false, error: `no route ${request.method} ${request.url.split('?', 1)[0]}; the service answers GET /health and GET or POST /predict` });
  });

  app.get('/health', async () => ({ status: 'ready', service: service.name, success: true }));
  if (service.kind === 'echo') registerEcho(app);
  else registerModel(app, service);
  return app;
}

function describeError(error: FastifyError | InputError | Error, bodyLimit: number): { status: number; message: string } {
  if (error instanceof InputError) return { status: error.status, message: error.message };
  const code = 'code' in error ? String(error.code) : '';
  switch (code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status: 400, message: `malformed JSON body: ${error.message}` };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, message: 'the body is empty but Content-Type says application/json; send a JSON object' };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, message: `the body is larger than the limit of ${bodyLimit} bytes` };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, message: 'unsupported Content-Type; send the body as application/json' };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 400, message: 'Content-Length does not match the body' };
  }
  const status = 'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : 500;
  if (status >= 400 && status < 500) return { status, message: error.message };
  return { status: 500, message: 'internal error; see the service log' };
}
