// A dense row-major matrix of numbers: the one shape every model here takes as input.

export interface Matrix {
  rows: number;
  cols: number;
  /** row-major: element (i, j) is values[i * cols + j] */
  values: Float64Array;
}

export function matrix(rows: number, cols: number, values?: Float64Array): Matrix {
  const data = values ?? new Float64Array(rows * cols);
  if (data.length !== rows * cols) throw new RangeError(`matrix: ${data.length} values for ${rows} × ${cols}`);
  return { rows, cols, values: data };
}

export function fromRows(rows: readonly (readonly number[])[]): Matrix {
  const cols = rows[0]?.length ?? 0;
  const out = matrix(rows.length, cols);
  rows.forEach((row, i) => out.values.set(row, i * cols));
  return out;
}

/** The rows at `indices`, in that order. */
export function selectRows(m: Matrix, indices: readonly number[]): Matrix {
  const out = matrix(indices.length, m.cols);
  indices.forEach((row, i) => out.values.set(m.values.subarray(row * m.cols, (row + 1) * m.cols), i * m.cols));
  return out;
}

/** `m` with one more column on the right. */
export function appendColumn(m: Matrix, column: ArrayLike<number>): Matrix {
  const out = matrix(m.rows, m.cols + 1);
  for (let i = 0; i < m.rows; i++) {
    out.values.set(m.values.subarray(i * m.cols, (i + 1) * m.cols), i * out.cols);
    out.values[i * out.cols + m.cols] = column[i];
  }
  return out;
}

export function row(m: Matrix, i: number): Float64Array {
  return m.values.subarray(i * m.cols, (i + 1) * m.cols);
}
