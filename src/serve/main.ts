// The service process: `node main.ts --config service.json [--host H] [--port N] [--workers N]`. It is what the
// service image runs (bundled into one file) and what tests start as a child process; `repro serve --engine local`
// runs in-process. With more than one worker (default: one per core less one) this process is the primary of a
// cluster: it listens and deals the connections out (workers.ts).
import cluster from 'node:cluster';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createServiceApp } from './app.ts';
import { loadService, type ServiceConfig } from './config.ts';
import { connectLogSocket, createBufferedLog } from './log.ts';
import { closeOnSignals, listen } from './server.ts';
import { defaultWorkers, onShutdownRequest, runPrimary, takeConnections } from './workers.ts';

async function main(): Promise<void> {
  // A worker asked to shut down while it is still starting (loading the model, binding) keeps the request and
  // carries it out once it listens: a message with no listener yet would be lost, and the worker would serve on.
  let asked: NodeJS.Signals | undefined;
  let shutdownNow: ((signal: NodeJS.Signals, asked: boolean) => void) | undefined;
  if (cluster.isWorker) onShutdownRequest((signal) => (shutdownNow ? shutdownNow(signal, true) : (asked ??= signal)));
  const { values } = parseArgs({
    options: {
      config: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '5000' },
      workers: { type: 'string', default: process.env.REPRO_SERVE_WORKERS ?? String(defaultWorkers()) },
      // Where `repro serve` listens for the log (a Unix socket mounted into the container); default: stdout.
      'log-socket': { type: 'string' },
    },
  });
  if (!values.config) throw new Error('usage: main --config service.json [--host 127.0.0.1] [--port 5000] [--workers N] [--log-socket PATH]');
  const workers = Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1 || workers > 256) throw new Error(`--workers must be a whole number from 1 to 256 (got ${values.workers})`);
  const configPath = resolve(values.config);
  // The service image ships tfjs's .wasm files beside the bundle (used only for models that are not Dense stacks).
  const wasmDir = join(dirname(configPath), 'wasm');
  if (!process.env.REPRO_TFJS_WASM_DIR && existsSync(wasmDir)) process.env.REPRO_TFJS_WASM_DIR = wasmDir;
  const config = JSON.parse(await readFile(configPath, 'utf8')) as ServiceConfig;
  // Model paths in the config are relative to the config file, so the same file works in the image and outside.
  const definition = await loadService(config, dirname(configPath));
  const runtime = definition.kind === 'model' ? definition.predictor.runtime : undefined;
  const host = values.host ?? '127.0.0.1';
  const listeningLine = (url: string) =>
    JSON.stringify({ time: new Date().toISOString(), event: 'listening', service: config.name, url, runtime, workers }) + '\n';
  const socket = values['log-socket'] ? await connectLogSocket(values['log-socket']) : undefined;
  const exit = (code: number) => void (socket?.end() ?? Promise.resolve()).then(() => process.exit(code));
  // The model is loaded (and checked) before any worker starts, so a bad model fails once, with its own message.
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port ?? '') || port > 65535) throw new Error(`--port must be a whole number from 0 to 65535 (got ${values.port})`);
  if (workers > 1 && cluster.isPrimary) {
    runPrimary({ count: workers, log: socket ?? process.stdout, listeningLine, host, port, exit });
    return;
  }
  const log = socket ? createBufferedLog(socket, { maxBytes: 64 * 1024 }) : createBufferedLog(process.stdout);
  const app = createServiceApp(definition, { log });
  const shutdown = closeOnSignals(app, log, () => {
    log.flush();
    exit(0);
  });
  shutdownNow = shutdown;
  if (cluster.isWorker) {
    // The primary listens and deals the connections; it is told this worker can take them.
    if (asked) shutdown(asked, true);
    else takeConnections(app.accept);
    return;
  }
  const url = await listen(app, { host, port });
  log.flush();
  (socket ?? process.stdout).write(listeningLine(url));
}

main().catch((error: unknown) => {
  process.stderr.write(`service failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  const hint = (error as { hint?: string }).hint;
  if (hint) process.stderr.write(`  ${hint}\n`);
  process.exit(error && typeof error === 'object' && 'exitCode' in error ? Number(error.exitCode) : 1);
});
