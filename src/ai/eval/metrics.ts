/**
 * Classification metrics, as pure functions over labels or a confusion matrix. Conventions follow
 * scikit-learn with `zero_division=0`: a precision with no predictions of that class is 0, a recall
 * with no true examples is 0, and an F1 with precision + recall = 0 is 0.
 */

/** Rows are the true class, columns the predicted class, both in the order of `labels`. */
export type ConfusionMatrix = number[][];

/** Precision, recall and F1 of one class, and how many examples truly had it (`support`). */
export interface ClassMetrics<Label extends string = string> {
  label: Label;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** Everything `evaluateClassifications` measures, ready to store with a model or print. */
export interface ClassificationReport<Label extends string = string> {
  labels: readonly Label[];
  examples: number;
  accuracy: number;
  macroF1: number;
  perClass: ClassMetrics<Label>[];
  confusionMatrix: ConfusionMatrix;
}

/**
 * Counts (truth, predicted) pairs into a `labels.length × labels.length` matrix.
 *
 * @example
 * confusionMatrix(['a', 'b'], ['a', 'a'], ['a', 'b']); // [[1, 0], [1, 0]]
 */
export function confusionMatrix<Label extends string>(
  truth: readonly Label[],
  predicted: readonly Label[],
  labels: readonly Label[],
): ConfusionMatrix {
  if (truth.length !== predicted.length) {
    throw new RangeError(`truth has ${truth.length} labels but predicted has ${predicted.length}`);
  }
  const index = new Map(labels.map((label, i) => [label, i]));
  if (index.size !== labels.length) throw new RangeError(`labels must be distinct: ${labels.join(', ')}`);
  const matrix = labels.map(() => labels.map(() => 0));
  truth.forEach((actual, i) => {
    const row = index.get(actual);
    const guess = predicted[i];
    const col = guess === undefined ? undefined : index.get(guess);
    if (row === undefined)
      throw new RangeError(`truth[${i}] is "${actual}", not one of ${labels.join(', ')}`);
    if (col === undefined)
      throw new RangeError(`predicted[${i}] is "${guess}", not one of ${labels.join(', ')}`);
    const counts = matrix[row];
    if (counts) counts[col] = (counts[col] ?? 0) + 1;
  });
  return matrix;
}

/** Share of examples on the diagonal. Throws on a matrix that counts no examples. */
export function accuracy(matrix: ConfusionMatrix): number {
  checkSquare(matrix);
  const total = sum(matrix.map(sum));
  if (total === 0) throw new RangeError('accuracy needs at least one example');
  return sum(matrix.map((row, i) => row[i] ?? 0)) / total;
}

/** Per-class precision, recall, F1 and support, in the order of `labels`. */
export function classMetrics<Label extends string>(
  matrix: ConfusionMatrix,
  labels: readonly Label[],
): ClassMetrics<Label>[] {
  checkSquare(matrix);
  if (matrix.length !== labels.length) {
    throw new RangeError(`the matrix has ${matrix.length} classes but ${labels.length} labels were given`);
  }
  return labels.map((label, k) => {
    const truePositives = matrix[k]?.[k] ?? 0;
    const support = sum(matrix[k] ?? []);
    const predicted = sum(matrix.map((row) => row[k] ?? 0));
    const precision = predicted === 0 ? 0 : truePositives / predicted;
    const recall = support === 0 ? 0 : truePositives / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { label, precision, recall, f1, support };
  });
}

/**
 * Unweighted mean of the per-class F1 scores, so a rare class counts as much as a common one.
 * Classes that neither occur nor are predicted are left out (they have no F1 to speak of).
 */
export function macroF1(matrix: ConfusionMatrix): number {
  const labels = matrix.map((_, k) => String(k));
  const scored = classMetrics(matrix, labels).filter(
    (metrics, k) => metrics.support > 0 || sum(matrix.map((row) => row[k] ?? 0)) > 0,
  );
  if (scored.length === 0) throw new RangeError('macroF1 needs at least one example');
  return sum(scored.map((metrics) => metrics.f1)) / scored.length;
}

/**
 * Expected calibration error: split predictions into `bins` equal-width confidence bins over
 * [0, 1] (a confidence of exactly 1 falls in the last), and average |accuracy − mean confidence|
 * over the bins, weighted by how many predictions each holds. 0 means perfectly calibrated.
 *
 * @param confidences the probability the model gave its predicted label, 0..1
 * @param correct whether each prediction was right
 * @param bins number of bins, default 10
 */
export function expectedCalibrationError(
  confidences: ArrayLike<number>,
  correct: ArrayLike<boolean>,
  bins = 10,
): number {
  if (confidences.length !== correct.length) {
    throw new RangeError(`${confidences.length} confidences but ${correct.length} outcomes`);
  }
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be an integer ≥ 1, got ${bins}`);
  if (confidences.length === 0)
    throw new RangeError('expectedCalibrationError needs at least one prediction');
  const count = new Float64Array(bins);
  const confidenceSum = new Float64Array(bins);
  const correctSum = new Float64Array(bins);
  for (let i = 0; i < confidences.length; i++) {
    const confidence = confidences[i] ?? Number.NaN;
    if (!(confidence >= 0 && confidence <= 1)) {
      throw new RangeError(`confidence ${i} must be in 0..1, got ${confidence}`);
    }
    const bin = Math.min(bins - 1, Math.floor(confidence * bins));
    count[bin] = (count[bin] ?? 0) + 1;
    confidenceSum[bin] = (confidenceSum[bin] ?? 0) + confidence;
    correctSum[bin] = (correctSum[bin] ?? 0) + (correct[i] ? 1 : 0);
  }
  let error = 0;
  for (let bin = 0; bin < bins; bin++) {
    const n = count[bin] ?? 0;
    if (n === 0) continue;
    error += Math.abs((correctSum[bin] ?? 0) - (confidenceSum[bin] ?? 0)) / confidences.length;
  }
  return error;
}

/** Accuracy, macro-F1, per-class metrics and the confusion matrix of one set of predictions. */
export function evaluateClassifications<Label extends string>(
  truth: readonly Label[],
  predicted: readonly Label[],
  labels: readonly Label[],
): ClassificationReport<Label> {
  const matrix = confusionMatrix(truth, predicted, labels);
  return {
    labels,
    examples: truth.length,
    accuracy: accuracy(matrix),
    macroF1: macroF1(matrix),
    perClass: classMetrics(matrix, labels),
    confusionMatrix: matrix,
  };
}

/**
 * The confusion matrix as an aligned text table: truth down the side, predictions across.
 *
 * @example
 * formatConfusionMatrix([[5, 1], [0, 7]], ['urgent', 'low']);
 * // truth \ predicted  urgent  low
 * // urgent                  5    1
 * // low                     0    7
 */
export function formatConfusionMatrix(matrix: ConfusionMatrix, labels: readonly string[]): string {
  checkSquare(matrix);
  if (matrix.length !== labels.length) {
    throw new RangeError(`the matrix has ${matrix.length} classes but ${labels.length} labels were given`);
  }
  const corner = 'truth \\ predicted';
  const sideWidth = Math.max(corner.length, ...labels.map((label) => label.length));
  const widths = labels.map((label, k) =>
    Math.max(label.length, ...matrix.map((row) => String(row[k] ?? 0).length)),
  );
  const line = (side: string, cells: string[]): string =>
    [side.padEnd(sideWidth), ...cells.map((cell, k) => cell.padStart(widths[k] ?? 0))].join('  ');
  return [
    line(corner, [...labels]),
    ...matrix.map((row, r) =>
      line(
        labels[r] ?? '',
        row.map((count) => String(count)),
      ),
    ),
  ].join('\n');
}

function checkSquare(matrix: ConfusionMatrix): void {
  matrix.forEach((row, r) => {
    if (row.length !== matrix.length) {
      throw new RangeError(`confusion matrix row ${r} has ${row.length} cells, expected ${matrix.length}`);
    }
  });
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
