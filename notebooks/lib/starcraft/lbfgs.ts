// Limited-memory BFGS minimiser with a backtracking (Armijo) line search: enough for smooth convex
// losses such as the softmax regression's, in a few dozen lines and without dependencies. The vector work (the
// two-loop recursion, the trial points, the new pairs) runs in WebAssembly (lbfgs-kernel.ts) on vectors in the
// kernel's memory, the same operations in the same order as the JavaScript loops it replaced
// (reference/lbfgs-exact.ts, which the tests check it against to the bit); the objective is handed views of them.
import { LbfgsKernel, PAIR_BYTES } from './lbfgs-kernel.ts';
import { type Block, WasmMemory } from './wasm.ts';

/** Writes the gradient at x into `gradient` and returns the value at x. */
export type Objective = (x: Float64Array, gradient: Float64Array) => number;

/**
 * An objective evaluated in two steps: `value` at every point the line search tries, `gradient` (at the point
 * of the last `value` call) only at the points it keeps. A rejected step (about one evaluation in ten for the
 * softmax regression) then costs its value only.
 */
export interface SplitObjective {
  value(x: Float64Array): number;
  gradient(out: Float64Array): void;
}

/** `f` as a SplitObjective: its gradient is computed with every value and copied out when asked for. */
function split(f: Objective, n: number): SplitObjective {
  const last = new Float64Array(n);
  return { value: (x) => f(x, last), gradient: (out) => out.set(last) };
}

export interface LbfgsOptions {
  maxIterations: number;
  /** stop when the largest gradient component is below this */
  tolerance: number;
  memory?: number;
}

export interface LbfgsResult {
  x: Float64Array;
  value: number;
  iterations: number;
}

/** s·y below this: the pair is not kept (the curvature estimate would not stay positive definite). */
const CURVATURE = 1e-12;

export function lbfgs(f: Objective | SplitObjective, start: Float64Array, options: LbfgsOptions): LbfgsResult {
  const n = start.length;
  const memory = options.memory ?? 10;
  if (!(memory >= 1)) throw new RangeError(`lbfgs: memory ${memory}`);
  const objective = typeof f === 'function' ? split(f, n) : f;
  // The point, its gradient, the next point tried and its gradient, the direction; memory + 1 (s, y) pairs (the
  // new one is computed before the oldest is dropped); the pair table; s·y and y·y of the new pair.
  const vectors = 5 + 2 * (memory + 1);
  const kernel = new LbfgsKernel(vectors * WasmMemory.bytes(n * 8) + WasmMemory.bytes(memory * PAIR_BYTES) + WasmMemory.bytes(16));
  try {
    let x = kernel.f64(n);
    let g = kernel.f64(n);
    const spare = [kernel.f64(n), kernel.f64(n)];
    const direction = kernel.f64(n);
    /** free pair slots: [s, y] */
    const free: [Block<Float64Array>, Block<Float64Array>][] = [];
    for (let k = 0; k <= memory; k++) free.push([kernel.f64(n), kernel.f64(n)]);
    // The pairs kept, oldest first: their slots here, their records in the kernel's table (s's and y's
    // addresses, ρ, then α written by the recursion), in the same order.
    const kept: [Block<Float64Array>, Block<Float64Array>][] = [];
    const table = kernel.i32(memory * PAIR_BYTES / 4);
    const tableF64 = new Float64Array(table.view.buffer, table.at, memory * PAIR_BYTES / 8);
    const products = kernel.f64(2);
    /** s·y and y·y of the newest pair kept */
    let sy = 0;
    let yy = 0;

    x.view.set(start);
    let value = objective.value(x.view);
    objective.gradient(g.view);
    let iterations = 0;
    for (let largest = kernel.maxAbs(g.at, n); iterations < options.maxIterations && largest > options.tolerance; largest = kernel.maxAbs(g.at, n)) {
      iterations++;
      // Two-loop recursion: direction = −H·g with H the L-BFGS inverse-Hessian estimate, scaled first by
      // s·y / y·y of the newest pair (as dot(s, y) / dot(y, y) of it: the same sums).
      const gamma = kept.length > 0 ? sy / yy : 1 / Math.max(1, largest);
      let slope = kernel.twoLoop(n, g.at, direction.at, table.at, kept.length, gamma);
      if (slope >= 0) {
        // Not a descent direction (curvature estimate went bad): restart from steepest descent.
        free.push(...kept);
        kept.length = 0;
        const d = direction.view;
        const gv = g.view;
        let gg = 0;
        for (let i = 0; i < n; i++) {
          d[i] = -gv[i];
          gg += gv[i] * gv[i];
        }
        slope = -gg;
      }
      let step = 1;
      const next = spare.pop() as Block<Float64Array>;
      const nextGradient = spare.pop() as Block<Float64Array>;
      let nextValue = Infinity;
      for (let tries = 0; tries < 40; tries++) {
        kernel.trial(n, x.at, direction.at, step, next.at);
        nextValue = objective.value(next.view);
        if (nextValue <= value + 1e-4 * step * slope) break;
        step *= 0.5;
      }
      if (!(nextValue < value)) {
        // no progress possible at this precision
        spare.push(next, nextGradient);
        break;
      }
      objective.gradient(nextGradient.view); // at `next`, the last point tried (kept, or the last of the 40 tries)
      const slot = free.pop() as [Block<Float64Array>, Block<Float64Array>];
      kernel.pair(n, x.at, next.at, g.at, nextGradient.at, slot[0].at, slot[1].at, products.at);
      const newSy = products.view[0];
      if (newSy > CURVATURE) {
        if (kept.length === memory) {
          free.push(kept.shift() as [Block<Float64Array>, Block<Float64Array>]);
          table.view.copyWithin(0, PAIR_BYTES / 4, memory * PAIR_BYTES / 4);
        }
        const record = kept.length;
        kept.push(slot);
        table.view[record * PAIR_BYTES / 4] = slot[0].at;
        table.view[record * PAIR_BYTES / 4 + 1] = slot[1].at;
        tableF64[record * PAIR_BYTES / 8 + 1] = 1 / newSy;
        sy = newSy;
        yy = products.view[1];
      } else free.push(slot);
      spare.push(x, g);
      x = next;
      g = nextGradient;
      value = nextValue;
    }
    return { x: x.view.slice(), value, iterations };
  } finally {
    kernel.release();
  }
}
