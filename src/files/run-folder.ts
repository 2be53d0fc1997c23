// A run folder must be a place of its own: one that is, or resolves into, the committed results would verify them
// against themselves (`verify --no-run`), or overwrite them (`run --out`, `accept --from`).
import { realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { UnsafePathError } from '../errors.ts';

export interface RunFolderCheck {
  projectDir: string;
  /** Entrypoint outputs folders, repository-relative: the committed results. */
  outputs: string[];
  /** The run folder, mirroring the repository layout (<folder>/results/…). */
  runFolder: string;
  /** How the user named it, for the message: "--no-run .repro/x", "--out results". */
  given: string;
  hint: string;
}

/**
 * Throws UnsafePathError (exit 2) when the run folder is, or is inside, a committed outputs folder or the top folder
 * holding one (results/), or when one of its outputs folders resolves (through links) to, into or around a
 * committed one. Paths are compared after resolving every link on the way that exists.
 */
export async function assertRunFolderApart(check: RunFolderCheck): Promise<void> {
  const folders = check.outputs.map((output) => output.replace(/\/+$/, '')).filter((output) => output !== '');
  const committed = await Promise.all(folders.map((output) => resolveExisting(join(check.projectDir, output))));
  const root = await resolveExisting(check.projectDir);
  // The top folder of each outputs folder (results/), unless that is the project itself.
  const tops = (await Promise.all(folders.map((output) => resolveExisting(join(check.projectDir, output.split('/')[0]))))).map((top) => (top === root ? undefined : top));
  const run = await resolveExisting(check.runFolder);
  const refuse = (why: string) => {
    throw new UnsafePathError(`${check.given}: ${why}; nothing was compared or written`, check.hint);
  };
  for (const [i, top] of tops.entries()) {
    if (top !== undefined && within(run, top)) refuse(`the run folder ${run === top ? 'is' : 'is inside'} ${folders[i].split('/')[0]}/, which holds the committed results ${folders[i]}`);
  }
  for (const output of folders) {
    const resolved = await resolveExisting(join(check.runFolder, output));
    for (const [i, target] of committed.entries()) {
      if (within(resolved, target) || within(target, resolved)) {
        const how = resolved === resolve(check.runFolder, output) ? '' : ' through a link';
        refuse(`its ${output} resolves${how} to the committed ${folders[i]}${resolved === target ? '' : ' (or a folder around or inside it)'}`);
      }
    }
  }
}

/** Is `path` equal to `folder` or inside it (both absolute, resolved)? */
function within(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The path with every link resolved as far as it exists; the rest (not yet created) appended as given. */
export async function resolveExisting(path: string): Promise<string> {
  const absolute = resolve(path);
  try {
    return await realpath(absolute);
  } catch {
    const parent = dirname(absolute);
    if (parent === absolute) return absolute;
    return join(await resolveExisting(parent), basename(absolute));
  }
}
