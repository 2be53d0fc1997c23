// Kernel liveness as a run sees it (runEntrypoints, a local kernel): a frozen kernel fails its cell in seconds, lost
// output is noted in the executed notebook, a burst is kept whole, leftover processes are named as a warning, a full
// heap is OutOfMemory, tslab's frames give the cell's lines, and concurrent failing runs keep their own partial notebooks.
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createProgress } from '../../src/cli/progress.ts';
import { runEntrypoints } from '../../src/run/index.ts';
import type { RunOptions } from '../../src/run/types.ts';
import { fixtureProject, type FixtureProject } from './project.ts';

const progress = createProgress({ quiet: true });
let projects: FixtureProject[] = [];
afterEach(async () => {
  await Promise.all(projects.map((project) => project.remove()));
  projects = [];
});

async function project(...args: Parameters<typeof fixtureProject>): Promise<FixtureProject> {
  const made = await fixtureProject(...args);
  projects.push(made);
  return made;
}

function run(p: FixtureProject, extra: Partial<RunOptions> = {}) {
  return runEntrypoints({ projectDir: p.dir, loaded: p.loaded, engine: 'local', progress, ...extra });
}

function pythonInstalled(): boolean {
  const found = ['/usr/share/jupyter', '/usr/local/share/jupyter'].some((dir) => existsSync(join(dir, 'kernels', 'python3', 'kernel.json')));
  if (!found && process.env.CI) throw new Error('CI is set but the python3 kernel is not installed (see .ci/run)');
  return found;
}

/** Alive and not a zombie waiting for init. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).charAt(0) !== 'Z';
  } catch {
    return false;
  }
}

async function executed(p: FixtureProject, name: string) {
  return JSON.parse(await readFile(join(p.dir, 'results', name, `${name}.ipynb`), 'utf8'));
}

describe('a run', () => {
  it('fails a cell whose kernel froze within 10 s, naming the cell, not at the cell time limit', async () => {
    const p = await project(['frozen.ipynb']);
    const [result] = await run(p);
    expect(result).toMatchObject({ status: 'failed', cellIndex: 1, ename: 'KernelUnresponsive' });
    expect(result.evalue).toMatch(/^the kernel stopped answering its heartbeat while running cell 1 \(its process \d+ is stopped; no answer for [\d.]+ s\); it was killed$/);
    expect(result.error?.message).toMatch(/^notebooks\/frozen\.ipynb cell 1: KernelUnresponsive: the kernel stopped answering its heartbeat/);
    expect(result.elapsedMs).toBeLessThan(15_000);
    const partial = JSON.parse(await readFile(result.failedNotebook ?? '', 'utf8'));
    expect(partial.cells[0].outputs[0].text).toEqual(['before\n']);
    expect(partial.cells[1].outputs.at(-1)).toMatchObject({ output_type: 'error', ename: 'KernelUnresponsive' });
  });

  it('kills the processes a notebook leaves running, detached ones too, and names them in a warning', async () => {
    const p = await project(['leftovers.ipynb']);
    const [result] = await run(p);
    expect(result.status).toBe('ok');
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings?.[0]).toMatch(/^the notebook left 3 processes running, killed after it: sleep 31\d \(pid \d+\), sleep 31\d \(pid \d+\), sleep 31\d \(pid \d+\)$/);
    for (const command of ['sleep 311', 'sleep 312', 'sleep 313']) expect(result.warnings?.[0]).toContain(command);
    for (const [, pid] of (result.warnings?.[0] ?? '').matchAll(/pid (\d+)/g)) expect(running(Number(pid))).toBe(false);
  });

  it('keeps a burst of 50,000 lines whole, with no note, in seconds', async () => {
    const p = await project(['burst.ipynb']);
    const [result] = await run(p);
    expect(result.status).toBe('ok');
    expect(result.elapsedMs).toBeLessThan(30_000);
    const notebook = await executed(p, 'burst');
    const lines = notebook.cells[0].outputs[0].text as string[];
    expect(notebook.cells[0].outputs).toHaveLength(1);
    expect(lines).toHaveLength(50_000);
    expect(lines.every((line, i) => line === `${i}\n`)).toBe(true);
    expect(notebook.cells[1].outputs[0].text).toEqual(['after\n']);
  });

  it.runIf(pythonInstalled())('writes into the executed notebook that a cell lost its output, and goes on', async () => {
    const p = await project(['lost-idle.ipynb']);
    const [result] = await run(p);
    expect(result.status).toBe('ok');
    const notebook = await executed(p, 'lost-idle');
    const note = 'repro: output is missing here: the kernel\'s messages for this cell stopped before its "idle" status (nothing for 10.0 s after its reply); its output queue overflowed\n';
    expect(notebook.cells[0].outputs).toEqual([
      { name: 'stdout', output_type: 'stream', text: ['done\n'] },
      { name: 'stderr', output_type: 'stream', text: [note] },
    ]);
    expect(notebook.cells[1].outputs[0]).toEqual({ name: 'stdout', output_type: 'stream', text: ['next\n'] });
  });

  it('reports a full JavaScript heap as out of memory in its cell, with Node\'s line and no native frames', async () => {
    const p = await project(['heap.ipynb'], { env: ['NODE_OPTIONS'] });
    process.env.NODE_OPTIONS = '--max-old-space-size=200';
    let result;
    try {
      [result] = await run(p);
    } finally {
      delete process.env.NODE_OPTIONS;
    }
    expect(result).toMatchObject({ status: 'failed', cellIndex: 1, ename: 'OutOfMemory' });
    expect(result.evalue).toMatch(/^cell 1 ran out of memory: FATAL ERROR: .*JavaScript heap out of memory$/);
    expect(result.traceback?.join('\n')).not.toMatch(/node::|0x[0-9a-f]{6,}/);
    expect(result.traceback?.at(-1)).toContain('NODE_OPTIONS=--max-old-space-size');
  });

  it('reports tslab errors at the cell\'s own lines', async () => {
    const p = await project(['error.ipynb']);
    const [result] = await run(p);
    expect(result.traceback).toEqual(['<cell>:2', '  throw new RangeError(`x is ${x}`);', '  ^', '', 'RangeError: x is 1', '    at fail (<cell>:2:9)', '    at <cell>:4:1']);
  });

  it('keeps the partial notebooks of concurrent failing runs apart', async () => {
    const p = await project(['error.ipynb']);
    const results = await Promise.all([run(p), run(p)]);
    const paths = results.map(([result]) => result.failedNotebook ?? '');
    expect(new Set(paths).size).toBe(2);
    for (const path of paths) {
      expect(path.startsWith(join(p.dir, '.repro', 'failed') + '/')).toBe(true);
      expect(existsSync(path)).toBe(true);
    }
  });
});
