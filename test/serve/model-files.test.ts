// The files a model service image takes: the model and the weights its model.json names, each at its path inside the
// model's folder. A weight path that leaves that folder, and a link or special file on the way, are refused (exit 2).
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UnsafePathError } from '../../src/errors.ts';
import { modelFiles } from '../../src/serve/image.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** A project with results/m/model.json naming the given weight paths; the files listed in `present` exist. */
async function model(paths: string[], present: string[] = paths): Promise<{ root: string; modelPath: string }> {
  const root = await mkdtemp(join(tmpdir(), 'repro-model-files-'));
  dirs.push(root);
  const folder = join(root, 'results/m');
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'model.json'), JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths, weights: [] }] }));
  for (const path of present) {
    await mkdir(join(folder, path, '..'), { recursive: true });
    await writeFile(join(folder, path), 'w');
  }
  return { root, modelPath: join(folder, 'model.json') };
}

async function refusal(modelPath: string, root?: string): Promise<UnsafePathError> {
  const error = await modelFiles(modelPath, root).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(UnsafePathError);
  expect((error as UnsafePathError).exitCode).toBe(2);
  return error as UnsafePathError;
}

describe('modelFiles', () => {
  it('takes the model and its weights at their paths inside the model folder, sub-folders kept', async () => {
    const { root, modelPath } = await model(['group1-shard1of2.bin', 'weights/./group1-shard2of2.bin']);
    expect(await modelFiles(modelPath, root)).toEqual([
      { source: modelPath, path: 'model.json' },
      { source: join(root, 'results/m/group1-shard1of2.bin'), path: 'group1-shard1of2.bin' },
      { source: join(root, 'results/m/weights/group1-shard2of2.bin'), path: 'weights/group1-shard2of2.bin' },
    ]);
  });

  it('refuses weight paths that leave the model folder (../, absolute, through a sub-folder), naming them', async () => {
    for (const path of ['../secret.bin', '/etc/passwd', 'weights/../../x.bin', '..\\..\\x.bin', 'C:/x.bin']) {
      const { modelPath } = await model([path], []);
      const error = await refusal(modelPath);
      expect(error.message).toBe(`${modelPath}: weight path ${JSON.stringify(path)} leaves the model's folder; the service image holds only the model and the weights beside it`);
      expect(error.hint).toContain('name them relative to it in weightsManifest');
    }
  });

  it('refuses a weight file that is a link (to /dev/zero, inside the folder alike) or a FIFO, and a linked sub-folder', async () => {
    const { root, modelPath } = await model(['a.bin', 'b.bin', 'c.bin', 'sub/d.bin'], ['c.bin']);
    const folder = join(root, 'results/m');
    await symlink('/dev/zero', join(folder, 'a.bin'));
    expect((await refusal(modelPath, root)).message).toBe(`${modelPath}: weight file a.bin: it is a symlink → /dev/zero, not a regular file; links are never followed into a service image`);
    await rm(join(folder, 'a.bin'));
    await symlink('c.bin', join(folder, 'a.bin'));
    expect((await refusal(modelPath, root)).message).toContain('weight file a.bin: it is a symlink → c.bin');
    await rm(join(folder, 'a.bin'));
    await writeFile(join(folder, 'a.bin'), 'w');
    execFileSync('mkfifo', [join(folder, 'b.bin')]);
    expect((await refusal(modelPath, root)).message).toContain('weight file b.bin: it is a FIFO, not a regular file');
    await rm(join(folder, 'b.bin'));
    await writeFile(join(folder, 'b.bin'), 'w');
    await symlink('/etc', join(folder, 'sub'));
    expect((await refusal(modelPath, root)).message).toContain('weight file sub/d.bin: sub is a symlink → /etc, not a folder');
  });

  it('refuses a model reached through a linked folder of the project', async () => {
    const { root, modelPath } = await model(['a.bin']);
    await symlink(join(root, 'results'), join(root, 'linked'));
    const error = await refusal(join(root, 'linked/m/model.json'), root);
    expect(error.message).toBe(`${join(root, 'linked/m/model.json')}: linked is a symlink → ${join(root, 'results')}, not a folder; links are never followed into a service image`);
    expect(await modelFiles(modelPath, root)).toHaveLength(2);
  });
});
