// `repro verify --pack FILE`: open and check the pack, load its image, unpack the repository with its data, and run
// every entrypoint in the loaded image (never a build), into a run folder beside the unpacked project. The comparison
// and report are `repro verify`'s own.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Progress } from '../cli/progress.ts';
import { formatBytes, formatDuration } from '../cli/progress.ts';
import type { NotebookError } from '../errors.ts';
import { loadManifest, type LoadedManifest } from '../manifest/load.ts';
import type { Engine, EngineChoice, EngineKind } from '../engine/index.ts';
import type { NotebookOutcome } from '../verify/run-record.ts';
import { dropImageBlobs, loadPackImage, openPack, unpackProject } from './open.ts';

export interface PackProject {
  /** The unpacked project (research.yaml, committed results, data in place). */
  root: string;
  loaded: LoadedManifest;
  /** The scratch folder holding it all; kept for the report. */
  scratch: string;
}

export interface PackRun {
  runFolder: string;
  engine: EngineKind;
  imageId: string;
  notebooks: NotebookOutcome[];
  failure?: NotebookError;
}

export interface PreparedPack {
  project: PackProject;
  run(): Promise<PackRun>;
}

/** Checks the pack, loads its image and unpacks the project; the run itself waits for run(). */
export async function preparePack(packFile: string, progress: Progress, options: { scratchParent?: string; engine?: EngineChoice } = {}): Promise<PreparedPack> {
  const scratchParent = options.scratchParent ?? tmpdir();
  await mkdir(scratchParent, { recursive: true });
  const scratch = await mkdtemp(path.join(scratchParent, 'repro-verify-pack-'));
  try {
    const started = Date.now();
    progress.update(`checking ${path.basename(packFile)}`);
    const opened = await openPack(packFile, scratch);
    const bytes = opened.manifest.files.reduce((sum, file) => sum + file.size, 0);
    progress.log(`checked ${opened.manifest.files.length} files (${formatBytes(bytes)}) against pack.json in ${formatDuration(Date.now() - started)}: commit ${opened.manifest.commit.slice(0, 12)}`);
    progress.update(`loading ${opened.manifest.image.tag}`);
    const loadStarted = Date.now();
    const { connectEngine } = await import('../engine/index.ts');
    const engine: Engine = await connectEngine({ engine: options.engine });
    const imageId = await loadPackImage(opened, engine);
    await dropImageBlobs(opened);
    progress.log(`loaded ${opened.manifest.image.tag} (${imageId.slice(0, 19)}) in ${formatDuration(Date.now() - loadStarted)}`);
    const root = await unpackProject(opened, path.join(scratch, 'project'));
    // Everything needed is now in the engine or the project; the rest of the extracted pack (tarballs) goes.
    await rm(path.join(scratch, 'pack'), { recursive: true, force: true });
    const loaded = await loadManifest(root);
    return { project: { root, loaded, scratch }, run: () => runFromPack(root, loaded, imageId, engine.kind, progress) };
  } catch (error) {
    await rm(scratch, { recursive: true, force: true });
    throw error;
  }
}

async function runFromPack(root: string, loaded: LoadedManifest, imageId: string, engine: EngineKind, progress: Progress): Promise<PackRun> {
  const runFolder = path.join(root, '.repro', 'runs', 'pack');
  await mkdir(runFolder, { recursive: true });
  const { runInContainer } = await import('../run/container.ts');
  const { buildRunRecord, writeRunRecord } = await import('../verify/run-record.ts');
  // The loaded image by id: nothing is built, and a tag moved meanwhile cannot change what runs.
  const results = await runInContainer({ projectDir: root, loaded, engine, outDir: runFolder, progress }, loaded.manifest.entrypoints, { image: imageId });
  for (const result of results) {
    const where = result.status === 'ok' ? '' : result.cellIndex === undefined ? ' failed' : ` failed at cell ${result.cellIndex}`;
    progress.log(`${result.status === 'ok' ? '✓' : '✗'} ${result.notebook}${where} (${formatDuration(result.elapsedMs)})`);
  }
  const record = buildRunRecord(results, engine);
  await writeRunRecord(runFolder, record);
  return { runFolder, engine, imageId: record.imageId ?? imageId, notebooks: record.notebooks, failure: results.find((r) => r.status === 'failed')?.error };
}
