// `repro fetch`: put research.yaml's data files in place (cache → mirrors → URL), one line per file.
import type { Command } from 'commander';
import { ensureData, type DataOrigin, type EnsuredData } from '../data/index.ts';
import { UsageError } from '../errors.ts';
import type { DataEntry } from '../manifest/schema.ts';
import { loadProject } from './context.ts';
import { createProgress, formatBytes } from './progress.ts';

export function register(program: Command): void {
  program
    .command('fetch')
    .description('put every data file of research.yaml at its path, sha256-checked: from the cache, then mirrors ($REPRO_DATA_MIRROR), then its URL')
    .argument('[paths...]', 'only these data paths (default: all)')
    .option('--offline', 'use only the cache and mirrors; never download from a URL')
    .addHelpText(
      'after',
      '\nEnvironment:\n  REPRO_DATA_MIRROR  ":"-separated folders (relative to the project allowed) or http(s) base URLs holding files by name\n  REPRO_CACHE        the content-addressed cache (default ~/.cache/repro)\n\nWith -q/--quiet (before or after "fetch") only the summary and errors are printed.\n\nExample:\n  REPRO_DATA_MIRROR=../shared/data repro fetch',
    )
    .action(async (paths: string[], options: { offline?: boolean }, command: Command) => {
      const project = await loadProject(command);
      const entries = selectEntries(project.manifest.data, paths);
      if (entries.length === 0) {
        if (!project.quiet) process.stdout.write('research.yaml lists no data files.\n');
        return;
      }
      const width = Math.max(...entries.map((e) => e.path.length));
      const ready = await ensureData(project.root, entries, {
        download: !options.offline,
        progress: createProgress({ quiet: project.quiet }),
        onReady: (file) => {
          if (!project.quiet) process.stdout.write(`${file.path.padEnd(width)}  ${formatBytes(file.bytes).padStart(8)}  ${describeOrigin(file)}\n`);
        },
      });
      process.stdout.write(summary(ready) + '\n');
    });
}

function selectEntries(all: DataEntry[], paths: string[]): DataEntry[] {
  if (paths.length === 0) return all;
  const normal = (p: string) => p.replace(/^\.\//, '');
  const unknown = paths.filter((p) => !all.some((e) => e.path === normal(p)));
  if (unknown.length > 0) {
    throw new UsageError(
      `not a data path in research.yaml: ${unknown.join(', ')}`,
      all.length ? `Data paths: ${all.map((e) => e.path).join(', ')}` : 'research.yaml lists no data files.',
    );
  }
  return all.filter((e) => paths.some((p) => normal(p) === e.path));
}

function describeOrigin(file: EnsuredData): string {
  switch (file.origin) {
    case 'present':
      return 'already in place';
    case 'cache':
      return 'from the cache';
    case 'mirror':
      return `from mirror ${file.from}`;
    case 'url':
      return `downloaded from ${file.from}`;
  }
}

function summary(ready: EnsuredData[]): string {
  const total = ready.reduce((sum, f) => sum + f.bytes, 0);
  const names: Record<DataOrigin, string> = { present: 'already in place', cache: 'from the cache', mirror: 'from mirrors', url: 'downloaded' };
  const counts = (Object.keys(names) as DataOrigin[])
    .map((origin) => [origin, ready.filter((f) => f.origin === origin).length] as const)
    .filter(([, n]) => n > 0)
    .map(([origin, n]) => `${n} ${names[origin]}`);
  return `${ready.length} data file${ready.length === 1 ? '' : 's'} ready (${formatBytes(total)}): ${counts.join(', ')}.`;
}
