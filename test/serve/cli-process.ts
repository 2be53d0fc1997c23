// Runs `repro …` (bin/repro.js) as a child process and waits for its "answers at <url>" line.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../model/data-files.ts';

export interface ReproProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the URL once `repro serve` prints that the service answers. */
  answering(timeoutMs: number): Promise<string>;
}

export function startRepro(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): ReproProcess {
  const child = spawn(process.execPath, [join(repoRoot, 'bin/repro.js'), ...args], {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, REPRO_DATA_MIRROR: join(repoRoot, '../shared/data'), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const answering = (timeoutMs: number) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`repro serve did not answer within ${timeoutMs} ms:\n${err}`)), timeoutMs);
      const check = () => {
        const match = /answers at (http:\/\/\S+)/.exec(err);
        if (match) {
          clearTimeout(timer);
          child.stderr?.off('data', check);
          resolve(match[1]);
        }
      };
      child.stderr?.on('data', check);
      void exited.then(({ code }) => (clearTimeout(timer), reject(new Error(`repro exited with ${code} before answering:\n${err}`))));
      check();
    });
  return { child, stdout: () => out, stderr: () => err, exited, answering };
}

/** A port that is free right now on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
