import { mkdtemp, mkdir, readFile, readdir, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { swapFolder } from '../../src/files/swap.ts';

async function folderWith(root: string, name: string, content: string): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'file.txt'), content);
  return dir;
}

describe('swapFolder', () => {
  it('moves a folder into a missing destination', async () => {
    const root = await mkdtemp(join(tmpdir(), 'swap-'));
    const source = await folderWith(root, 'new', 'new');
    await swapFolder(source, join(root, 'results'));
    expect(await readFile(join(root, 'results/file.txt'), 'utf8')).toBe('new');
    expect(await readdir(root)).toEqual(['results']);
  });

  it('replaces a non-empty destination and leaves nothing aside', async () => {
    const root = await mkdtemp(join(tmpdir(), 'swap-'));
    const source = await folderWith(root, 'new', 'new');
    await folderWith(root, 'results', 'old');
    await swapFolder(source, join(root, 'results'));
    expect(await readFile(join(root, 'results/file.txt'), 'utf8')).toBe('new');
    expect(await readdir(root)).toEqual(['results']);
  });

  it('leaves the destination as it was when the source cannot be moved', async () => {
    const root = await mkdtemp(join(tmpdir(), 'swap-'));
    await folderWith(root, 'results', 'old');
    await expect(swapFolder(join(root, 'missing'), join(root, 'results'))).rejects.toThrow(/ENOENT/);
    expect(await readFile(join(root, 'results/file.txt'), 'utf8')).toBe('old');
    expect(await readdir(root)).toEqual(['results']);
  });
});
