// The engine's two cheapest questions (does it answer? is there an image?) over plain HTTP, so `repro build` with
// nothing to do never loads dockerode and its gRPC stack. Everything else goes through dockerode.
import { request, type RequestOptions } from 'node:http';
import type { EngineKind } from './types.ts';

export interface EngineAddress {
  kind: EngineKind;
  /** For messages. */
  display: string;
  /** undefined when only dockerode can speak to it (TLS, ssh). */
  http?: Pick<RequestOptions, 'socketPath' | 'host' | 'port'>;
  /** How dockerode connects; undefined: dockerode reads DOCKER_HOST (and its TLS settings) itself. */
  dockerode?: { socketPath: string } | { host: string; port: number; protocol: 'http' };
}

/** Where DOCKER_HOST (default: the local socket) points, and whether plain HTTP reaches it. */
export function dockerAddress(env: NodeJS.ProcessEnv = process.env): EngineAddress {
  const host = env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  return { kind: 'docker', ...parseHost(host, env.DOCKER_TLS_VERIFY !== undefined) };
}

/** unix:// and plain tcp:// reach the engine over HTTP; anything else (TLS, ssh) only through dockerode. */
export function parseHost(host: string, tls = false): Omit<EngineAddress, 'kind'> {
  if (host.startsWith('unix://')) {
    const socketPath = host.slice('unix://'.length);
    return { display: host, http: { socketPath }, dockerode: { socketPath } };
  }
  const tcp = /^tcp:\/\/([^:/]+):(\d+)\/?$/.exec(host);
  if (tcp && !tls) return { display: host, http: { host: tcp[1], port: Number(tcp[2]) }, dockerode: { host: tcp[1], port: Number(tcp[2]), protocol: 'http' } };
  return { display: host };
}

export interface EngineResponse {
  status: number;
  body: string;
}

/** GET a path of the engine API; rejects on connection errors and after `timeoutMs`. */
export function engineGet(address: NonNullable<EngineAddress['http']>, path: string, timeoutMs = 10_000): Promise<EngineResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ ...address, path, method: 'GET', timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
