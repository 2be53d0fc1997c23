// The two hold-out protocols, as row-index ranges in file order.

export interface Split {
  train: Int32Array;
  validation: Int32Array;
  description: string;
}

function range(from: number, to: number): Int32Array {
  const out = new Int32Array(to - from);
  for (let i = 0; i < out.length; i++) out[i] = from + i;
  return out;
}

/**
 * Keras' `validation_split=f`: `split_at = int(n * (1 - f))` (keras/engine/training_arrays.py,
 * 2.2.4), taken before any shuffling, so the LAST rows of the file are the validation set.
 */
export function kerasValidationSplit(rows: number, fraction: number): Split {
  if (!(fraction > 0 && fraction < 1)) throw new RangeError(`validation fraction must be in (0, 1) (got ${fraction})`);
  const splitAt = Math.trunc(rows * (1 - fraction));
  return {
    train: range(0, splitAt),
    validation: range(splitAt, rows),
    description: `Keras validation_split=${fraction}: rows ${splitAt}..${rows - 1} (the last ${rows - splitAt} in file order) held out; trained on rows 0..${splitAt - 1}`,
  };
}

/** The stricter protocol: the FIRST `count` rows held out, the model trained on the rest. */
export function firstRowsHoldout(rows: number, count: number): Split {
  if (!(Number.isInteger(count) && count > 0 && count < rows)) throw new RangeError(`hold-out count must be an integer in (0, ${rows}) (got ${count})`);
  return {
    train: range(count, rows),
    validation: range(0, count),
    description: `first ${count} rows (0..${count - 1}) held out; trained on rows ${count}..${rows - 1}`,
  };
}
