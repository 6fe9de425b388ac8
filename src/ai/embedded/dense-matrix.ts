/**
 * A row-major matrix of float64 values: row `r`, column `c` lives at `data[r * cols + c]`.
 * The embedded classifier's feature rows and logits are passed around in this shape so that a
 * batch of 100,000 rows is one allocation, not 100,000 arrays.
 */
export interface DenseMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

/** A zero-filled `rows × cols` matrix. */
export function createMatrix(rows: number, cols: number): DenseMatrix {
  if (!Number.isInteger(rows) || rows < 0) throw new RangeError(`rows must be an integer ≥ 0, got ${rows}`);
  if (!Number.isInteger(cols) || cols < 1) throw new RangeError(`cols must be an integer ≥ 1, got ${cols}`);
  return { rows, cols, data: new Float64Array(rows * cols) };
}

/** Builds a matrix from equal-length rows (handy in tests and for small inputs). */
export function matrixFromRows(
  rows: readonly (readonly number[] | Float64Array)[],
  cols?: number,
): DenseMatrix {
  const width = cols ?? rows[0]?.length;
  if (width === undefined) throw new RangeError('matrixFromRows needs at least one row or an explicit cols');
  const matrix = createMatrix(rows.length, width);
  rows.forEach((row, r) => {
    if (row.length !== width) throw new RangeError(`row ${r} has ${row.length} values, expected ${width}`);
    matrix.data.set(row, r * width);
  });
  return matrix;
}

/** A view (no copy) of row `r`. */
export function rowOf(matrix: DenseMatrix, r: number): Float64Array {
  return matrix.data.subarray(r * matrix.cols, (r + 1) * matrix.cols);
}
