// Formats a prediction the way the original Flask service printed it: Python's str() of a numpy float32,
// here with 7 significant digits (e.g. "2.160104e-16", "0.5", "1.0").

/** Python's '%.7g' of the value rounded to float32, with numpy's ".0" on whole numbers. */
export function formatPrediction(value: number): string {
  const x = Math.fround(value);
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const precision = 7;
  const [mantissa, exponentText] = x.toExponential(precision - 1).split('e');
  const exponent = Number(exponentText);
  let text: string;
  // %g's rule: scientific when the exponent is below -4 or at least the precision.
  if (exponent < -4 || exponent >= precision) {
    const sign = exponent < 0 ? '-' : '+';
    text = `${stripZeros(mantissa)}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  } else {
    text = stripZeros(x.toFixed(Math.max(0, precision - 1 - exponent)));
  }
  return /[.e]/.test(text) ? text : `${text}.0`;
}

function stripZeros(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}
