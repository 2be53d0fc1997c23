// Bundles the CLI into dist/cli/ with esbuild (dependencies stay external) so that `repro` starts without
// compiling TypeScript on every run; bin/repro.js falls back to tsx when the bundle is missing or older than src/.
import { build } from 'esbuild';
import { rm, writeFile } from 'node:fs/promises';

await rm('dist', { recursive: true, force: true });
await build({
  entryPoints: ['src/cli/main.ts'],
  outdir: 'dist/cli', // two levels deep, like src/<module>/, so paths relative to a module still reach the root
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
await writeFile('dist/cli/.stamp', new Date().toISOString() + '\n');
