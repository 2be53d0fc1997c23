// Starts src/serve/main.ts as a child process (as the service image runs it) and waits for its "listening" line.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServiceConfig } from '../../src/serve/config.ts';
import { startLogRelay } from '../../src/serve/log-relay.ts';
import { repoRoot } from '../model/data-files.ts';

export interface ServiceProcess {
  child: ChildProcessWithoutNullStreams;
  url: string;
  /** Every stdout line so far, parsed. */
  lines: Array<Record<string, unknown>>;
  /** Resolves when a stdout line satisfies `test`. */
  waitForLine(test: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
}

/**
 * With `logSocket`, the log comes as `repro serve` takes it from a container: over a relay's socket (--log-socket);
 * `exited` then also waits for the relay to have every line and close.
 */
export async function startServiceProcess(config: ServiceConfig, env: NodeJS.ProcessEnv = {}, { logSocket = false } = {}): Promise<ServiceProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'repro-service-'));
  const configPath = join(dir, 'service.json');
  await writeFile(configPath, JSON.stringify(config));
  const relayed = new PassThrough();
  const relay = logSocket ? await startLogRelay(relayed) : undefined;
  const socketArgs = relay ? ['--log-socket', join(relay.dir, relay.socketName)] : [];
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/serve/main.ts'), '--config', configPath, '--port', '0', ...socketArgs], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
  });
  const lines: Array<Record<string, unknown>> = [];
  const waiters: Array<{ test: (line: Record<string, unknown>) => boolean; resolve: (line: Record<string, unknown>) => void }> = [];
  let buffered = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  (relay ? relayed : child.stdout).on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = JSON.parse(buffered.slice(0, newline)) as Record<string, unknown>;
      buffered = buffered.slice(newline + 1);
      lines.push(line);
      for (const waiter of [...waiters]) {
        if (waiter.test(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code))).then(async (code) => (await relay?.close(), code));
  const waitForLine = (test: (line: Record<string, unknown>) => boolean, timeoutMs = 60_000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const found = lines.find(test);
      if (found) return resolve(found);
      const timer = setTimeout(() => reject(new Error(`no such service log line within ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
      waiters.push({ test, resolve: (line) => (clearTimeout(timer), resolve(line)) });
      void exited.then((code) => reject(new Error(`service exited with ${code} before the line; stderr: ${stderr}`)));
    });
  const listening = await waitForLine((line) => line.event === 'listening');
  return { child, url: String(listening.url), lines, waitForLine, exited };
}
