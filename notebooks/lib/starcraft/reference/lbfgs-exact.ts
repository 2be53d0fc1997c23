// The previous implementation of lbfgs.ts (the vector work in JavaScript), kept only so that tests can check
// that the WebAssembly one (lbfgs-kernel.ts) takes the same steps to the bit. Not used by the analysis.
import { type LbfgsOptions, type LbfgsResult, type Objective, type SplitObjective } from '../lbfgs.ts';

/** `f` as a SplitObjective: its gradient is computed with every value and copied out when asked for. */
function split(f: Objective, n: number): SplitObjective {
  const last = new Float64Array(n);
  return { value: (x) => f(x, last), gradient: (out) => out.set(last) };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

export function lbfgs(f: Objective | SplitObjective, start: Float64Array, options: LbfgsOptions): LbfgsResult {
  const n = start.length;
  const memory = options.memory ?? 10;
  const objective = typeof f === 'function' ? split(f, n) : f;
  let x: Float64Array = Float64Array.from(start);
  let g: Float64Array = new Float64Array(n);
  let value = objective.value(x);
  objective.gradient(g);
  const s: Float64Array[] = [];
  const y: Float64Array[] = [];
  const rho: number[] = [];
  const direction = new Float64Array(n);
  const alpha = new Float64Array(memory);
  let iterations = 0;
  // Arrays no longer needed (the previous point and gradient, pairs dropped from memory), reused so that the
  // loop allocates nothing once it runs: every value is computed as before.
  const spare: Float64Array[] = [];
  const recycled: Float64Array[] = [];
  while (iterations < options.maxIterations && maxAbs(g) > options.tolerance) {
    iterations++;
    // Two-loop recursion: direction = −H·g with H the L-BFGS inverse-Hessian estimate.
    direction.set(g);
    for (let k = s.length - 1; k >= 0; k--) {
      const a = (alpha[k] = rho[k] * dot(s[k], direction));
      const yPair = y[k];
      for (let i = 0; i < n; i++) direction[i] -= a * yPair[i];
    }
    const last = s.length - 1;
    const gamma = last >= 0 ? dot(s[last], y[last]) / dot(y[last], y[last]) : 1 / Math.max(1, maxAbs(g));
    for (let i = 0; i < n; i++) direction[i] *= gamma;
    for (let k = 0; k < s.length; k++) {
      const beta = rho[k] * dot(y[k], direction);
      const coefficient = alpha[k] - beta;
      const sPair = s[k];
      for (let i = 0; i < n; i++) direction[i] += sPair[i] * coefficient;
    }
    for (let i = 0; i < n; i++) direction[i] = -direction[i];
    let slope = dot(g, direction);
    if (slope >= 0) {
      // Not a descent direction (curvature estimate went bad): restart from steepest descent.
      s.length = y.length = rho.length = 0;
      for (let i = 0; i < n; i++) direction[i] = -g[i];
      slope = -dot(g, g);
    }
    let step = 1;
    const next = spare.pop() ?? new Float64Array(n);
    const nextGradient = spare.pop() ?? new Float64Array(n);
    let nextValue = Infinity;
    for (let tries = 0; tries < 40; tries++) {
      for (let i = 0; i < n; i++) next[i] = x[i] + step * direction[i];
      nextValue = objective.value(next);
      if (nextValue <= value + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(nextValue < value)) break; // no progress possible at this precision
    objective.gradient(nextGradient); // at `next`, the last point tried (kept, or the last of the 40 tries)
    const sk = recycled.pop() ?? new Float64Array(n);
    const yk = recycled.pop() ?? new Float64Array(n);
    for (let i = 0; i < n; i++) {
      sk[i] = next[i] - x[i];
      yk[i] = nextGradient[i] - g[i];
    }
    const sy = dot(sk, yk);
    if (sy > 1e-12) {
      if (s.length === memory) {
        recycled.push(s.shift() as Float64Array, y.shift() as Float64Array);
        rho.shift();
      }
      s.push(sk);
      y.push(yk);
      rho.push(1 / sy);
    } else recycled.push(sk, yk);
    spare.push(x, g);
    x = next;
    g = nextGradient;
    value = nextValue;
  }
  return { x, value, iterations };
}
