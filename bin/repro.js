#!/usr/bin/env node
// Starts the CLI: from the esbuild bundle in dist/ when it is newer than every file in src/ (made by `npm ci`
// through the prepare script, or `npm run build`), else straight from the TypeScript sources through tsx.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function bundleIsFresh() {
  if (process.env.REPRO_FROM_SOURCE) return false;
  try {
    const stamp = statSync(join(root, 'dist/cli/.stamp')).mtimeMs;
    return stamp >= newestMtime(join(root, 'src')) && stamp >= statSync(join(root, 'package.json')).mtimeMs;
  } catch {
    return false;
  }
}

if (bundleIsFresh()) {
  await import('../dist/cli/main.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
