import type { MemoryTerms } from './label-memory.ts';
import { seededRandom, shuffleInPlace } from './seeded-random.ts';
import { softmaxRow } from './softmax-regression.ts';
import type { SparseRows } from './sparse-encoder.ts';

/**
 * Softmax regression over sparse rows plus label-memory terms:
 *
 *   score_k(x) = bias_k + Σ_j x_j · W[j,k] + Σ_terms trust[slot] · share(slot, k)
 *
 * where a memory term says what share of past rows with the same key (in a group and support
 * bin: the slot) carried label k. One learned trust per slot lets the model believe a key seen 30
 * times more than one seen twice, and a merchant-at-cost-centre key more than a cost centre alone.
 */
export interface SparseSoftmaxModel {
  readonly classes: number;
  readonly features: number;
  /** Feature-major: the weight of feature `j` for class `k` is at `j * classes + k`. */
  readonly weights: Float64Array;
  readonly bias: Float64Array;
  /** One trust per memory slot. */
  readonly trust: Float64Array;
}

/** How to train; every field but `classes`, `features` and `slots` has a default. */
export interface SparseSoftmaxOptions {
  classes: number;
  features: number;
  /** Memory slots (0 without a memory). */
  slots: number;
  /** Passes over the rows. Default 12. */
  epochs?: number;
  /** AdaGrad step size. Default 0.2. */
  learningRate?: number;
  /**
   * L2 penalty `l2 / 2 · ‖W‖²` on the mean cross-entropy. It is applied lazily, when a feature
   * occurs, scaled by how rare the feature is (rows / its count), so each weight is shrunk about
   * as much per pass as a dense step would. Default 1e-4.
   */
  l2?: number;
  /** Per-row weight (mean 1 is the convention); default all 1. */
  sampleWeights?: Float64Array;
  /** Seeds the row order of every epoch. Default 1. */
  seed?: number;
}

const EPSILON = 1e-8;
/** Trust starts here: a memory is believed a little before training says how much. */
const INITIAL_TRUST = 1;

/**
 * Fits the model by per-row AdaGrad, touching only each row's non-zero features (and every
 * class's weight for them): about `nnz × classes` operations per row and epoch. Deterministic.
 */
