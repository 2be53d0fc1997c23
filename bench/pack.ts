// `repro pack` and `repro verify --pack` per sample repository (test/fixtures/repos/<case>, default tslab and
// python; or the folders named in REPRO_BENCH_PACK_REPOS, `:`-separated), through the command line as a user runs
// them: each sample is committed with its results (lock, run, verify), then packed twice (the second gives the same
// sha256), verified from the pack and its image built again from the pack (`repro build --from-pack`, the image and
// its base removed first), both in a network namespace with no network (`unshare -n`). Prints one table.
import { spawn } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { formatBytes, formatDuration } from '../src/cli/progress.ts';

const root = join(import.meta.dirname, '..');
const bin = join(root, 'bin', 'repro.js');
const cases = process.env.REPRO_BENCH_PACK_REPOS?.split(':') ?? ['tslab', 'python'].map((name) => join(root, 'test/fixtures/repos', name));

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function command(file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<Result> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd, env: { ...env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
  });
}

function must(result: Result, what: string): Result {
  if (result.code !== 0) throw new Error(`${what} exited ${result.code}: ${(result.stderr || result.stdout).trim().split('\n').slice(-3).join(' | ')}`);
  return result;
}

interface Packed {
  size: number;
  sha256: string;
  image: { id: string; tag: string };
}

const rows: string[][] = [];
for (const source of cases) {
  const work = await mkdtemp(join(tmpdir(), 'repro-bench-pack-'));
  const dir = join(work, basename(source));
  const repro = (...args: string[]) => command(process.execPath, [bin, '-C', dir, ...args], dir);
  const git = (...args: string[]) => command('git', ['-c', 'user.name=Bench', '-c', 'user.email=bench@example.org', '-c', 'commit.gpgsign=false', ...args], dir);
  try {
    await cp(source, dir, { recursive: true, filter: (path) => !/\/(node_modules|\.git|\.repro|results)(\/|$)/.test(path.slice(source.length)) });
    await chmod(work, 0o755);
    await git('init', '-q', '-b', 'main');
    await git('add', '-A');
    await git('commit', '-q', '-m', 'sample');
    // The lock pins the toolkit bundle: when repro's sources change meanwhile, lock again.
    let first: Result | undefined;
    const stale = (result: Result) => result.code !== 0 && result.stderr.includes('research.lock is stale');
    for (let attempt = 0; attempt < 3 && first?.code !== 0; attempt++) {
      must(await repro('lock'), 'repro lock');
      await git('add', 'research.lock');
      await git('commit', '-q', '-m', 'lock');
      const ran = await repro('run');
      if (stale(ran)) continue;
      must(ran, 'repro run');
      await git('add', 'results');
      await git('commit', '-q', '-m', 'results');
      // A difference (exit 1) still writes verify.json, which is what the pack takes.
      const verified = await repro('verify');
      if (stale(verified)) continue;
      if (verified.code !== 1) must(verified, 'repro verify');
      first = await repro('pack', '--json', '--out', join(work, 'first.repro.tar'));
    }
    const packed = JSON.parse(must(first as Result, 'repro pack').stdout) as Packed;
    const second = must(await repro('pack', '--json', '--out', join(work, 'second.repro.tar')), 'repro pack (again)');
    const same = (JSON.parse(second.stdout) as Packed).sha256 === packed.sha256;
    await rm(join(work, 'second.repro.tar'));
    const imageSize = Number((await command('docker', ['image', 'inspect', '--format', '{{.Size}}', packed.image.tag], dir)).stdout.trim());
    const scratch = join(work, 'offline');
    await mkdir(scratch);
    const offline = { ...process.env, REPRO_CACHE: join(work, 'empty-cache'), REPRO_DATA_MIRROR: '', TMPDIR: scratch };
    const verified = await command('unshare', ['-n', process.execPath, bin, 'verify', '--pack', join(work, 'first.repro.tar')], scratch, offline);
    if (verified.code !== 1) must(verified, 'verify --pack');
    // The same image made again from the pack alone: the tag removed (verify --pack loaded it) and the base a build
    // from a pack bootstraps too, so the figure is a cold rebuild with no network, an empty cache and no mirror.
    const lock = JSON.parse(await readFile(join(dir, 'research.lock'), 'utf8')) as { base: { packages: string } };
    await command('docker', ['rmi', packed.image.tag], dir);
    await command('docker', ['rmi', `repro-pack/debian:bookworm-${lock.base.packages.slice(7, 23)}`], dir);
    const rebuilt = must(await command('unshare', ['-n', process.execPath, bin, 'build', '--from-pack', join(work, 'first.repro.tar'), '--json'], scratch, offline), 'build --from-pack');
    const sameTag = (JSON.parse(rebuilt.stdout) as { tag: string }).tag === packed.image.tag;
    const checked = /against pack\.json in ([^:]+):/.exec(verified.stderr)?.[1] ?? '?';
    const loaded = /\) in (.+)$/m.exec(verified.stderr.split('\n').find((l) => l.startsWith('loaded ')) ?? '')?.[1] ?? '?';
    rows.push([
      basename(source),
      formatBytes(imageSize),
      formatBytes((await stat(join(work, 'first.repro.tar'))).size),
      formatDuration(first?.ms ?? 0),
      formatDuration(second.ms),
      same ? 'yes' : 'NO',
      checked,
      loaded,
      `${formatDuration(verified.ms)} (${verified.code === 0 ? 'OK' : 'differs, exit 1'})`,
      formatDuration(rebuilt.ms),
      sameTag ? 'yes' : 'NO',
    ]);
  } catch (error) {
    rows.push([basename(source), 'FAILED', (error as Error).message.split('\n')[0].slice(0, 200), '', '', '', '', '', '', '', '']);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

const header = ['repository', 'image size', 'pack size', 'repro pack', 'again', 'same sha256', 'pack checked', 'image loaded', 'verify --pack (offline)', 'build --from-pack (offline)', 'same tag'];
const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
console.log('repro pack, repro verify --pack and repro build --from-pack per sample repository (verify and build under unshare -n: no network, empty cache, no mirror; the build with the image and its base removed)\n');
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const row of rows) console.log(line(row));
if (rows.some((row) => row[1] === 'FAILED' || row[5] === 'NO' || row[10] === 'NO')) process.exit(1);
