// tslab sends each iopub message without waiting for the previous one, and zeromq.js defers every send after 512
// synchronous ones in one turn of the event loop, throwing EBUSY at the next: a cell printing more than ~500 lines
// in a loop loses the rest of its output, its execute_reply and its idle status. This preload, given to tslab's
// Node process with NODE_OPTIONS, makes the Publisher tslab creates send synchronously (sendTimeout 0: never
// deferred, never EBUSY) with no send high-water mark, so a burst reaches repro whole and in order.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const source = (option: string) => `'use strict';
// Written by repro (src/kernel/tslab-send.ts) for this kernel only.
const Module = require('module');
// The notebook, and the programs it starts, see NODE_OPTIONS as it was without repro's --require.
const rest = (process.env.NODE_OPTIONS || '').replace(${JSON.stringify(option)}, '').trim();
if (rest) process.env.NODE_OPTIONS = rest;
else delete process.env.NODE_OPTIONS;
const load = Module._load;
Module._load = function (request) {
  const exported = load.apply(this, arguments);
  if (request === 'zeromq' && exported && typeof exported.Publisher === 'function' && !exported.Publisher.reproSynchronous) {
    const Publisher = exported.Publisher;
    class SynchronousPublisher extends Publisher {
      constructor(options) {
        super(Object.assign({ sendTimeout: 0, sendHighWaterMark: 0 }, options));
      }
    }
    SynchronousPublisher.reproSynchronous = true;
    exported.Publisher = SynchronousPublisher;
  }
  return exported;
};
`;

/** tslab and jslab, whichever way their kernelspec starts them. */
export function isTslab(spec: { name: string; argv: string[] }): boolean {
  return spec.name === 'tslab' || spec.name === 'jslab' || spec.argv.some((arg) => /(^|\/)tslab(\/bin\/tslab)?$/.test(arg));
}

/** Writes the preload into the kernel's private folder; returns the environment that loads it. */
export async function withSynchronousSends(dir: string, env: NodeJS.ProcessEnv): Promise<NodeJS.ProcessEnv> {
  const file = join(dir, 'tslab-send.cjs');
  const option = `--require ${JSON.stringify(file)}`;
  await writeFile(file, source(option), { mode: 0o600 });
  return { ...env, NODE_OPTIONS: [env.NODE_OPTIONS, option].filter(Boolean).join(' ') };
}
