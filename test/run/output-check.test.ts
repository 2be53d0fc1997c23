// A notebook that leaves links, FIFOs, sockets or devices in its outputs: its run fails naming each one (exit 1, like a
// failed notebook), nothing is moved into results/, nothing is read through a link; locally, from the container, and
// on the host for what a container wrote. The container part needs a Docker engine: it fails in CI without one.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createProgress } from '../../src/cli/progress.ts';
import { connectEngine } from '../../src/engine/index.ts';
import { ExitCode, UnsafePathError } from '../../src/errors.ts';
import { loadManifest } from '../../src/manifest/load.ts';
import { runInContainer } from '../../src/run/container.ts';
import { ensureProjectImage } from '../../src/run/image.ts';
import { runEntrypoints } from '../../src/run/index.ts';
import { refuseContainerOutputs, refuseSpecialOutputs } from '../../src/run/output-check.ts';
import { requireEngine } from '../helpers/engine.ts';
import { fixtureProject, repoRoot, type FixtureProject } from './project.ts';

const engineAnswers = await requireEngine();
const progress = createProgress({ quiet: true });
const entry = { notebook: 'notebooks/n.ipynb', outputs: 'results/n' } as const;
const base = { notebook: entry.notebook, outputs: entry.outputs, elapsedMs: 1 };
const cleanup: string[] = [];
let project: FixtureProject | undefined;

afterEach(async () => {
  for (const dir of cleanup.splice(0)) await rm(dir, { recursive: true, force: true });
  await project?.remove();
  project = undefined;
});

async function scratch(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'repro-output-check-'));
  cleanup.push(dir);
  return dir;
}

/** The message lists these, in path order, each with what it is. */
const expectedListing = [
  'results/special-outputs/committed.yaml (symlink → ',
  'results/special-outputs/sock (socket)',
  'results/special-outputs/sub/pipe.csv (FIFO)',
  'results/special-outputs/zeros.csv (symlink → /dev/zero)',
];

function expectRefusal(message: string | undefined): void {
  expect(message).toMatch(/^notebooks\/special-outputs\.ipynb: SpecialOutputs: the outputs hold /);
  let at = 0;
  for (const part of expectedListing) {
    const found = message!.indexOf(part, at);
    expect(found, `${part} in ${message}`).toBeGreaterThan(at - 1);
    at = found;
  }
  expect(message).toContain('links, FIFOs, sockets and devices are never followed or moved into results');
}

describe('refuseSpecialOutputs', () => {
  it('passes a folder of regular files and folders', async () => {
    const dir = await scratch();
    await mkdir(join(dir, 'deep/er'), { recursive: true });
    await writeFile(join(dir, 'deep/er/a.csv'), 'a\n');
    expect(await refuseSpecialOutputs(dir, entry, base)).toBeUndefined();
  });

  it('refuses a link to a folder without entering it, and a device (as root)', async () => {
    const dir = await scratch();
    await symlink('/etc', join(dir, 'etc'));
    if (process.getuid?.() === 0) execFileSync('mknod', [join(dir, 'zero'), 'c', '1', '5']);
    const refused = await refuseSpecialOutputs(dir, entry, base);
    expect(refused).toMatchObject({ status: 'failed', ename: 'SpecialOutputs' });
    expect(refused?.cellIndex).toBeUndefined();
    expect(refused?.error?.exitCode).toBe(ExitCode.difference);
    expect(refused?.evalue).toContain('results/n/etc (symlink → /etc)');
    if (process.getuid?.() === 0) expect(refused?.evalue).toContain('results/n/zero (character device)');
    expect(refused?.evalue).not.toContain('passwd');
    expect(refused?.error?.hint).toBe('Write regular files into REPRO_OUTPUTS (copy a file rather than link to it); nothing was moved into results/n.');
  });
});

