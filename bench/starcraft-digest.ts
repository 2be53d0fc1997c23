// Digests of every fitted StarCraft model on all 49 published frames (boosted trees as JSON, softmax weights
// and iteration count, the CART tree, every model's test predictions), one line per frame and model: two runs
// of this script print identical lines exactly when the models are identical to the bit. A check for
// optimisations of notebooks/lib/starcraft/*, whose outputs must not change.
// Run: npx tsx bench/starcraft-digest.ts [seed] > digest.txt   (needs data/scmPvT_Protoss_Mid.csv)
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fitBoosting } from '../notebooks/lib/starcraft/boosting.ts';
import { fitCart } from '../notebooks/lib/starcraft/cart.ts';
import { censor, loadGames, publishedFrames } from '../notebooks/lib/starcraft/data.ts';
import { selectRows } from '../notebooks/lib/starcraft/matrix.ts';
import { BOOSTING } from '../notebooks/lib/starcraft/models.ts';
import { fitAll, frameSplit } from '../notebooks/lib/starcraft/protocol.ts';
import { fitSoftmax } from '../notebooks/lib/starcraft/softmax.ts';

const DATA = 'data/scmPvT_Protoss_Mid.csv';
if (!existsSync(DATA)) {
  console.error(`${DATA} is missing: run \`REPRO_DATA_MIRROR=../shared/data node bin/repro.js fetch\` first`);
  process.exit(2);
}
const seed = Number(process.argv[2] ?? 42);
const games = loadGames(DATA);
const classes = games.classNames.length;
const digest = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex').slice(0, 16);
const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
for (const frame of publishedFrames()) {
  const x = censor(games.features, frame);
  const split = frameSplit(games, seed, frame);
  const trainX = selectRows(x, split.train);
  const trainY = Int32Array.from(split.train, (r) => games.labels[r]);
  const boosted = fitBoosting(trainX, trainY, { ...BOOSTING, classes: Math.max(BOOSTING.classes, classes) });
  console.log(`${frame} boosted_trees.trees ${digest(JSON.stringify(boosted.trees))}`);
  const softmax = fitSoftmax(trainX, trainY, { classes });
  console.log(`${frame} multinomial_logistic.weights ${digest(bytes(softmax.weights))} ${softmax.iterations}`);
  console.log(`${frame} cart.tree ${digest(JSON.stringify(fitCart(trainX, trainY, { classes }).root))}`);
  for (const fitted of fitAll(games, x, split, seed, frame)) console.log(`${frame} ${fitted.model}.predicted ${digest(bytes(fitted.predicted))}`);
}
