// Vitest global set-up: puts the pinned data files of research.yaml in place (cache → $REPRO_DATA_MIRROR → URL)
// so that tests of the analyses run on the real data. In CI a missing file fails the run instead of skipping tests.
import { loadManifest } from '../../src/manifest/load.ts';
import { ensureData } from '../../src/data/index.ts';

export default async function setup(): Promise<void> {
  const root = new URL('../../', import.meta.url).pathname;
  const { manifest } = await loadManifest(root);
  try {
    await ensureData(root, manifest.data);
  } catch (error) {
    if (process.env.CI) throw error;
    console.warn(`tests that need the pinned data will be skipped: ${(error as Error).message.split('\n')[0]}`);
    console.warn('set REPRO_DATA_MIRROR (e.g. ../shared/data) or run `npx repro fetch` to run them');
  }
}
