// `repro pack`: one archive holding the image (OCI layout), the repository at its commit, the data, research.lock,
// the build inputs (Debian packages, Node.js and npm tarballs, npm caches: what `repro build --from-pack` rebuilds
// from) and the latest verify.json; prints its name, size and sha256 (what to cite).
import path from 'node:path';
import type { Command } from 'commander';
import { createPack } from '../pack/create.ts';
import { loadProject } from './context.ts';
import { engineOption, type EngineFlag } from './options.ts';
import { createProgress, formatBytes, formatDuration } from './progress.ts';

interface PackCommandOptions {
  out?: string;
  json?: boolean;
  engine?: Exclude<EngineFlag, 'local'>;
}

export function register(program: Command): void {
  program
    .command('pack')
    .description('write one archive that `repro verify --pack` re-runs and `repro build --from-pack` rebuilds offline: the image, the repository at its commit, data, lock, build inputs and results')
    .option('--out <file>', 'the archive to write (default: <name>-<commit>.repro.tar in the project)')
    .option('--json', 'print { file, size, sha256, commit, image } as JSON on stdout')
    .addOption(engineOption('the engine that builds and saves the image'))
    .addHelpText('after', '\nExamples:\n  repro pack\n  repro pack --out /media/archive/analyses.repro.tar\n  repro verify --pack analyses-1a2b3c4d5e6f.repro.tar')
    .action(async (options: PackCommandOptions, command: Command) => {
      const project = await loadProject(command);
      const progress = createProgress({ quiet: project.quiet || options.json });
      const started = Date.now();
      const result = await createPack({ projectDir: project.root, loaded: project.loaded, out: options.out, engine: options.engine, progress });
      progress.done();
      const { manifest } = result.pack;
      if (options.json) {
        process.stdout.write(JSON.stringify({ file: result.file, size: result.size, sha256: result.sha256, commit: manifest.commit, image: manifest.image }) + '\n');
        return;
      }
      const shown = path.relative(process.cwd(), result.file) || result.file;
      process.stdout.write(`${shown}  ${formatBytes(result.size)}  (${manifest.files.length} files, ${formatDuration(Date.now() - started)})\n`);
      process.stdout.write(`sha256 ${result.sha256}\n`);
      if (!project.quiet) {
        process.stdout.write(`image ${manifest.image.tag} (${manifest.image.id}), commit ${manifest.commit}\n`);
        if (manifest.missingInputs.length > 0) process.stdout.write(`build inputs not packed (could not be had), so \`repro build --from-pack\` will refuse this pack: ${manifest.missingInputs.join(', ')}\n`);
        const verify = result.pack.entries.find(([name]) => name === 'verify.json')?.[1].bytes;
        const verifiedImage = verify && imageIdOf(verify);
        if (!manifest.files.some((file) => file.kind === 'verify')) process.stdout.write('no verify.json packed: run `repro verify`, then pack again, to pack its report\n');
        else if (verify && verifiedImage !== manifest.image.id) process.stdout.write(`the packed verify.json is from a run in another image (${String(verifiedImage)}): run \`repro verify\`, then pack again\n`);
      }
    });
}

/** verify.json's imageId; undefined when it cannot be read (it is packed as it is either way). */
function imageIdOf(verifyJson: Buffer): unknown {
  try {
    return (JSON.parse(verifyJson.toString('utf8')) as { imageId?: unknown }).imageId;
  } catch {
    return undefined;
  }
}
