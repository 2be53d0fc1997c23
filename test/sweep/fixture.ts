// The sweep fixture (test/fixtures/sweep: a tslab notebook, 2 scales × 4 seeds) copied to a scratch folder, and the
// command line run on it as a user runs it.
import { spawn } from 'node:child_process';
import { cp, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const repoRoot = join(import.meta.dirname, '..', '..');
export const fixtureDir = join(repoRoot, 'test', 'fixtures', 'sweep');
/** Summary files of an uninterrupted sweep of the fixture (same bytes on the engine and with local kernels). */
export const expectedDir = join(fixtureDir, 'expected');
const bin = join(repoRoot, 'bin', 'repro.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface SweepProject {
  dir: string;
  repro(...args: string[]): Promise<CliResult>;
  remove(): Promise<void>;
}

/** `local`: link this repository's node_modules in, for local kernels (an image build refuses the link). */
export async function sweepProject(options: { local: boolean }): Promise<SweepProject> {
  const dir = await mkdtemp(join(tmpdir(), 'repro-sweep-'));
  await cp(fixtureDir, dir, { recursive: true, filter: (source) => !source.startsWith(expectedDir) });
  // Local kernels resolve tslab from the notebook's folder upwards.
  if (options.local) await symlink(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
  return {
    dir,
    repro: (...args) => runCli(['-C', dir, ...args]),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

export function runCli(args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
