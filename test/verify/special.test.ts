// Links, FIFOs, sockets and devices in a run folder or in the committed results: verify reports each as a `special`
// verdict, never reads through it (a FIFO or /dev/zero would hang the read or fill memory), and finishes. The
// per-test timeouts are only a guard against a hang, not a measurement.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UnsafePathError } from '../../src/errors.ts';
import { describeSpecial, listTree, openRegularFile, readRegularFile } from '../../src/files/special.ts';
import { planAccept } from '../../src/verify/accept.ts';
import { buildRecord } from '../../src/verify/record.ts';
import { formatSummary } from '../../src/verify/summary.ts';
import { compareTrees } from '../../src/verify/tree.ts';
import type { FileVerdict } from '../../src/verify/types.ts';

const fixture = fileURLToPath(new URL('../fixtures/verify/repo', import.meta.url));
const rules = { default: { rtol: 1e-9 }, 'results/**/*.png': { pixels: 0.001 }, 'results/analysis/timing.csv': { informational: true } };
const guard = { timeout: 20_000 };
let root: string;
let committed: string;
let run: string;
let servers: Server[] = [];

const compare = () => compareTrees({ committedRoot: committed, rerunRoot: run, outputs: ['results/analysis/'], rules });
const at = (root: string, name: string) => join(root, 'results/analysis', name);
const verdictOf = (files: FileVerdict[], name: string) => files.find((f) => f.path === `results/analysis/${name}`);

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'repro-special-'));
  committed = join(root, 'repo');
  run = join(root, 'run');
  cpSync(fixture, committed, { recursive: true });
  cpSync(join(committed, 'results'), join(run, 'results'), { recursive: true });
});
afterEach(async () => {
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
  servers = [];
  rmSync(root, { recursive: true, force: true });
});

function mkfifo(path: string): void {
  execFileSync('mkfifo', [path]);
}

async function socketAt(path: string): Promise<void> {
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(path, resolve));
}

function replace(path: string, make: (path: string) => void): void {
  rmSync(path, { force: true });
  make(path);
}

describe('compareTrees with special files', () => {
  it('reports a link to the committed file as special, though its bytes are identical', guard, async () => {
    replace(at(run, 'accuracy.csv'), (path) => symlinkSync(at(committed, 'accuracy.csv'), path));
    const { files, passed } = await compare();
    expect(passed).toBe(false);
    expect(verdictOf(files, 'accuracy.csv')).toMatchObject({
      verdict: 'special',
      largest: { text: `symlink → ${at(committed, 'accuracy.csv')}`, where: 're-run' },
      notes: [`the re-run results/analysis/accuracy.csv is a symlink → ${at(committed, 'accuracy.csv')}, not a regular file: links, FIFOs, sockets and devices are never followed or read`],
    });
    expect(verdictOf(files, 'accuracy.csv')?.rerunSha256).toBeUndefined();
  });

  it('finishes on links to /dev/zero and to a FIFO, a FIFO, a socket and a linked folder, reading none', guard, async () => {
    replace(at(run, 'model.bin'), (path) => symlinkSync('/dev/zero', path));
    mkfifo(join(root, 'fifo'));
    replace(at(run, 'notes.txt'), (path) => symlinkSync(join(root, 'fifo'), path));
    replace(at(run, 'metrics.json'), mkfifo);
    await socketAt(at(run, 'live.sock'));
    symlinkSync('/dev', at(run, 'devices'));
    const { files } = await compare();
    const rows = Object.fromEntries(files.filter((f) => f.verdict !== 'identical').map((f) => [f.path.replace('results/analysis/', ''), `${f.verdict}: ${f.largest?.text} (${f.largest?.where})`]));
    expect(rows).toEqual({
      devices: 'special: symlink → /dev (re-run)',
      'live.sock': 'special: socket (re-run)',
      'metrics.json': 'special: FIFO (re-run)',
      'model.bin': 'special: symlink → /dev/zero (re-run)',
      'notes.txt': `special: symlink → ${join(root, 'fifo')} (re-run)`,
    });
  });

  it('reports a character device (made as root)', { ...guard, skip: process.getuid?.() !== 0 }, async () => {
    replace(at(run, 'model.bin'), (path) => execFileSync('mknod', [path, 'c', '1', '5']));
    const { files } = await compare();
    expect(verdictOf(files, 'model.bin')).toMatchObject({ verdict: 'special', largest: { text: 'character device' } });
  });

  it('reports a run folder whose outputs folder is a link to the committed one as one special entry', guard, async () => {
    rmSync(join(run, 'results'), { recursive: true });
    symlinkSync(join(committed, 'results'), join(run, 'results'));
    const { files, passed } = await compare();
    expect(passed).toBe(false);
    expect(files.find((f) => f.path === 'results')).toMatchObject({ verdict: 'special', largest: { text: `symlink → ${join(committed, 'results')}` } });
    // Read through the link, every committed file would have matched itself; instead each is missing from the re-run.
    expect(files.filter((f) => f.verdict === 'missing')).toHaveLength(8);
  });

  it('reports special files in the committed results too, and never passes one under an informational rule', guard, async () => {
    replace(at(committed, 'notes.txt'), (path) => symlinkSync('/dev/zero', path));
    replace(at(run, 'timing.csv'), (path) => symlinkSync('/dev/zero', path));
    replace(at(committed, 'model.bin'), mkfifo);
    replace(at(run, 'model.bin'), mkfifo);
    const { files, passed } = await compare();
    expect(passed).toBe(false);
    expect(verdictOf(files, 'notes.txt')).toMatchObject({ verdict: 'special', largest: { where: 'committed' } });
    expect(verdictOf(files, 'timing.csv')).toMatchObject({ verdict: 'special', informational: false });
    expect(verdictOf(files, 'model.bin')).toMatchObject({ verdict: 'special', largest: { text: 'FIFO; FIFO', where: 'both' } });
  });

  it('shows SPECIAL in the table and in verify.json', guard, async () => {
    replace(at(run, 'model.bin'), (path) => symlinkSync('/dev/zero', path));
    const { files } = await compare();
    const row = formatSummary(files).split('\n').find((line) => line.startsWith('results/analysis/model.bin'));
    expect(row?.replace(/\s{2,}/g, ' | ')).toBe('results/analysis/model.bin | binary | SPECIAL | symlink → /dev/zero | re-run');
    const when = new Date('2026-11-25T10:00:00Z');
    const record = buildRecord(files, { toolkitVersion: '0.1.0', imageId: null, engine: null, lockHash: null, runFolder: 'run', startedAt: when, finishedAt: when });
    expect(record.files.find((f) => f.path.endsWith('model.bin'))).toMatchObject({ verdict: 'special', fails: true, largestDeviation: 'symlink → /dev/zero', rerunSha256: null });
  });
});

