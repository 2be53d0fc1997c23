// `repro lab`: Jupyter (Debian's packages, in the image when environment.jupyter is true) with the image's kernels,
// the repository mounted read-write, published on 127.0.0.1 only, behind a fresh token. Kernels start in the
// notebook's folder (Jupyter's way, as in `repro run`) with REPRO_PROJECT_ROOT, REPRO_OUTPUTS and REPRO_SEED set.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { EngineError, UsageError } from '../errors.ts';
import { containerUser } from '../run/container.ts';
import { ensureProjectImage } from '../run/image.ts';
import { engineOption, parsePort, type EngineFlag } from './options.ts';
import { loadProject } from './context.ts';
import { createProgress, type Progress } from './progress.ts';

const jupyterPort = 8888;
/** Where notebooks write in the lab: a scratch folder in the container, or the host folder given with --outputs. */
const labOutputs = '/tmp/repro-outputs';

export function register(program: Command): void {
  program
    .command('lab')
    .description('start Jupyter in the container with the image\'s kernels and the repository mounted')
    .option('--port <port>', 'port on 127.0.0.1 (default: a free one)')
    .option('--outputs <dir>', 'a host folder for what notebooks write to REPRO_OUTPUTS (default: a scratch folder in the container)')
    .addOption(engineOption('the engine Jupyter runs in'))
    .action(async (options: { port?: string; outputs?: string; engine?: Exclude<EngineFlag, 'local'> }, command: Command) => {
      const hostPort = parsePort(options.port);
      const project = await loadProject(command);
      if (!project.manifest.environment.jupyter) {
        throw new UsageError('repro lab needs Jupyter in the image, and research.yaml does not ask for it', [
          'Set `jupyter: true` under environment: in research.yaml, then run `repro build`.',
        ].join(' '));
      }
      const progress = createProgress({ quiet: project.quiet });
      const { connectEngine } = await import('../engine/index.ts');
      const engine = await connectEngine({ engine: options.engine });
      const image = await ensureProjectImage({ projectDir: project.root, loaded: project.loaded, engine, progress });
      const token = randomBytes(24).toString('hex');
      const outputs = options.outputs === undefined ? undefined : resolve(options.outputs);
      if (outputs !== undefined) {
        await mkdir(outputs, { recursive: true });
        // The lab's user may not be us (a root-owned checkout runs it as the image's repro user).
        await chmod(outputs, 0o777);
      }
      // Publishing a port needs a network; the lab is for editing, the no-network rule is for `repro run`.
      const lab = await engine.startContainer({
        image,
        cmd: ['sh', '-c', `mkdir -p ${labOutputs} && exec jupyter notebook --no-browser --ip=0.0.0.0 --port=${jupyterPort} --notebook-dir=/project`],
        user: await labUser(project.root, progress),
        network: 'bridge',
        readOnly: true,
        tmpfs: { '/tmp': 'rw,exec,size=2g' },
        workdir: '/project',
        mounts: [...(await repositoryMounts(project.root)), ...(outputs === undefined ? [] : [{ host: outputs, container: labOutputs }])],
        env: {
          HOME: '/tmp/home',
          JUPYTER_TOKEN: token,
          JUPYTER_RUNTIME_DIR: '/tmp/jupyter-runtime',
          // Every kernel the server starts inherits these, as `repro run` sets them for its kernels.
          REPRO_PROJECT_ROOT: '/project',
          REPRO_OUTPUTS: labOutputs,
          REPRO_SEED: String(project.manifest.run.seed),
        },
        ports: [{ container: jupyterPort, host: hostPort }],
        onOutput: (chunk) => {
          if (!project.quiet) process.stderr.write(chunk);
        },
        // Ctrl-C is how a lab ends: we stop it ourselves and wait until the container is removed, then exit.
        stopOnSignal: false,
      });
      const stopAndExit = () => {
        void lab.stop(2).finally(() => process.exit(130));
      };
      process.once('SIGINT', stopAndExit);
      process.once('SIGTERM', stopAndExit);
      const port = lab.ports[jupyterPort];
      if (port === undefined) {
        await lab.stop(1);
        throw new EngineError('the engine did not publish the Jupyter port');
      }
      await waitForJupyter(port, 60_000).catch(async (error: unknown) => {
        await lab.stop(1);
        throw error;
      });
      process.stdout.write(`Jupyter is ready: http://127.0.0.1:${port}/?token=${token}\n`);
      process.stdout.write(`Notebooks write their outputs to ${outputs ?? `${labOutputs} in the container (a scratch folder; keep them with --outputs DIR)`}\n(Ctrl-C stops it)\n`);
      await lab.wait();
    });
}

/**
 * The repository's entries, each mounted over its copy in /project. Not the folder as a whole: that would hide the
 * image's node_modules, and with it the tslab the kernelspec starts (a checkout may have none, or a host build).
 */
async function repositoryMounts(root: string): Promise<Array<{ host: string; container: string }>> {
  const entries = await readdir(root);
  return entries
    .filter((name) => name !== 'node_modules' && name !== '.git')
    .sort()
    .map((name) => ({ host: join(root, name), container: `/project/${name}` }));
}

/**
 * Notebooks are saved into the mounted repository, so Jupyter runs as the owner of the project folder; never as
 * root, though: a root-owned checkout gets the image's `repro` user (and a warning that saving may be refused).
 */
async function labUser(root: string, progress: Progress): Promise<string> {
  const owner = await stat(root);
  if (owner.uid !== 0) return `${owner.uid}:${owner.gid}`;
  progress.log('the project folder belongs to root: Jupyter runs as the image\'s repro user and may not be able to save');
  return containerUser();
}

/**
 * Resolves once Jupyter answers its (token-free) /api route. The engine's port proxy accepts connections before
 * Jupyter listens, so an open port proves nothing; an HTTP answer does.
 */
async function waitForJupyter(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}/api`, { signal: AbortSignal.timeout(2000) }).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new EngineError(`Jupyter did not answer on 127.0.0.1:${port} within ${timeoutMs / 1000} s`);
    // A refused connection fails at once: pause a little between attempts so the loop does not spin.
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
