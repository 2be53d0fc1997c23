// Runs bin/repro.js as a child process, asynchronously: a test worker blocked in spawnSync misses vitest's
// heartbeats on a busy machine.
import { fileURLToPath } from 'node:url';
import { command, type Result } from '../helpers/command.ts';

const bin = fileURLToPath(new URL('../../bin/repro.js', import.meta.url));

export function runCli(cwd: string, args: string[]): Promise<Result> {
  return command(process.execPath, [bin, ...args], cwd);
}
