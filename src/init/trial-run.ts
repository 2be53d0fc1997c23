// One trial run of one notebook for --discover, in the scratch copy: in the project's container (lock and image made
// for the scratch copy's provisional research.yaml) or, when asked, with a kernel on this machine. Unlike
// `repro run`, the container sees the scratch project writable (at /scratch, beside the image's /project), so that
// a notebook writing beside itself is seen doing so instead of failing on a read-only file system.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Progress } from '../cli/progress.ts';
import type { Engine } from '../engine/index.ts';
import { ManifestError } from '../errors.ts';
import { loadManifest, type LoadedManifest } from '../manifest/load.ts';
import { resolveLock, writeLock } from '../lock/index.ts';
import { containerUser } from '../run/container.ts';
import { passedEnvironment } from '../run/environment.ts';
import { specsFor } from '../run/results.ts';
import { readRunResultsIfAny, writeRunSpecs } from '../run/spec.ts';
import { ensureProjectImage } from '../run/image.ts';
import { runEntrypoints } from '../run/index.ts';

export interface TrialOutcome {
  status: 'ok' | 'failed';
  /** "cell 3: ValueError: …" when it failed. */
  failure?: string;
  /** The failed cell (0-based, markdown cells count) and its error's name. */
  cellIndex?: number;
  ename?: string;
}

export interface TrialRunner {
  /** Where the notebooks run, for the notes in research.yaml. */
  describe: string;
  /** Runs one notebook of the scratch project; its outputs go to <outRoot>/<entrypoint outputs>. */
  run(notebook: string, outRoot: string): Promise<TrialOutcome>;
}

/** A kernel on this machine, through repro run's own local executor. */
export function localRunner(project: string, progress: Progress): TrialRunner {
  return {
    describe: 'on this machine (--engine local)',
    async run(notebook, outRoot) {
      const loaded = await loadManifest(project);
      const [result] = await runEntrypoints({ projectDir: project, loaded, engine: 'local', outDir: outRoot, notebooks: [notebook], progress, failedDir: join(outRoot, '.failed') });
      return result.status === 'ok' ? { status: 'ok' } : failed(result);
    },
  };
}

export interface PreparedImage {
  tag: string;
  loaded: LoadedManifest;
  /** Packages `repro lock` found Debian does not have, dropped from the scratch manifest, with its message. */
  dropped: Array<{ package: string; message: string }>;
}

/**
 * Locks and builds the scratch project's image. `manifestFor(dropped)` writes the provisional research.yaml without
 * the packages dropped so far: a Debian package apt in the base image does not know is dropped and the lock retried.
 */
export async function prepareImage(project: string, engine: Engine, progress: Progress, manifestFor: (dropped: ReadonlySet<string>) => string): Promise<PreparedImage> {
  const dropped: PreparedImage['dropped'] = [];
  for (;;) {
    await writeFile(join(project, 'research.yaml'), manifestFor(new Set(dropped.map((item) => item.package))));
    const loaded = await loadManifest(project);
    try {
      progress.log('--discover: locking and building the image for the proposed research.yaml (as `repro lock` and `repro build` do)');
      await writeLock(project, await resolveLock({ loaded, engine, progress }));
    } catch (error) {
      const missing = error instanceof ManifestError ? /Debian has no package (\S+)/.exec(error.message)?.[1] : undefined;
      if (!missing || !loaded.manifest.environment.apt.includes(missing)) throw error;
      progress.log(`--discover: ${error instanceof Error ? error.message : String(error)}; trying without it`);
      dropped.push({ package: missing, message: `Debian has no package ${missing} (repro lock, in ${loaded.manifest.environment.base})` });
      continue;
    }
    const tag = await ensureProjectImage({ projectDir: project, loaded, engine, progress });
    return { tag, loaded, dropped };
  }
}

/** Where the scratch project is mounted: not over /project, which holds the image's npm packages. */
export const scratchInContainer = '/scratch';

/** The project's image, confined as `repro run` confines it, with the scratch project mounted writable at /scratch. */
export function containerRunner(project: string, engine: Engine, image: PreparedImage, progress: Progress): TrialRunner {
  const { manifest } = image.loaded;
  return {
    describe: `in the container (${image.tag})`,
    async run(notebook, outRoot) {
      await mkdir(outRoot, { recursive: true });
      await chmod(outRoot, 0o777);
      // The run specification (src/run/spec.ts): paths relative to /out/spec.json.
      const entry = manifest.entrypoints.find((item) => item.notebook === notebook) ?? { notebook, outputs: `.trial/${notebook}` };
      await writeRunSpecs(join(outRoot, 'spec.json'), specsFor([entry], { manifest, outDir: '.', failedDir: '.failed' }));
      const cmd = ['repro', '-C', scratchInContainer, 'run', '--spec', '/out/spec.json', '--result', '/out/result.json'];
      let tail = '';
      const exitCode = await engine.runContainer({
        image: image.tag,
        cmd,
        user: containerUser(),
        network: manifest.run.network,
        readOnly: true,
        tmpfs: { '/tmp': 'rw,exec,size=2g' },
        workdir: scratchInContainer,
        mounts: [
          { host: project, container: scratchInContainer },
          { host: outRoot, container: '/out' },
        ],
        env: { ...passedEnvironment(process.env, manifest.run.env), HOME: '/tmp/home' },
        confined: { memoryBytes: manifest.run.memory, cpus: manifest.run.cpus, pids: manifest.run.pids },
        onOutput: (chunk) => {
          const text = chunk.toString('utf8');
          tail = (tail + text).slice(-2000);
          for (const line of text.split('\n')) if (line.trim() !== '') progress.log(`  │ ${line}`);
        },
      });
      const summary = (await readRunResultsIfAny(join(outRoot, 'result.json')))?.find((item) => item.notebook === notebook);
      if (!summary) return { status: 'failed', failure: `the container exited with code ${exitCode} before reporting: ${tail.trim().split('\n').slice(-3).join(' / ')}` };
      return summary.status === 'ok' ? { status: 'ok' } : failed(summary);
    },
  };
}

function failed(result: { cellIndex?: number; ename?: string; evalue?: string }): TrialOutcome {
  // One line: R's messages end in a newline, Python's may span several.
  const evalue = (result.evalue ?? '').trim().replace(/\s*\n\s*/g, ' ');
  return { status: 'failed', failure: `cell ${result.cellIndex ?? '?'}: ${result.ename ?? 'Error'}: ${evalue}`, cellIndex: result.cellIndex, ename: result.ename };
}