export function fitSparseSoftmax(
  x: SparseRows,
  memory: MemoryTerms | null,
  targets: Int32Array,
  options: SparseSoftmaxOptions,
): SparseSoftmaxModel {
  const { classes, features, slots } = options;
  const epochs = options.epochs ?? 12;
  const rate = options.learningRate ?? 0.2;
  const l2 = options.l2 ?? 1e-4;
  if (!Number.isInteger(classes) || classes < 2) throw new RangeError(`classes must be ≥ 2, got ${classes}`);
  if (targets.length !== x.rows) throw new RangeError(`${x.rows} rows but ${targets.length} labels`);
  if (!(rate > 0)) throw new RangeError(`learningRate must be > 0, got ${rate}`);
  if (!(l2 >= 0)) throw new RangeError(`l2 must be ≥ 0, got ${l2}`);
  targets.forEach((target, i) => {
    if (target < 0 || target >= classes)
      throw new RangeError(`label ${i} must be in 0..${classes - 1}, got ${target}`);
  });
  const weights = new Float64Array(features * classes);
  const weightSquares = new Float64Array(features * classes);
  const bias = new Float64Array(classes);
  const biasSquares = new Float64Array(classes);
  const trust = new Float64Array(slots).fill(INITIAL_TRUST);
  const trustSquares = new Float64Array(slots);
  const trustGradient = new Float64Array(slots);
  const scores = new Float64Array(classes);
  const order = Int32Array.from({ length: x.rows }, (_, i) => i);
  const random = seededRandom(options.seed ?? 1);
  const sampleWeights = options.sampleWeights;
  // Per-occurrence decay: a feature seen in c of n rows is shrunk n / c times as hard each time.
  const occurrences = new Float64Array(features);
  for (let p = 0; p < x.columns.length; p++) {
    const column = x.columns[p] ?? 0;
    occurrences[column] = (occurrences[column] ?? 0) + 1;
  }
  const decay = Float64Array.from(occurrences, (count) => (count > 0 ? (l2 * x.rows) / count : 0));

  for (let epoch = 0; epoch < epochs; epoch++) {
    shuffleInPlace(order, random);
    for (const row of order) {
      rowScores(x, memory, row, weights, bias, trust, classes, scores);
      softmaxRow(scores, 0, classes, 1, scores);
      const target = targets[row] ?? 0;
      scores[target] = (scores[target] ?? 0) - 1;
      const weight = sampleWeights ? (sampleWeights[row] ?? 1) : 1;
      if (weight !== 1) for (let k = 0; k < classes; k++) scores[k] = (scores[k] ?? 0) * weight;
      // scores now hold the gradient of the cross-entropy w.r.t. the logits.
      for (let k = 0; k < classes; k++) {
        const g = scores[k] ?? 0;
        const squares = (biasSquares[k] ?? 0) + g * g;
        biasSquares[k] = squares;
        bias[k] = (bias[k] ?? 0) - (rate * g) / (Math.sqrt(squares) + EPSILON);
      }
      const from = x.offsets[row] ?? 0;
      const to = x.offsets[row + 1] ?? 0;
      for (let p = from; p < to; p++) {
        const value = x.values[p] ?? 0;
        const column = x.columns[p] ?? 0;
        const base = column * classes;
        const shrink = decay[column] ?? 0;
        for (let k = 0; k < classes; k++) {
          const at = base + k;
          const w = weights[at] ?? 0;
          const g = value * (scores[k] ?? 0) + shrink * w;
          if (g === 0) continue;
          const squares = (weightSquares[at] ?? 0) + g * g;
          weightSquares[at] = squares;
          weights[at] = w - (rate * g) / (Math.sqrt(squares) + EPSILON);
        }
      }
      if (memory && slots > 0) {
        const termFrom = memory.offsets[row] ?? 0;
        const termTo = memory.offsets[row + 1] ?? 0;
        if (termTo > termFrom) {
          trustGradient.fill(0);
          for (let t = termFrom; t < termTo; t++) {
            const slot = memory.slots[t] ?? 0;
            trustGradient[slot] =
              (trustGradient[slot] ?? 0) + (memory.shares[t] ?? 0) * (scores[memory.labels[t] ?? 0] ?? 0);
          }
          for (let t = termFrom; t < termTo; t++) {
            const slot = memory.slots[t] ?? 0;
            const g = trustGradient[slot] ?? 0;
            if (g === 0) continue;
            trustGradient[slot] = 0;
            const squares = (trustSquares[slot] ?? 0) + g * g;
            trustSquares[slot] = squares;
            trust[slot] = (trust[slot] ?? 0) - (rate * g) / (Math.sqrt(squares) + EPSILON);
          }
        }
      }
    }
  }
  return { classes, features, weights, bias, trust };
}

/** The logits of every row: `rows × classes`, row-major. */
export function sparseLogits(
  model: SparseSoftmaxModel,
  x: SparseRows,
  memory: MemoryTerms | null,
): Float64Array {
  const logits = new Float64Array(x.rows * model.classes);
  const scores = new Float64Array(model.classes);
  for (let row = 0; row < x.rows; row++) {
    rowScores(x, memory, row, model.weights, model.bias, model.trust, model.classes, scores);
    logits.set(scores, row * model.classes);
  }
  return logits;
}

function rowScores(
  x: SparseRows,
  memory: MemoryTerms | null,
  row: number,
  weights: Float64Array,
  bias: Float64Array,
  trust: Float64Array,
  classes: number,
  scores: Float64Array,
): void {
  scores.set(bias);
  const from = x.offsets[row] ?? 0;
  const to = x.offsets[row + 1] ?? 0;
  for (let p = from; p < to; p++) {
    const value = x.values[p] ?? 0;
    const base = (x.columns[p] ?? 0) * classes;
    for (let k = 0; k < classes; k++) scores[k] = (scores[k] ?? 0) + value * (weights[base + k] ?? 0);
  }
  if (!memory) return;
  const termTo = memory.offsets[row + 1] ?? 0;
  for (let t = memory.offsets[row] ?? 0; t < termTo; t++) {
    const label = memory.labels[t] ?? 0;
    scores[label] = (scores[label] ?? 0) + (trust[memory.slots[t] ?? 0] ?? 0) * (memory.shares[t] ?? 0);
  }
}
