// The image archive in the shared folder: written once per image id, never half a file.
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureImageArchive, imageArchivePath } from '../../src/cluster/image-archive.ts';
import { EngineError } from '../../src/errors.ts';

const id = `sha256:${'0f'.repeat(32)}`;

describe('ensureImageArchive', () => {
  let project: string;
  beforeEach(async () => {
    project = await mkdtemp(join(tmpdir(), 'repro-archive-'));
  });
  afterEach(async () => rm(project, { recursive: true, force: true }));

  it('saves the image by id once into .repro/images/<id>.tar; a second call reuses it', async () => {
    const saved: string[] = [];
    const save = async (ref: string) => {
      saved.push(ref);
      return Readable.from([Buffer.from('layer one '), Buffer.from('layer two')]);
    };
    const first = await ensureImageArchive(project, id, save);
    expect(first).toEqual({ path: join(project, '.repro/images', `${'0f'.repeat(32)}.tar`), written: true, bytes: 19 });
    expect(await readFile(first.path, 'utf8')).toBe('layer one layer two');
    expect(await ensureImageArchive(project, id, save)).toEqual({ ...first, written: false });
    expect(saved).toEqual([id]);
  });

  it('a save that breaks off leaves no archive and no partial file, and says so (exit 3)', async () => {
    const save = async () =>
      new Readable({
        read() {
          this.push(Buffer.from('half'));
          this.destroy(new Error('engine hung up'));
        },
      });
    const error = await ensureImageArchive(project, id, save).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).message).toMatch(/^cannot write the image archive .*\.tar: engine hung up$/);
    expect(existsSync(imageArchivePath(project, id))).toBe(false);
    expect(await readdir(join(project, '.repro/images'))).toEqual([]);
  });

  it('refuses anything but an image id', () => {
    expect(() => imageArchivePath(project, 'repro/sample:latest')).toThrow("'repro/sample:latest' is not an image id (sha256:…)");
  });
});
