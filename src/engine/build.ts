// Build an image from a Dockerfile and context files, streaming the engine's output as progress; a failed build
// names the failing step and shows its last lines.
import type Docker from 'dockerode';
import { EngineError } from '../errors.ts';
import { withoutEscapes } from '../escapes.ts';
import { inspectImage, reason } from './client.ts';
import { listContext, packContext } from './context.ts';
import { followJsonStream } from './stream.ts';
import { silentProgress, type BuildOptions, type BuildResult } from './types.ts';

const tailLines = 25;

export async function buildImage(docker: Docker, options: BuildOptions): Promise<BuildResult> {
  const started = Date.now();
  const existing = await inspectImage(docker, options.tag);
  if (existing) return { tag: options.tag, imageId: existing.id, built: false, durationMs: Date.now() - started, steps: 0, cachedSteps: 0 };
  const progress = options.progress ?? silentProgress;

  const entries = await listContext(options.contextFiles);
  const context = packContext(entries, options.dockerfile, options.mtime ?? 0);
  const step = new StepTracker();
  try {
    const stream = await docker.buildImage(context, {
      t: options.tag,
      labels: options.labels ?? {},
      rm: true,
      forcerm: true,
      nocache: options.noCache ?? false,
      ...(options.network ? { networkmode: options.network } : {}),
      abortSignal: options.signal,
    } as Docker.ImageBuildOptions);
    await followJsonStream(stream, (event) => {
      if (event.stream) for (const line of event.stream.split('\n')) step.take(line, progress);
      else if (event.status) progress.update(`${step.current || 'build'}: ${event.status}`);
    });
  } catch (error) {
    const where = step.current ? ` at ${step.current}` : '';
    const tail = step.tail.map((line) => `  | ${line}`).join('\n');
    throw new EngineError(`image build failed${where}: ${reason(error)}${tail ? '\n' + tail : ''}`, {
      hint: 'fix the failing step (the Dockerfile is rendered from Dockerfile.template), then run `repro build` again',
      cause: error,
    });
  }
  const made = await inspectImage(docker, options.tag);
  if (!made) throw new EngineError(`the build of ${options.tag} finished but the engine has no such image`);
  return { tag: options.tag, imageId: made.id, built: true, durationMs: Date.now() - started, steps: step.steps, cachedSteps: step.cached };
}

/**
 * Follows step headers, Docker's "Step 3/12 : RUN …" and podman's (buildah's) "STEP 3/12: RUN …", and keeps the
 * current step's last output lines. Cache hits: " ---> Using cache" (Docker), "--> Using cache <id>" (buildah).
 */
export class StepTracker {
  current = '';
  tail: string[] = [];
  steps = 0;
  cached = 0;

  take(raw: string, progress: { update(text: string): void; log(text: string): void }): void {
    // npm and apt colour their warnings; a progress line and an error tail want the words only.
    const line = withoutEscapes(raw).replace(/\r/g, '').trimEnd();
    if (!line) return;
    // buildah numbers the steps per stage of a multi-stage build: "[2/6] STEP 3/7: COPY …".
    const header = /^(?:\[(\d+\/\d+)\] )?(?:Step|STEP) (\d+\/\d+) ?: (.*)$/.exec(line);
    if (header) {
      const [, stage, step, instruction] = header;
      this.current = `${stage ? `stage ${stage} ` : ''}step ${step} (${instruction.length > 80 ? instruction.slice(0, 79) + '…' : instruction})`;
      this.tail = [];
      // FROM never reports a cache hit; counting it would make a fully cached build look partly rebuilt.
      if (!/^FROM\s/i.test(instruction)) this.steps++;
      progress.log(`  ${this.current}`);
      return;
    }
    if (/^ ?--?-> Using cache\b/.test(line)) this.cached++;
    // The engine's own bookkeeping lines say nothing a person needs.
    if (/^( ---> |--> |Removing intermediate container|Successfully (built|tagged)|COMMIT |[0-9a-f]{64}$)/.test(line)) return;
    this.tail.push(line);
    if (this.tail.length > tailLines) this.tail.shift();
    progress.update(`    ${line}`);
  }
}
