// The toolkit's version, read once from package.json; recorded in locks, image labels and verify records.
import { readFileSync } from 'node:fs';

const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

export const toolkitVersion: string = packageJson.version;
