// The toolkit's version, read once from package.json; recorded in locks, image labels and verify records.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The toolkit's own folder: the nearest one above this module with package.json (works from src/ and dist/). */
function findToolkitRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('repro: cannot find the toolkit package.json');
    dir = parent;
  }
  return dir;
}

export const toolkitRoot: string = findToolkitRoot();

const packageJson = JSON.parse(readFileSync(join(toolkitRoot, 'package.json'), 'utf8')) as { version: string };

export const toolkitVersion: string = packageJson.version;
