// Kernel liveness on local kernels: a cell printing 50,000 lines (time, and lines kept), how long a stopped kernel
// (SIGSTOP) takes to be reported, and how long after repro is SIGKILLed its kernel and key file are gone. Prints a table.
// Run: npx tsx bench/liveness.ts
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startKernel } from '../src/kernel/kernel.ts';
import { findKernelSpec } from '../src/kernel/kernelspec.ts';
import { repoRoot } from '../test/run/project.ts';

const has = (name: string) => existsSync(join('/usr/share/jupyter/kernels', name, 'kernel.json'));
const kernels = ['tslab', 'jslab', ...(has('python3') ? ['python3 (print, no flush)', 'python3'] : [])];
const rows: Array<{ what: string; kernel: string; seconds: string; result: string }> = [];

const burst: Record<string, string> = {
  tslab: 'for (let i = 0; i < 50000; i++) console.log(i);',
  jslab: 'for (let i = 0; i < 50000; i++) console.log(i);',
  python3: 'for i in range(50000):\n    print(i, flush=True)',
  'python3 (print, no flush)': 'for i in range(50000):\n    print(i)',
};
const stop: Record<string, string> = {
  tslab: 'process.kill(process.pid, "SIGSTOP");',
  jslab: 'process.kill(process.pid, "SIGSTOP");',
  python3: 'import os, signal\nos.kill(os.getpid(), signal.SIGSTOP)',
};

for (const name of kernels) {
  const kernel = await startKernel({ cwd: repoRoot, spec: findKernelSpec(name.split(' ')[0]) });
  try {
    let start = Date.now();
    const result = await kernel.execute(burst[name], { timeoutMs: 300_000 }).catch((error: Error) => error);
    if (result instanceof Error) {
      rows.push({ what: '50,000 lines', kernel: name, seconds: ((Date.now() - start) / 1000).toFixed(1), result: result.message });
      continue;
    }
    const text = result.outputs.map((output) => (output.output_type === 'stream' && output.name === 'stdout' ? output.text : '')).join('');
    const kept = text.split('\n').length - 1;
    rows.push({ what: '50,000 lines', kernel: name, seconds: ((Date.now() - start) / 1000).toFixed(1), result: `${kept} kept${result.incomplete ? `; ${result.incomplete.trim()}` : ''}` });
    if (!stop[name]) continue;
    start = Date.now();
    const error = await kernel.execute(stop[name], { timeoutMs: 120_000 }).catch((e: unknown) => e);
    rows.push({ what: 'stopped kernel reported', kernel: name, seconds: ((Date.now() - start) / 1000).toFixed(1), result: String((error as Error).message) });
  } finally {
    await kernel.shutdown();
  }
}

for (const name of ['tslab', ...(has('python3') ? ['python3'] : [])]) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'test', 'kernel', 'repro-like.ts'), name], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve) => {
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      if (text.includes('\n')) resolve(text.split('\n')[0]);
    });
  });
  const watched = JSON.parse(line) as { kernel: number; connectionDir: string };
  child.kill('SIGKILL');
  const start = Date.now();
  // Killed is enough: an orphan waits for init to reap it, which is not the watchdog's doing.
  const alive = () => {
    try {
      const stat = readFileSync(`/proc/${watched.kernel}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2).charAt(0) !== 'Z';
    } catch {
      return false;
    }
  };
  while ((alive() || existsSync(watched.connectionDir)) && Date.now() - start < 10_000) await new Promise((resolve) => setTimeout(resolve, 5));
  rows.push({ what: 'repro SIGKILLed → kernel and key gone', kernel: name, seconds: ((Date.now() - start) / 1000).toFixed(3), result: alive() || existsSync(watched.connectionDir) ? 'STILL THERE' : 'gone' });
}

console.table(rows);
