// The notebook loads this library from a tslab cell with `importTs` from `repro/notebook`; check that path, types
// included, with tslab's own converter and executor (what the kernel runs), in-process and without ZeroMQ.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

interface Converter {
  close(): void;
}
interface Executor {
  execute(source: string): Promise<boolean>;
}

const require = createRequire(import.meta.url);
const { createConverter } = require('tslab/dist/converter.js') as { createConverter: (o: { isJS: boolean; isBrowser: boolean }) => Converter };
const { createExecutor } = require('tslab/dist/executor.js') as {
  createExecutor: (root: string, convs: { node: Converter; browser: Converter; close(): void }, console: { log: (...a: unknown[]) => void; error: (...a: unknown[]) => void }) => Executor;
};

describe("importTs from 'repro/notebook' in a tslab cell", () => {
  it('imports the library and the chart helper', async () => {
    const converter = createConverter({ isJS: false, isBrowser: false });
    const logs: string[] = [];
    const errors: string[] = [];
    const executor = createExecutor(process.cwd(), { node: converter, browser: converter, close: () => converter.close() }, {
      log: (...a) => logs.push(a.join(' ')),
      error: (...a) => errors.push(a.join(' ')),
    });
    try {
      const ok = await executor.execute(`
import { importTs } from 'repro/notebook';
const sc = await importTs<any>('notebooks/lib/starcraft/index.ts');
const charts = await importTs<{ renderChart: unknown }>('notebooks/lib/charts.ts');
(globalThis as any).starcraftProbe = [sc.publishedFrames().length, sc.MODELS.join(','), typeof charts.renderChart].join(' ');
`);
      expect(errors).toEqual([]);
      expect(ok).toBe(true);
      const probe = (globalThis as { starcraftProbe?: string }).starcraftProbe;
      expect(probe).toBe('49 boosted_trees,knn_as_published,knn_corrected,multinomial_logistic,cart function');
      expect(logs).toEqual([probe]); // tslab displays the cell's last value, nothing else
    } finally {
      converter.close();
    }
  });

  it('is typed: a wrong argument is a TypeScript error, not a run-time surprise', async () => {
    const converter = createConverter({ isJS: false, isBrowser: false });
    const errors: string[] = [];
    const executor = createExecutor(process.cwd(), { node: converter, browser: converter, close: () => converter.close() }, {
      log: () => {},
      error: (...a) => errors.push(a.join(' ')),
    });
    try {
      const ok = await executor.execute(`import { importTs } from 'repro/notebook';\nimportTs(42);`);
      expect(ok).toBe(false);
      expect(errors.join('\n')).toContain("Argument of type 'number' is not assignable to parameter of type 'string'");
    } finally {
      converter.close();
    }
  });
});
