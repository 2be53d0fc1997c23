// The service process: `node main.ts --config service.json [--host H] [--port N]`. It is what the service image
// runs (bundled into one file) and what tests start as a child process; `repro serve --engine local` runs in-process.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createServiceApp } from './app.ts';
import { loadService, type ServiceConfig } from './config.ts';
import { closeOnSignals, listen } from './server.ts';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      config: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '5000' },
    },
  });
  if (!values.config) throw new Error('usage: main --config service.json [--host 127.0.0.1] [--port 5000]');
  const configPath = resolve(values.config);
  // The service image ships tfjs's .wasm files beside the bundle (used only for models that are not Dense stacks).
  const wasmDir = join(dirname(configPath), 'wasm');
  if (!process.env.REPRO_TFJS_WASM_DIR && existsSync(wasmDir)) process.env.REPRO_TFJS_WASM_DIR = wasmDir;
  const config = JSON.parse(await readFile(configPath, 'utf8')) as ServiceConfig;
  // Model paths in the config are relative to the config file, so the same file works in the image and outside.
  const definition = await loadService(config, dirname(configPath));
  const app = createServiceApp(definition);
  closeOnSignals(app, process.stdout, () => process.exit(0));
  const url = await listen(app, { host: values.host ?? '127.0.0.1', port: Number(values.port) });
  const runtime = definition.kind === 'model' ? definition.predictor.runtime : undefined;
  process.stdout.write(JSON.stringify({ time: new Date().toISOString(), event: 'listening', service: config.name, url, runtime }) + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`service failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  const hint = (error as { hint?: string }).hint;
  if (hint) process.stderr.write(`  ${hint}\n`);
  process.exit(error && typeof error === 'object' && 'exitCode' in error ? Number(error.exitCode) : 1);
});
