// Service throughput on loopback, the same requests four ways in one run: `repro serve` in its container (how users
// run it: by default a worker per core less one; then a worker per core), the same server as a local process, and
// the reference: gunicorn -w 2 + Flask doing the same numpy forward pass of games.h5 (bench/reference/flask_games.py;
// Debian's gunicorn, python3-flask, python3-numpy, python3-h5py).
// Each is measured with wrk (-t2 -c32) and autocannon (32 connections), the client sharing this machine's cores.
// Prints requests/s and p99 per row, then the ratios. BENCH_SECONDS (default 10) sets the length of each run.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { ServiceConfig } from '../src/serve/config.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = 32;
const mirror = resolve(root, (process.env.REPRO_DATA_MIRROR ?? '../shared/data').split(':')[0]);
const gamesH5 = join(mirror, 'games.h5');
const inputs = ['g1', 'g2', 'g3', 'g4', 'g5', 'g6', 'g7', 'g8', 'g9', 'g10'];
const g1Only = inputs.map((name, i) => `${name}=${i === 0 ? 1 : 0}`).join('&');
const endpoints = [
  { name: 'echo', service: 'echo', path: '/predict?msg=Hi' },
  { name: 'games, one prediction', service: 'games', path: `/predict?${g1Only}` },
] as const;
const tools = ['wrk', 'autocannon'] as const;
type Tool = (typeof tools)[number];

interface Server {
  url: string;
  stop(): Promise<void>;
}

interface Measured {
  rps: number;
  p99: number;
  errors: number;
}

function freePort(): Promise<number> {
  return new Promise((done) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const port = (probe.address() as { port: number }).port;
      probe.close(() => done(port));
    });
  });
}