describe('refuseContainerOutputs (the host, after the container)', () => {
  it('refuses a link on the way to the outputs folder, which the move would otherwise follow', async () => {
    const hostOut = await scratch();
    const elsewhere = await scratch();
    await mkdir(join(elsewhere, 'n'));
    await symlink(elsewhere, join(hostOut, 'results'));
    const refused = await refuseContainerOutputs(hostOut, entry, base, { status: 'ok' });
    expect(refused?.evalue).toContain(`the outputs hold results (symlink → ${elsewhere})`);
  });

  it('passes on the inner run\'s refusal as such, and leaves other failures to the caller', async () => {
    const hostOut = await scratch();
    const inner = { status: 'failed' as const, ename: 'SpecialOutputs', evalue: 'the outputs hold results/n/x (FIFO): links, …' };
    const refused = await refuseContainerOutputs(hostOut, entry, base, inner);
    expect(refused?.error?.message).toBe('notebooks/n.ipynb: SpecialOutputs: the outputs hold results/n/x (FIFO): links, …');
    expect(await refuseContainerOutputs(hostOut, entry, base, { status: 'failed', ename: 'RangeError' })).toBeUndefined();
    expect(await refuseContainerOutputs(hostOut, entry, base, { status: 'ok' })).toBeUndefined();
  });
});

describe('repro run with a local kernel', () => {
  it('fails the notebook naming every link, FIFO and socket, and moves nothing into results/', { timeout: 120_000 }, async () => {
    project = await fixtureProject(['special-outputs.ipynb', 'trivial1.ipynb']);
    const [special, trivial] = await runEntrypoints({ projectDir: project.dir, loaded: project.loaded, engine: 'local', progress });
    expect(special).toMatchObject({ status: 'failed', ename: 'SpecialOutputs' });
    expectRefusal(special.error?.message);
    expect(special.error?.exitCode).toBe(1);
    // The other notebook still ran; the refused one left nothing behind, no staging folder either.
    expect(trivial.status).toBe('ok');
    expect(readdirSync(join(project.dir, 'results'))).toEqual(['trivial1']);
  });
});

describe('repro run --out', () => {
  it('is refused (exit 2) when it points into the committed results, before anything runs', async () => {
    project = await fixtureProject(['trivial1.ipynb']);
    const p = project;
    const run = (outDir: string) => runEntrypoints({ projectDir: p.dir, loaded: p.loaded, engine: 'local', progress, outDir });
    for (const outDir of [join(p.dir, 'results'), join(p.dir, 'results/trivial1/x'), p.dir]) {
      const error = await run(outDir).catch((e: unknown) => e);
      expect(error, outDir).toBeInstanceOf(UnsafePathError);
      expect((error as UnsafePathError).exitCode).toBe(2);
      expect((error as UnsafePathError).message).toMatch(/^--out .*: (the run folder is (inside )?results\/, which holds the committed results results\/trivial1|its results\/trivial1 resolves to the committed results\/trivial1); nothing was compared or written$/);
    }
    // A folder whose results/ is a link to the committed results/.
    const linked = await scratch();
    await mkdir(join(p.dir, 'results'), { recursive: true });
    await symlink(join(p.dir, 'results'), join(linked, 'results'));
    const error = await run(linked).catch((e: unknown) => e);
    expect((error as Error).message).toBe(`--out ${linked}: its results/trivial1 resolves through a link to the committed results/trivial1; nothing was compared or written`);
    expect(existsSync(join(p.dir, 'results/trivial1'))).toBe(false);
  });
});

describe.runIf(engineAnswers)('repro run in the container', () => {
  it('fails the notebook the same way, from the inner run\'s refusal, and moves nothing', { timeout: 900_000 }, async () => {
    const engine = await connectEngine();
    const image = await ensureProjectImage({ projectDir: repoRoot, loaded: await loadManifest(repoRoot), engine, progress });
    project = await fixtureProject(['special-outputs.ipynb']);
    await rm(join(project.dir, 'node_modules'));
    await symlink('/project/node_modules', join(project.dir, 'node_modules'));
    await chmod(project.dir, 0o755);
    const options = { projectDir: project.dir, loaded: project.loaded, engine: 'docker' as const, progress };
    const [result] = await runInContainer(options, project.manifest.entrypoints, { image, mountProjectAt: '/bench' });
    expect(result).toMatchObject({ status: 'failed', ename: 'SpecialOutputs' });
    expectRefusal(result.error?.message);
    expect(existsSync(join(project.dir, 'results'))).toBe(false);
    expect(readdirSync(project.dir).filter((name) => name.startsWith('.repro-container-'))).toEqual([]);
  });
});
