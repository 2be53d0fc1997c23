// Puts a finished folder in place of another: a failed or interrupted swap never loses the folder it replaces.
import { randomBytes } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Moves `source` to `destination` (both on one file system). rename(2) replaces a missing or empty folder
 * atomically; a non-empty one is first moved aside and put back if the second rename fails, so the destination
 * ends up holding either the old or the new folder in full.
 */
export async function swapFolder(source: string, destination: string): Promise<void> {
  try {
    await rename(source, destination);
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
  }
  const aside = join(dirname(destination), `.${basename(destination)}.old-${randomBytes(4).toString('hex')}`);
  await rename(destination, aside);
  try {
    await rename(source, destination);
  } catch (error) {
    await rename(aside, destination);
    throw error;
  }
  await rm(aside, { recursive: true, force: true });
}