describe('files/special', () => {
  it('lists files and special entries with lstat, never entering a linked folder', guard, async () => {
    symlinkSync('/usr', at(run, 'usr'));
    mkfifo(at(run, 'pipe'));
    const entries = await listTree(run, 'results/analysis');
    expect(entries.filter((e) => e.kind !== 'file')).toEqual([
      { path: 'results/analysis/pipe', kind: 'FIFO' },
      { path: 'results/analysis/usr', kind: 'symlink', target: '/usr' },
    ]);
    expect(entries.some((e) => e.path.startsWith('results/analysis/usr/'))).toBe(false);
    expect(await listTree(run, 'results/none')).toEqual([]);
    expect(describeSpecial({ kind: 'symlink', target: '/x' })).toBe('symlink → /x');
  });

  it('reads a regular file, and tells a file swapped for a FIFO or a link after listing without blocking on it', guard, async () => {
    expect(await readRegularFile(run, 'results/analysis/notes.txt')).toEqual({ content: readFileSync(at(run, 'notes.txt')) });
    replace(at(run, 'notes.txt'), mkfifo);
    expect(await readRegularFile(run, 'results/analysis/notes.txt')).toEqual({ special: { path: 'results/analysis/notes.txt', kind: 'FIFO' } });
    unlinkSync(at(run, 'notes.txt'));
    symlinkSync('/dev/zero', at(run, 'notes.txt'));
    expect(await readRegularFile(run, 'results/analysis/notes.txt')).toEqual({ special: { path: 'results/analysis/notes.txt', kind: 'symlink', target: '/dev/zero' } });
  });

  it('opens a regular file with its size for a streaming reader, and tells a FIFO without opening it for good', guard, async () => {
    const opened = await openRegularFile(run, 'results/analysis/accuracy.csv');
    expect('handle' in opened && opened.size).toBe(readFileSync(at(run, 'accuracy.csv')).length);
    if ('handle' in opened) await opened.handle.close();
    mkfifo(at(run, 'pipe.csv'));
    expect(await openRegularFile(run, 'results/analysis/pipe.csv')).toEqual({ special: { path: 'results/analysis/pipe.csv', kind: 'FIFO' } });
  });
});

describe('planAccept', () => {
  it('refuses a run holding a link or a FIFO (exit 2) and accepts nothing', guard, async () => {
    replace(at(run, 'model.bin'), (path) => symlinkSync('/dev/zero', path));
    mkdirSync(at(run, 'sub'));
    mkfifo(at(run, 'sub/pipe.csv'));
    const error = await planAccept(committed, run, ['results/analysis']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsafePathError);
    expect((error as UnsafePathError).exitCode).toBe(2);
    expect((error as Error).message).toBe(`the run in ${run} holds results/analysis/model.bin (symlink → /dev/zero), results/analysis/sub/pipe.csv (FIFO); nothing was accepted`);
  });

  it('replaces a committed link without reading it', guard, async () => {
    replace(at(committed, 'notes.txt'), (path) => symlinkSync('/dev/zero', path));
    writeFileSync(at(run, 'extra.txt'), 'new\n');
    const plan = await planAccept(committed, run, ['results/analysis']);
    expect(plan.changes).toEqual([
      { path: 'results/analysis/extra.txt', change: 'added' },
      { path: 'results/analysis/notes.txt', change: 'changed' },
    ]);
  });
});
