import { createMatrix, type DenseMatrix } from './dense-matrix.ts';
import { seededRandom, shuffleInPlace } from './seeded-random.ts';

/**
 * Multinomial logistic (softmax) regression: one linear score per class, turned into class
 * probabilities by a softmax. Unlike one-vs-rest logistic regression, the probabilities of all
 * classes come from one model and sum to 1, which is what temperature calibration needs.
 */
export interface SoftmaxModel {
  readonly classes: number;
  readonly features: number;
  /** Feature-major: the weight of feature `j` for class `k` is at `j * classes + k`. */
  readonly weights: Float64Array;
  /** One intercept per class. */
  readonly bias: Float64Array;
}

/** How to train. Every field but `classes` has a default tuned for ~10⁴–10⁵ rows of standardised features. */
export interface SoftmaxTrainingOptions {
  /** Number of classes; labels are `0 .. classes - 1`. */
  classes: number;
  /** L2 penalty `l2 / 2 · ‖W‖²` on the weights (not the intercepts). Default 1e-4. */
  l2?: number;
  /** Passes over the training rows. Default 40. */
  epochs?: number;
  /** Rows per Adam step; a value ≥ the number of rows means full-batch. Default 256. */
  batchSize?: number;
  /** Adam's initial step size; it decays along a cosine to 1% of this by the last epoch. Default 0.05. */
  learningRate?: number;
  /** Seeds the row shuffle of every epoch, so training is reproducible. Default 1. */
  seed?: number;
}

/** A trained model and the full training objective (mean cross-entropy + L2 term) it reached. */
export interface SoftmaxFit {
  model: SoftmaxModel;
  loss: number;
}

/** The objective value and its gradient at a model, over a whole data set. */
export interface SoftmaxObjective {
  loss: number;
  weightGradient: Float64Array;
  biasGradient: Float64Array;
}

const DEFAULTS = { l2: 1e-4, epochs: 40, batchSize: 256, learningRate: 0.05, seed: 1 } as const;
const ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, finalLearningRateShare: 0.01 } as const;

/** A model of all-zero weights: every class equally likely. */
export function zeroSoftmaxModel(features: number, classes: number): SoftmaxModel {
  if (!Number.isInteger(features) || features < 1)
    throw new RangeError(`features must be ≥ 1, got ${features}`);
  if (!Number.isInteger(classes) || classes < 2) throw new RangeError(`classes must be ≥ 2, got ${classes}`);
  return {
    classes,
    features,
    weights: new Float64Array(features * classes),
    bias: new Float64Array(classes),
  };
}

/**
 * Fits a softmax regression by mini-batch Adam with L2 regularisation. Deterministic: the same
 * rows, labels and options give bit-identical weights. Zero features cost nothing, so one-hot bins
 * and text-presence columns are cheap.
 *
 * @example
 * const { model } = fitSoftmaxRegression(x, labels, { classes: 4 });
 * const probabilities = softmaxProbabilities(softmaxLogits(model, x));
 */
export function fitSoftmaxRegression(
  x: DenseMatrix,
  labels: Int32Array | readonly number[],
  options: SoftmaxTrainingOptions,
): SoftmaxFit {
  const settings = resolveOptions(options);
  const targets = checkLabels(labels, x.rows, settings.classes);
  if (x.rows === 0) throw new RangeError('fitSoftmaxRegression needs at least one row');

  const sparse = toSparseRows(x);
  const state = paddedState(zeroSoftmaxModel(x.cols, settings.classes));
  const { weights, bias } = state;
  const weightMoments = { first: new Float64Array(weights.length), second: new Float64Array(weights.length) };
  const biasMoments = { first: new Float64Array(bias.length), second: new Float64Array(bias.length) };
  const weightGradient = new Float64Array(weights.length);
  const biasGradient = new Float64Array(bias.length);
  const scores = new Float64Array(state.stride);

  const order = Int32Array.from({ length: x.rows }, (_, i) => i);
  const random = seededRandom(settings.seed);
  const batchSize = Math.min(settings.batchSize, x.rows);
  const totalSteps = Math.ceil(x.rows / batchSize) * settings.epochs;
  let step = 0;

  for (let epoch = 0; epoch < settings.epochs; epoch++) {
    shuffleInPlace(order, random);
    for (let start = 0; start < x.rows; start += batchSize) {
      const end = Math.min(start + batchSize, x.rows);
      weightGradient.fill(0);
      biasGradient.fill(0);
      for (let i = start; i < end; i++) {
        const row = order[i] ?? 0;
        accumulateRowGradient(state, sparse, row, targets[row] ?? 0, scores, weightGradient, biasGradient);
      }
      finishGradient(state, weightGradient, biasGradient, 1 / (end - start), settings.l2);

      step++;
      const progress = (step - 1) / Math.max(1, totalSteps - 1);
      const floor = ADAM.finalLearningRateShare;
      const rate = settings.learningRate * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * progress)));
      adamStep(weights, weightGradient, weightMoments, rate, step);
      adamStep(bias, biasGradient, biasMoments, rate, step);
    }
  }

  const loss = objectiveOf(state, sparse, targets, settings.l2).loss;
  return { model: compactModel(state), loss };
}

