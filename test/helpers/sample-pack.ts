// The tslab sample repository as the pack end-to-end tests use it: a copy with one data file pinned in research.yaml
// (present, ignored by git, never downloaded), committed, locked, run, verified and packed; and where each entry of a
// pack starts, to read or change one in place.
import { createHash } from 'node:crypto';
import { chmod, cp, mkdir, open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { said, type Result } from './command.ts';

const repoRoot = join(import.meta.dirname, '..', '..');
export const sampleDataText = 'plot,rain_mm\n1,12\n2,7\n';

/**
 * Copies test/fixtures/repos/tslab to ROOT/tslab with data/rain.csv pinned by its sha256; `yaml` edits research.yaml
 * further (a Debian package, a service). Returns the project folder.
 */
export async function copySampleWithData(root: string, options: { gitignore?: string; yaml?: (text: string) => string } = {}): Promise<string> {
  const dir = join(root, 'tslab');
  await cp(join(repoRoot, 'test', 'fixtures', 'repos', 'tslab'), dir, { recursive: true });
  await chmod(root, 0o755);
  await mkdir(join(dir, 'data'));
  await writeFile(join(dir, 'data', 'rain.csv'), sampleDataText);
  await writeFile(join(dir, '.gitignore'), options.gitignore ?? 'data/\n');
  const sha256 = createHash('sha256').update(sampleDataText).digest('hex');
  const yaml = (await readFile(join(dir, 'research.yaml'), 'utf8')).replace(
    'entrypoints:',
    `data:\n  - path: data/rain.csv\n    url: https://example.org/rain.csv\n    sha256: ${sha256}\nentrypoints:`,
  );
  await writeFile(join(dir, 'research.yaml'), options.yaml ? options.yaml(yaml) : yaml);
  return dir;
}

type Run = (...args: string[]) => Promise<Result>;

/**
 * Commits the project, then locks, runs, commits the results, verifies and packs it to `packFile`. The toolkit bundle
 * is hashed into the lock, so a repro edited meanwhile makes the lock stale: up to three rounds. `setup` says what
 * failed last, for the assertion message.
 */
export async function lockRunVerifyPack(repro: Run, git: Run, packFile: string): Promise<{ packed?: Result; setup: string }> {
  await git('init', '-q', '-b', 'main');
  await git('add', '-A');
  await git('commit', '-q', '-m', 'The analysis');
  let packed: Result | undefined;
  let setup = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    await repro('lock');
    await git('add', 'research.lock');
    await git('commit', '-q', '-m', 'repro lock');
    const ran = await repro('run');
    setup = `run: ${said(ran)}`;
    if (ran.code !== 0) continue;
    await git('add', 'results');
    await git('commit', '-q', '-m', 'Results');
    const verified = await repro('verify');
    setup = `verify: ${said(verified)}`;
    if (verified.code !== 0) continue;
    packed = await repro('pack', '--json', '--out', packFile);
    setup = `pack: ${said(packed)}`;
    if (packed.code === 0 || !packed.stderr.includes('stale')) break;
  }
  return { packed, setup };
}

/** Where each entry's content starts in a tar, by name (ustar headers, as `repro pack` writes them). */
export async function tarOffsets(file: string): Promise<Map<string, { offset: number; size: number }>> {
  const handle = await open(file, 'r');
  const offsets = new Map<string, { offset: number; size: number }>();
  try {
    const header = Buffer.alloc(512);
    for (let at = 0; ; ) {
      await handle.read(header, 0, 512, at);
      const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
      if (name === '') break;
      const size = parseInt(header.subarray(124, 136).toString('utf8').replace(/\0.*$/s, '').trim(), 8);
      offsets.set(name, { offset: at + 512, size });
      at += 512 + Math.ceil(size / 512) * 512;
    }
  } finally {
    await handle.close();
  }
  return offsets;
}
