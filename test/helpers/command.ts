// A command as a user types it, for the end-to-end tests: its exit code and everything it printed. REPRO_DATA_MIRROR,
// CI and the Docker settings come from this process; colour is off so output compares as text.
import { spawn } from 'node:child_process';

export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function command(file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd, env: { ...env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** git in `dir` as a sample author, never signing. */
export const git = (dir: string, ...args: string[]) =>
  command('git', ['-c', 'user.name=Sample Author', '-c', 'user.email=author@example.org', '-c', 'commit.gpgsign=false', ...args], dir);

/** What a failed command said, for the assertion message. */
export const said = (result: Result) => `exit ${result.code}\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}`;