/**
 * The training objective — mean cross-entropy plus `l2 / 2 · ‖W‖²` — and its exact gradient.
 * Exposed so tests can check the gradient against finite differences.
 */
export function softmaxObjective(
  model: SoftmaxModel,
  x: DenseMatrix,
  labels: Int32Array | readonly number[],
  l2: number,
): SoftmaxObjective {
  const targets = checkLabels(labels, x.rows, model.classes);
  checkShape(model, x);
  const state = paddedState(model);
  const { loss, weightGradient, biasGradient } = objectiveOf(state, toSparseRows(x), targets, l2);
  const compact = compactModel({ ...state, weights: weightGradient, bias: biasGradient });
  return { loss, weightGradient: compact.weights, biasGradient: compact.bias };
}

/** The linear class scores (logits) of every row: a `rows × classes` matrix. */
export function softmaxLogits(model: SoftmaxModel, x: DenseMatrix): DenseMatrix {
  checkShape(model, x);
  const { classes, weights, bias } = model;
  const logits = createMatrix(x.rows, classes);
  const out = logits.data;
  const input = x.data;
  for (let row = 0; row < x.rows; row++) {
    const outBase = row * classes;
    for (let k = 0; k < classes; k++) out[outBase + k] = bias[k] ?? 0;
    const inBase = row * x.cols;
    for (let j = 0; j < x.cols; j++) {
      const value = input[inBase + j] ?? 0;
      if (value === 0) continue;
      const weightBase = j * classes;
      for (let k = 0; k < classes; k++) {
        out[outBase + k] = (out[outBase + k] ?? 0) + value * (weights[weightBase + k] ?? 0);
      }
    }
  }
  return logits;
}

/**
 * Row-wise softmax of `logits / temperature`: a `rows × classes` matrix of probabilities.
 * `temperature` > 1 softens over-confident scores, < 1 sharpens them. Default 1.
 */
export function softmaxProbabilities(logits: DenseMatrix, temperature = 1): DenseMatrix {
  if (!(temperature > 0) || !Number.isFinite(temperature)) {
    throw new RangeError(`temperature must be a finite number > 0, got ${temperature}`);
  }
  const probabilities = createMatrix(logits.rows, logits.cols);
  for (let row = 0; row < logits.rows; row++) {
    const base = row * logits.cols;
    softmaxRow(logits.data, base, logits.cols, temperature, probabilities.data);
  }
  return probabilities;
}

/**
 * Writes `softmax(source[sourceBase ..+width) / temperature)` into `target` from `targetBase`
 * (default: the same offset) and returns `log Σ exp` of the scaled scores, so a cross-entropy
 * needs no second pass.
 */
export function softmaxRow(
  source: Float64Array,
  sourceBase: number,
  width: number,
  temperature: number,
  target: Float64Array,
  targetBase = sourceBase,
): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < width; k++) max = Math.max(max, (source[sourceBase + k] ?? 0) / temperature);
  let sum = 0;
  for (let k = 0; k < width; k++) {
    const e = Math.exp((source[sourceBase + k] ?? 0) / temperature - max);
    target[targetBase + k] = e;
    sum += e;
  }
  for (let k = 0; k < width; k++) target[targetBase + k] = (target[targetBase + k] ?? 0) / sum;
  return max + Math.log(sum);
}

interface SparseRows {
  offsets: Int32Array;
  columns: Int32Array;
  values: Float64Array;
}

/** Compressed sparse rows: training touches only the non-zero features of each row. */
function toSparseRows(x: DenseMatrix): SparseRows {
  let count = 0;
  for (let p = 0; p < x.data.length; p++) if (x.data[p] !== 0) count++;
  const offsets = new Int32Array(x.rows + 1);
  const columns = new Int32Array(count);
  const values = new Float64Array(count);
  let next = 0;
  for (let row = 0; row < x.rows; row++) {
    const base = row * x.cols;
    for (let j = 0; j < x.cols; j++) {
      const value = x.data[base + j] ?? 0;
      if (value === 0) continue;
      if (!Number.isFinite(value)) throw new RangeError(`feature ${j} of row ${row} is not finite: ${value}`);
      columns[next] = j;
      values[next] = value;
      next++;
    }
    offsets[row + 1] = next;
  }
  return { offsets, columns, values };
}

