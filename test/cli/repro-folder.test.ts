// .repro/ is repro's own (run folders, failed notebooks, sweeps): after any command, git is told to leave it alone.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { ignoreReproFolder, reproFolderIgnore } from '../../src/files/repro-folder.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'repro-folder-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' });

describe('.repro/.gitignore', () => {
  it('is written when .repro exists, and git status then shows only the results', async () => {
    git('init', '-q');
    mkdirSync(join(dir, '.repro/runs/20261129T145023Z-1'), { recursive: true });
    writeFileSync(join(dir, '.repro/runs/20261129T145023Z-1/report.html'), '<html>');
    mkdirSync(join(dir, 'results/a'), { recursive: true });
    writeFileSync(join(dir, 'results/a/x.csv'), 'a\n1\n');
    await ignoreReproFolder(dir);
    expect(readFileSync(join(dir, '.repro/.gitignore'), 'utf8')).toBe(reproFolderIgnore);
    expect(git('status', '--porcelain', '--untracked-files=all')).toBe('?? results/a/x.csv\n');
  });

  it('is not written without .repro, and one already there is kept as it is', async () => {
    await ignoreReproFolder(dir);
    expect(() => readFileSync(join(dir, '.repro/.gitignore'))).toThrow();
    mkdirSync(join(dir, '.repro'));
    writeFileSync(join(dir, '.repro/.gitignore'), 'runs/\n');
    await ignoreReproFolder(dir);
    expect(readFileSync(join(dir, '.repro/.gitignore'), 'utf8')).toBe('runs/\n');
  });

  it('is written after a command, -C before or after the command name, even one that fails', async () => {
    mkdirSync(join(dir, '.repro'));
    expect(await main(['node', 'repro', 'accept', '-C', dir])).toBe(2);
    expect(readFileSync(join(dir, '.repro/.gitignore'), 'utf8')).toBe(reproFolderIgnore);
    rmSync(join(dir, '.repro/.gitignore'));
    await main(['node', 'repro', '-C', dir, 'accept']);
    expect(readFileSync(join(dir, '.repro/.gitignore'), 'utf8')).toBe(reproFolderIgnore);
  });
});
