import type { DenseMatrix } from './dense-matrix.ts';
import { softmaxRow } from './softmax-regression.ts';

/** The fitted temperature and the validation negative log-likelihood before (T = 1) and after. */
export interface TemperatureFit {
  temperature: number;
  nllBefore: number;
  nllAfter: number;
}

/** Search range and precision for `fitTemperature`; the defaults suit any sane model. */
export interface TemperatureSearch {
  /** Smallest temperature tried. Default 0.05. */
  min?: number;
  /** Largest temperature tried. Default 20. */
  max?: number;
  /** Stop when the bracket on ln T is narrower than this. Default 1e-6. */
  tolerance?: number;
}

const GOLDEN = (Math.sqrt(5) - 1) / 2;

/**
 * Temperature scaling (Guo et al., 2017): one scalar `T` that divides every logit, chosen to
 * minimise the negative log-likelihood of held-out rows. It changes no prediction's label, only
 * how confident it is, so `confidence` can be read as a probability.
 *
 * The NLL is convex in 1/T, so a golden-section search over ln T finds the global minimum.
 *
 * @param logits validation logits, `rows × classes`, from a model that never saw these rows
 * @param labels the true class index of each row
 */
export function fitTemperature(
  logits: DenseMatrix,
  labels: Int32Array | readonly number[],
  search: TemperatureSearch = {},
): TemperatureFit {
  const min = search.min ?? 0.05;
  const max = search.max ?? 20;
  const tolerance = search.tolerance ?? 1e-6;
  if (!(min > 0 && max > min && Number.isFinite(max))) {
    throw new RangeError(`the temperature range must satisfy 0 < min < max, got ${min}..${max}`);
  }
  if (!(tolerance > 0)) throw new RangeError(`tolerance must be > 0, got ${tolerance}`);
  if (logits.rows === 0) throw new RangeError('fitTemperature needs at least one validation row');

  const loss = (logTemperature: number): number =>
    negativeLogLikelihood(logits, labels, Math.exp(logTemperature));
  let low = Math.log(min);
  let high = Math.log(max);
  let left = high - GOLDEN * (high - low);
  let right = low + GOLDEN * (high - low);
  let leftLoss = loss(left);
  let rightLoss = loss(right);
  while (high - low > tolerance) {
    if (leftLoss <= rightLoss) {
      high = right;
      right = left;
      rightLoss = leftLoss;
      left = high - GOLDEN * (high - low);
      leftLoss = loss(left);
    } else {
      low = left;
      left = right;
      leftLoss = rightLoss;
      right = low + GOLDEN * (high - low);
      rightLoss = loss(right);
    }
  }
  const temperature = Math.exp((low + high) / 2);
  return {
    temperature,
    nllBefore: negativeLogLikelihood(logits, labels, 1),
    nllAfter: negativeLogLikelihood(logits, labels, temperature),
  };
}

/** Mean negative log-likelihood of the true labels under `softmax(logits / temperature)`. */
export function negativeLogLikelihood(
  logits: DenseMatrix,
  labels: Int32Array | readonly number[],
  temperature: number,
): number {
  if (labels.length !== logits.rows)
    throw new RangeError(`expected ${logits.rows} labels, got ${labels.length}`);
  const scratch = new Float64Array(logits.cols);
  let total = 0;
  for (let row = 0; row < logits.rows; row++) {
    const label = labels[row];
    if (label === undefined || !Number.isInteger(label) || label < 0 || label >= logits.cols) {
      throw new RangeError(`label ${row} must be an integer in 0..${logits.cols - 1}, got ${label}`);
    }
    const base = row * logits.cols;
    const logNormaliser = softmaxRow(logits.data, base, logits.cols, temperature, scratch, 0);
    total += logNormaliser - (logits.data[base + label] ?? 0) / temperature;
  }
  return total / logits.rows;
}