/**
 * Training works on weights padded to a multiple of 4 classes (`stride`), so the inner loops can
 * keep four class scores in local variables: about twice as fast as a loop over classes. Padded
 * classes have zero weights and zero gradients, and never enter the softmax.
 */
interface PaddedState {
  classes: number;
  features: number;
  stride: number;
  /** `features × stride`, feature-major. */
  weights: Float64Array;
  /** `stride` intercepts. */
  bias: Float64Array;
}

function paddedState(model: SoftmaxModel): PaddedState {
  const { classes, features } = model;
  const stride = Math.ceil(classes / 4) * 4;
  const weights = new Float64Array(features * stride);
  const bias = new Float64Array(stride);
  for (let j = 0; j < features; j++) {
    for (let k = 0; k < classes; k++) weights[j * stride + k] = model.weights[j * classes + k] ?? 0;
  }
  bias.set(model.bias);
  return { classes, features, stride, weights, bias };
}

function compactModel(state: PaddedState): SoftmaxModel {
  const { classes, features, stride } = state;
  const weights = new Float64Array(features * classes);
  for (let j = 0; j < features; j++) {
    for (let k = 0; k < classes; k++) weights[j * classes + k] = state.weights[j * stride + k] ?? 0;
  }
  return { classes, features, weights, bias: state.bias.slice(0, classes) };
}

/** Full-data objective and gradient on the padded state. */
function objectiveOf(
  state: PaddedState,
  sparse: SparseRows,
  targets: Int32Array,
  l2: number,
): { loss: number; weightGradient: Float64Array; biasGradient: Float64Array } {
  const weightGradient = new Float64Array(state.weights.length);
  const biasGradient = new Float64Array(state.bias.length);
  const scores = new Float64Array(state.stride);
  let crossEntropy = 0;
  for (let row = 0; row < targets.length; row++) {
    crossEntropy += accumulateRowGradient(
      state,
      sparse,
      row,
      targets[row] ?? 0,
      scores,
      weightGradient,
      biasGradient,
    );
  }
  const scale = targets.length === 0 ? 0 : 1 / targets.length;
  let penalty = 0;
  for (const weight of state.weights) penalty += weight * weight;
  finishGradient(state, weightGradient, biasGradient, scale, l2);
  return { loss: crossEntropy * scale + 0.5 * l2 * penalty, weightGradient, biasGradient };
}

/** Scales summed row gradients to a mean and adds the L2 term. */
function finishGradient(
  state: PaddedState,
  weightGradient: Float64Array,
  biasGradient: Float64Array,
  scale: number,
  l2: number,
): void {
  const { weights } = state;
  for (let p = 0; p < weights.length; p++) {
    weightGradient[p] = (weightGradient[p] ?? 0) * scale + l2 * (weights[p] ?? 0);
  }
  for (let k = 0; k < biasGradient.length; k++) biasGradient[k] = (biasGradient[k] ?? 0) * scale;
}

