// The kernel client against a real tslab kernel: outputs, errors, interrupt on timeout, death, clean shutdown.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KernelDiedError, KernelTimeoutError, startKernel, type Kernel } from '../../src/kernel/kernel.ts';
import { findKernelSpec, type KernelSpec } from '../../src/kernel/kernelspec.ts';
import { processExists, repoRoot } from '../run/project.ts';

describe('a tslab kernel', () => {
  let kernel: Kernel;
  beforeAll(async () => {
    kernel = await startKernel({ cwd: repoRoot, env: { REPRO_SEED: '42' } });
  });
  afterAll(async () => {
    await kernel?.shutdown();
  });

  it('answers kernel_info and the heartbeat', async () => {
    expect(kernel.info.implementation).toBe('tslab');
    expect(kernel.info.protocol_version).toMatch(/^5\./);
    expect(await kernel.ping()).toBe(true);
  });

  it('merges consecutive stdout chunks into one stream output', async () => {
    const result = await kernel.execute('console.log("a");\nconsole.log("b");\nprocess.env.REPRO_SEED', { timeoutMs: 30_000 });
    expect(result.status).toBe('ok');
    expect(result.outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: 'a\nb\n42\n' }]);
  });

  it('collects rich displays and their updates', async () => {
    const code = [
      'import { display, newDisplay } from "tslab";',
      'display.svg("<svg/>");',
      'const d = newDisplay();',
      'd.text("first");',
      'd.text("second");',
    ].join('\n');
    const result = await kernel.execute(code, { timeoutMs: 30_000 });
    expect(result.outputs).toEqual([
      { output_type: 'display_data', data: { 'image/svg+xml': '<svg/>' }, metadata: {} },
      { output_type: 'display_data', data: { 'text/plain': 'second' }, metadata: {} },
    ]);
  });

  it('reports an exception with its name, value and traceback', async () => {
    const result = await kernel.execute('throw new TypeError("bad thing")', { timeoutMs: 30_000 });
    expect(result.status).toBe('error');
    expect(result.error).toMatchObject({ ename: 'TypeError', evalue: 'bad thing' });
    expect(result.error?.traceback.join('\n')).toContain('TypeError: bad thing');
    expect(result.outputs.at(-1)).toMatchObject({ output_type: 'error', ename: 'TypeError' });
  });
});

it('interrupts an endless loop at the deadline and still shuts down cleanly', async () => {
  const kernel = await startKernel({ cwd: repoRoot });
  const connectionDir = dirname(kernel.process.child.spawnargs.at(-1) ?? '');
  try {
    const error = await kernel.execute('console.log("spin");\nwhile (true) {}', { timeoutMs: 1_500 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KernelTimeoutError);
    expect((error as KernelTimeoutError).interrupted).toBe(true);
    expect((error as KernelTimeoutError).outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: 'spin\n' }]);
    expect(kernel.process.alive).toBe(true);
  } finally {
    await kernel.shutdown();
  }
  expect(processExists(kernel.pid)).toBe(false);
  expect(existsSync(connectionDir)).toBe(false);
});

it('notices a kernel that exits in the middle of a cell', async () => {
  const kernel = await startKernel({ cwd: repoRoot });
  try {
    const error = await kernel.execute('console.log("bye");\nprocess.exit(3);', { timeoutMs: 30_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KernelDiedError);
    expect((error as KernelDiedError).how).toBe('exit code 3');
    expect((error as KernelDiedError).outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: 'bye\n' }]);
    expect(await kernel.ping(500)).toBe(false);
  } finally {
    await kernel.shutdown();
  }
  expect(processExists(kernel.pid)).toBe(false);
});

it('kills a kernel whose shutdown does not end it', async () => {
  const kernel = await startKernel({ cwd: repoRoot });
  // A pending timer keeps Node alive after tslab closes its sockets.
  await kernel.execute('setInterval(() => {}, 1000);', { timeoutMs: 30_000 });
  await kernel.shutdown();
  expect(kernel.process.status).toEqual({ code: null, signal: 'SIGKILL' });
  expect(processExists(kernel.pid)).toBe(false);
});

describe('a kernel that does not answer at start-up', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'repro-stuck-kernel-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A kernelspec whose first start prints a line and hangs (its pid kept in a file); the next ones start tslab. */
  async function stuckOnce(): Promise<KernelSpec> {
    const tslab = findKernelSpec('tslab');
    const script = join(dir, 'kernel.sh');
    const stuck = join(dir, 'stuck.pid');
    await writeFile(script, `#!/bin/sh\nif [ ! -e ${stuck} ]; then echo "waiting for nothing"; echo $$ > ${stuck}; exec sleep 600; fi\nexec "$@"\n`, { mode: 0o755 });
    return { ...tslab, name: 'stuck-once', argv: [script, ...tslab.argv] };
  }

  it('is started once more on fresh ports after half the start-up time, and the stuck process is gone', async () => {
    const spec = await stuckOnce();
    const reasons: string[] = [];
    const started = Date.now();
    const kernel = await startKernel({ cwd: repoRoot, spec, startupTimeoutMs: 8_000, onRestart: (reason) => reasons.push(reason) });
    try {
      expect(reasons).toEqual(['timed out after 4000 ms (no reply to kernel_info_request on its shell port)']);
      expect(Date.now() - started).toBeGreaterThanOrEqual(4_000);
      const result = await kernel.execute('1 + 1', { timeoutMs: 30_000 });
      expect(result.outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: '2\n' }]);
      const stuckPid = Number(await readFile(join(dir, 'stuck.pid'), 'utf8'));
      expect(processExists(stuckPid)).toBe(false);
    } finally {
      await kernel.shutdown();
    }
  });

  it('that never answers fails with the step that did not come and what it printed', async () => {
    const script = join(dir, 'never.sh');
    await writeFile(script, '#!/bin/sh\necho "still loading"\nexec sleep 600\n', { mode: 0o755 });
    const spec: KernelSpec = { ...findKernelSpec('tslab'), name: 'never', argv: [script, '{connection_file}'] };
    const reasons: string[] = [];
    const error = await startKernel({ cwd: repoRoot, spec, startupTimeoutMs: 3_000, onRestart: (reason) => reasons.push(reason) }).catch((e: unknown) => e);
    expect(reasons).toHaveLength(1);
    expect(error).toBeInstanceOf(KernelTimeoutError);
    expect((error as KernelTimeoutError).message).toBe('timed out after 3000 ms (no reply to kernel_info_request on its shell port)');
    expect((error as KernelTimeoutError).outputTail).toContain('still loading');
  });
});
