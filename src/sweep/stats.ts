// Mean, sample standard deviation and Student's t interval of a group of values; the t quantile is computed
// (regularised incomplete beta by Lentz's continued fraction, then bisection), not looked up.

export interface GroupStats {
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1); NaN for n < 2. */
  sd: number;
  /** 95% interval of the mean, mean ± t(0.975, n − 1) · sd / √n; NaN for n < 2. */
  low: number;
  high: number;
  /** The smallest and largest value (the range of the group's points); NaN for n = 0. */
  min: number;
  max: number;
}

/** Statistics of the finite values; NaN (a point whose metric is missing or not a number) is left out of n. */
export function groupStats(values: readonly number[], level = 0.95): GroupStats {
  const finite = values.filter((value) => Number.isFinite(value));
  const n = finite.length;
  if (n === 0) return { n, mean: Number.NaN, sd: Number.NaN, low: Number.NaN, high: Number.NaN, min: Number.NaN, max: Number.NaN };
  const mean = finite.reduce((sum, value) => sum + value, 0) / n;
  const min = finite.reduce((low, value) => Math.min(low, value));
  const max = finite.reduce((high, value) => Math.max(high, value));
  if (n < 2) return { n, mean, sd: Number.NaN, low: Number.NaN, high: Number.NaN, min, max };
  const sd = Math.sqrt(finite.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (n - 1));
  const half = tQuantile(1 - (1 - level) / 2, n - 1) * (sd / Math.sqrt(n));
  return { n, mean, sd, low: mean - half, high: mean + half, min, max };
}

/** The p-quantile (p > 0.5) of Student's t distribution with df degrees of freedom. */
export function tQuantile(p: number, df: number): number {
  if (!(p > 0.5 && p < 1) || !(df > 0)) throw new RangeError(`tQuantile needs 0.5 < p < 1 and df > 0 (got p ${p}, df ${df})`);
  // P(T > t) = I_{df/(df+t²)}(df/2, 1/2) / 2, decreasing in t: bisect on t.
  const tail = 1 - p;
  let low = 0;
  let high = 1;
  while (studentTail(high, df) > tail) high *= 2;
  for (let i = 0; i < 200 && high - low > 1e-12 * high; i++) {
    const middle = (low + high) / 2;
    if (studentTail(middle, df) > tail) low = middle;
    else high = middle;
  }
  return (low + high) / 2;
}

/** P(T > t) for t ≥ 0. */
function studentTail(t: number, df: number): number {
  return regularizedBeta(df / (df + t * t), df / 2, 0.5) / 2;
}

/** I_x(a, b), the regularised incomplete beta function. */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  // The continued fraction converges fast for x < (a+1)/(a+b+2); use the symmetry otherwise.
  if (x < (a + 1) / (a + b + 2)) return (front * betaFraction(x, a, b)) / a;
  return 1 - (front * betaFraction(1 - x, b, a)) / b;
}

function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < tiny ? tiny : d);
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    for (const term of [(m * (b - m) * x) / ((a + m2 - 1) * (a + m2)), (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1))]) {
      d = 1 + term * d;
      d = 1 / (Math.abs(d) < tiny ? tiny : d);
      c = 1 + term / c;
      if (Math.abs(c) < tiny) c = tiny;
      h *= d * c;
    }
    if (Math.abs(d * c - 1) < 1e-15) break;
  }
  return h;
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9): about 15 significant digits. */
function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const g = 7;
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  const z = x - 1;
  let sum = c[0];
  for (let i = 1; i < g + 2; i++) sum += c[i] / (z + i);
  const t = z + g + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}