/** Adds one row's cross-entropy gradient into the accumulators; returns its cross-entropy. */
function accumulateRowGradient(
  state: PaddedState,
  sparse: SparseRows,
  row: number,
  target: number,
  scores: Float64Array,
  weightGradient: Float64Array,
  biasGradient: Float64Array,
): number {
  const { classes, stride, weights, bias } = state;
  const { values, columns } = sparse;
  const from = sparse.offsets[row] ?? 0;
  const to = sparse.offsets[row + 1] ?? 0;
  for (let g = 0; g < stride; g += 4) {
    let s0 = bias[g] ?? 0;
    let s1 = bias[g + 1] ?? 0;
    let s2 = bias[g + 2] ?? 0;
    let s3 = bias[g + 3] ?? 0;
    for (let p = from; p < to; p++) {
      const value = values[p] ?? 0;
      const base = (columns[p] ?? 0) * stride + g;
      s0 += value * (weights[base] ?? 0);
      s1 += value * (weights[base + 1] ?? 0);
      s2 += value * (weights[base + 2] ?? 0);
      s3 += value * (weights[base + 3] ?? 0);
    }
    scores[g] = s0;
    scores[g + 1] = s1;
    scores[g + 2] = s2;
    scores[g + 3] = s3;
  }
  const targetScore = scores[target] ?? 0;
  const logNormaliser = softmaxRow(scores, 0, classes, 1, scores);
  // scores now hold probabilities; (p − onehot) is the gradient of the cross-entropy w.r.t. the logits.
  scores[target] = (scores[target] ?? 0) - 1;
  scores.fill(0, classes);
  for (let k = 0; k < classes; k++) biasGradient[k] = (biasGradient[k] ?? 0) + (scores[k] ?? 0);
  for (let g = 0; g < stride; g += 4) {
    const r0 = scores[g] ?? 0;
    const r1 = scores[g + 1] ?? 0;
    const r2 = scores[g + 2] ?? 0;
    const r3 = scores[g + 3] ?? 0;
    for (let p = from; p < to; p++) {
      const value = values[p] ?? 0;
      const base = (columns[p] ?? 0) * stride + g;
      weightGradient[base] = (weightGradient[base] ?? 0) + value * r0;
      weightGradient[base + 1] = (weightGradient[base + 1] ?? 0) + value * r1;
      weightGradient[base + 2] = (weightGradient[base + 2] ?? 0) + value * r2;
      weightGradient[base + 3] = (weightGradient[base + 3] ?? 0) + value * r3;
    }
  }
  return logNormaliser - targetScore;
}

function adamStep(
  parameters: Float64Array,
  gradient: Float64Array,
  moments: { first: Float64Array; second: Float64Array },
  rate: number,
  step: number,
): void {
  const firstCorrection = 1 - ADAM.beta1 ** step;
  const secondCorrection = 1 - ADAM.beta2 ** step;
  for (let p = 0; p < parameters.length; p++) {
    const g = gradient[p] ?? 0;
    const first = ADAM.beta1 * (moments.first[p] ?? 0) + (1 - ADAM.beta1) * g;
    const second = ADAM.beta2 * (moments.second[p] ?? 0) + (1 - ADAM.beta2) * g * g;
    moments.first[p] = first;
    moments.second[p] = second;
    parameters[p] =
      (parameters[p] ?? 0) -
      (rate * (first / firstCorrection)) / (Math.sqrt(second / secondCorrection) + ADAM.epsilon);
  }
}

function resolveOptions(options: SoftmaxTrainingOptions): Required<SoftmaxTrainingOptions> {
  const settings: Required<SoftmaxTrainingOptions> = {
    classes: options.classes,
    l2: options.l2 ?? DEFAULTS.l2,
    epochs: options.epochs ?? DEFAULTS.epochs,
    batchSize: options.batchSize ?? DEFAULTS.batchSize,
    learningRate: options.learningRate ?? DEFAULTS.learningRate,
    seed: options.seed ?? DEFAULTS.seed,
  };
  if (!Number.isInteger(settings.classes) || settings.classes < 2) {
    throw new RangeError(`classes must be an integer ≥ 2, got ${settings.classes}`);
  }
  if (!(settings.l2 >= 0) || !Number.isFinite(settings.l2)) {
    throw new RangeError(`l2 must be a finite number ≥ 0, got ${settings.l2}`);
  }
  if (!Number.isInteger(settings.epochs) || settings.epochs < 1) {
    throw new RangeError(`epochs must be an integer ≥ 1, got ${settings.epochs}`);
  }
  if (!Number.isInteger(settings.batchSize) || settings.batchSize < 1) {
    throw new RangeError(`batchSize must be an integer ≥ 1, got ${settings.batchSize}`);
  }
  if (!(settings.learningRate > 0) || !Number.isFinite(settings.learningRate)) {
    throw new RangeError(`learningRate must be a finite number > 0, got ${settings.learningRate}`);
  }
  if (!Number.isInteger(settings.seed)) throw new RangeError(`seed must be an integer, got ${settings.seed}`);
  return settings;
}

function checkLabels(labels: Int32Array | readonly number[], rows: number, classes: number): Int32Array {
  if (labels.length !== rows) throw new RangeError(`expected ${rows} labels, got ${labels.length}`);
  const targets = Int32Array.from(labels);
  for (let i = 0; i < targets.length; i++) {
    const label = labels[i];
    if (label === undefined || !Number.isInteger(label) || label < 0 || label >= classes) {
      throw new RangeError(`label ${i} must be an integer in 0..${classes - 1}, got ${label}`);
    }
  }
  return targets;
}

function checkShape(model: SoftmaxModel, x: DenseMatrix): void {
  if (x.cols !== model.features) {
    throw new RangeError(`the model expects ${model.features} features, the rows have ${x.cols}`);
  }
}
