// The image id in run.json and verify.json is the image the container ran, taken from the container, not looked up
// by tag after the run (a build may move the tag meanwhile). On the tslab sample repository, built as a user builds it
// (the same image test/e2e/repos.test.ts builds). Needs a Docker engine: fails in CI without one, skips elsewhere.
import { chmod, cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProgress } from '../../src/cli/progress.ts';
import { connectEngine, type Engine } from '../../src/engine/index.ts';
import { loadManifest } from '../../src/manifest/load.ts';
import { runInContainer } from '../../src/run/container.ts';
import type { VerifyRecord } from '../../src/verify/record.ts';
import type { RunRecord } from '../../src/verify/run-record.ts';
import { requireEngine } from '../helpers/engine.ts';
import { command, git, said } from '../helpers/command.ts';

const repoRoot = join(import.meta.dirname, '..', '..');
const bin = join(repoRoot, 'bin', 'repro.js');
const engineAnswers = await requireEngine();

describe.runIf(engineAnswers)('the image id a run records', { timeout: 5 * 60_000 }, () => {
  let root: string;
  let dir: string;
  let tag: string;
  let builtId: string;
  let engine: Engine;
  const movedTag = { repo: 'repro-test/image-id', tag: `${process.pid}` };
  const repro = (...args: string[]) => command(process.execPath, [bin, '-C', dir, ...args], dir);

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'repro-image-id-'));
    dir = join(root, 'tslab');
    await cp(join(repoRoot, 'test', 'fixtures', 'repos', 'tslab'), dir, { recursive: true });
    await chmod(root, 0o755);
    await git(dir, 'init', '-q', '-b', 'main');
    await git(dir, 'add', '-A');
    await git(dir, 'commit', '-q', '-m', 'The analysis');
    const locked = await repro('lock');
    if (locked.code !== 0) throw new Error(`repro lock: ${said(locked)}`);
    await git(dir, 'add', 'research.lock');
    await git(dir, 'commit', '-q', '-m', 'repro lock');
    const built = await repro('build', '--json');
    if (built.code !== 0) throw new Error(`repro build: ${said(built)}`);
    tag = (JSON.parse(built.stdout) as { tag: string }).tag;
    engine = await connectEngine();
    builtId = (await engine.inspectImage(tag))?.id ?? '';
  }, 15 * 60_000);

  afterAll(async () => {
    await new Docker().getImage(`${movedTag.repo}:${movedTag.tag}`).remove().catch(() => undefined);
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('verify --json prints verify.json alone on stdout, with the id of the image that ran', async () => {
    const result = await repro('verify', '--json');
    // Nothing is committed yet: every output is EXTRA, exit 1; stdout is still the record, and only it.
    expect(result.code, said(result)).toBe(1);
    const record = JSON.parse(result.stdout) as VerifyRecord;
    expect(builtId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(record).toMatchObject({ recordVersion: 1, engine: 'docker', imageId: builtId, passed: false });
    expect(record.lockHash).toMatch(/^[0-9a-f]{64}$/);
    expect(record.notebooks).toEqual([
      { notebook: 'notebooks/analysis.ipynb', outputs: 'results/analysis', status: 'ok', cellIndex: null, error: null, message: null, warnings: [] },
    ]);
    expect(record.files.map((file) => [file.path, file.verdict])).toContainEqual(['results/analysis/summary.csv', 'extra']);
    // The table went to stderr.
    expect(result.stderr).toMatch(/results\/analysis\/summary\.csv\s+csv\s+EXTRA/);
    const last = join(dir, '.repro', 'runs', 'last');
    const run = JSON.parse(await readFile(join(last, 'run.json'), 'utf8')) as RunRecord;
    expect(run).toEqual({ recordVersion: 1, engine: 'docker', imageId: builtId, notebooks: record.notebooks });
    expect(JSON.parse(await readFile(join(last, 'verify.json'), 'utf8'))).toEqual(record);
  });

  it('is the container\'s image even when its tag names another image by the end of the run', async () => {
    const docker = new Docker();
    await docker.getImage(builtId).tag(movedTag);
    const reference = `${movedTag.repo}:${movedTag.tag}`;
    const loaded = await loadManifest(dir);
    const progress = createProgress({ quiet: true });
    const outDir = join(root, 'moved');
    const results = await runInContainer({ projectDir: dir, loaded, engine: 'docker', outDir, progress }, loaded.manifest.entrypoints, { image: reference });
    // A rebuild moves the tag: looked up now, it would name another image.
    const other = await engine.inspectImage(loaded.manifest.environment.base);
    expect(other?.id).toBeDefined();
    await docker.getImage(other?.id ?? '').tag(movedTag);
    expect((await engine.inspectImage(reference))?.id).toBe(other?.id);
    expect(results.map((r) => [r.status, r.imageId])).toEqual([['ok', builtId]]);
    expect(builtId).not.toBe(other?.id);
  });
});