/** Spawns a server and resolves when `ready` matches its output; rejects if it exits first. */
function startChild(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; ready: RegExp; url: string }): Promise<Server> {
  const child: ChildProcess = spawn(command, args, { cwd: options.cwd ?? root, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let said = '';
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return new Promise((resolveServer, reject) => {
    const onData = (chunk: Buffer) => {
      said = (said + chunk.toString()).slice(-20_000);
      if (options.ready.test(said)) {
        // Keep draining the request log so the server never blocks on a full pipe, but keep none of it.
        child.stdout?.removeAllListeners('data').resume();
        child.stderr?.removeAllListeners('data').resume();
        resolveServer({
          url: options.url,
          stop: async () => {
            child.kill('SIGTERM');
            await exited;
          },
        });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then(() => reject(new Error(`${command} exited before it answered:\n${said.slice(-2000)}`)));
  });
}

async function startProcess(config: ServiceConfig): Promise<Server> {
  const dir = await mkdtemp(join(tmpdir(), 'repro-bench-'));
  await writeFile(join(dir, 'service.json'), JSON.stringify(config));
  const port = await freePort();
  const server = await startChild(process.execPath, ['--import', 'tsx', join(root, 'src/serve/main.ts'), '--config', join(dir, 'service.json'), '--port', String(port)], {
    ready: /"event":"listening"/,
    url: `http://127.0.0.1:${port}`,
  });
  return { url: server.url, stop: async () => (await server.stop(), await rm(dir, { recursive: true, force: true })) };
}

async function startContainer(service: string, extra: string[] = []): Promise<Server> {
  const port = await freePort();
  return startChild(process.execPath, [join(root, 'bin/repro.js'), 'serve', service, '--port', String(port), ...extra], {
    env: { REPRO_DATA_MIRROR: mirror, NO_COLOR: '1' },
    ready: /answers at http/,
    url: `http://127.0.0.1:${port}`,
  });
}

async function startGunicorn(): Promise<Server> {
  const port = await freePort();
  return startChild('gunicorn', ['-w', '2', '-b', `127.0.0.1:${port}`, 'flask_games:app'], {
    cwd: join(root, 'bench/reference'),
    env: { GAMES_H5: gamesH5 },
    ready: /Booting worker[\s\S]*Booting worker/,
    url: `http://127.0.0.1:${port}`,
  });
}

function runWrk(url: string): Measured {
  const result = spawnSync('wrk', ['-t2', `-c${connections}`, `-d${seconds}s`, '--latency', url], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`wrk failed: ${result.stderr || result.error?.message}`);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(result.stdout)?.[1]);
  const p99Text = /\s99%\s+([\d.]+)(us|ms|s)/.exec(result.stdout);
  const p99 = p99Text ? Number(p99Text[1]) * { us: 0.001, ms: 1, s: 1000 }[p99Text[2] as 'us' | 'ms' | 's'] : NaN;
  const errors = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(result.stdout)?.[1] ?? 0) + Number(/Socket errors:.*timeout (\d+)/.exec(result.stdout)?.[1] ?? 0);
  return { rps, p99, errors };
}

async function runAutocannon(url: string): Promise<Measured> {
  const result = await autocannon({ url, connections, duration: seconds });
  return { rps: result.requests.average, p99: result.latency.p99, errors: result.non2xx + result.errors };
}

const has = (command: string) => spawnSync(command, ['--version'], { stdio: 'ignore' }).error === undefined;

const perCore = String(availableParallelism());
type Way = 'container' | 'container, a worker per core' | 'process' | 'gunicorn -w 2';
const ways: Array<{ way: Way; start: (service: 'echo' | 'games') => Promise<Server>; missing?: string }> = [
  { way: 'container', start: (service) => startContainer(service) },
  // The default is one worker per core less one (src/serve/workers.ts): this row shows what the last core buys.
  { way: 'container, a worker per core', start: (service) => startContainer(service, ['--workers', perCore]) },
  { way: 'process', start: (service) => startProcess(service === 'echo' ? { name: 'echo', kind: 'echo' } : { name: 'games', kind: 'model', model: gamesH5, inputs, batchLimit: 1000 }) },
  { way: 'gunicorn -w 2', start: () => startGunicorn(), missing: has('gunicorn') ? undefined : 'gunicorn is not installed (apt-get install gunicorn python3-flask python3-numpy python3-h5py)' },
];

if (!has('wrk')) console.log('wrk is not installed (apt-get install wrk): its rows are left out\n');
const results = new Map<string, Measured | string>();
const key = (way: Way, endpoint: string, tool: Tool) => `${way}|${endpoint}|${tool}`;
const loadBefore = loadavg().map((value) => value.toFixed(1)).join(' ');
for (const endpoint of endpoints) {
  for (const { way, start, missing } of ways) {
    let server: Server | undefined;
    try {
      if (missing) throw new Error(missing);
      server = await start(endpoint.service);
      for (const tool of tools) {
        if (tool === 'wrk' && !has('wrk')) continue;
        const url = `${server.url}${endpoint.path}`;
        results.set(key(way, endpoint.name, tool), tool === 'wrk' ? runWrk(url) : await runAutocannon(url));
      }
    } catch (error) {
      for (const tool of tools) results.set(key(way, endpoint.name, tool), `not measured: ${(error as Error).message.split('\n')[0]}`);
    } finally {
      await server?.stop();
    }
  }
}

console.log(`${seconds} s per run on loopback, ${connections} connections (wrk -t2 -c${connections}; autocannon -c ${connections}); the client shares the cores`);
console.log(`load average before: ${loadBefore}\n`);
console.log('| endpoint | server | tool | requests/s | p99 ms | errors |');
console.log('| --- | --- | --- | ---: | ---: | ---: |');
for (const endpoint of endpoints) {
  for (const { way } of ways) {
    for (const tool of tools) {
      const value = results.get(key(way, endpoint.name, tool));
      if (value === undefined) continue;
      if (typeof value === 'string') console.log(`| ${endpoint.name} | ${way} | ${tool} | ${value} | | |`);
      else console.log(`| ${endpoint.name} | ${way} | ${tool} | ${Math.round(value.rps)} | ${value.p99.toFixed(2)} | ${value.errors} |`);
    }
  }
}
console.log('\n| endpoint | tool | container / process (requests/s) | container / gunicorn (requests/s) | container p99 / gunicorn p99 |');
console.log('| --- | --- | ---: | ---: | ---: |');
for (const endpoint of endpoints) {
  for (const tool of tools) {
    const container = results.get(key('container', endpoint.name, tool));
    const local = results.get(key('process', endpoint.name, tool));
    const reference = results.get(key('gunicorn -w 2', endpoint.name, tool));
    if (typeof container !== 'object') continue;
    const ratio = (other: Measured | string | undefined, pick: (m: Measured) => number) => (typeof other === 'object' ? (pick(container) / pick(other)).toFixed(2) : '-');
    console.log(`| ${endpoint.name} | ${tool} | ${ratio(local, (m) => m.rps)} | ${ratio(reference, (m) => m.rps)} | ${ratio(reference, (m) => m.p99)} |`);
  }
}
