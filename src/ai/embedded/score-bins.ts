import { createMatrix, type DenseMatrix } from './dense-matrix.ts';
import { binIndex, quantileEdges } from './feature-encoder.ts';
import {
  fitSoftmaxRegression,
  type SoftmaxModel,
  type SoftmaxTrainingOptions,
  softmaxLogits,
} from './softmax-regression.ts';

/**
 * Score bins let a linear model learn a sharp threshold along a direction it has to discover.
 *
 * A first, small softmax regression over the continuous columns learns, per class, a score: the
 * class's log-odds. That direction can be a mix of features no single one expresses (say, slack
 * discounted twice for a supplier's expected delay). Quantile bins of each class's score become
 * one-hot columns of the final model, which can then step from "high" to "urgent" at the right
 * point instead of blurring the step over days, as a linear score alone must when labels are noisy.
 */
export interface ScoreBins {
  /** The encoded columns the score model reads, in order. */
  columns: readonly number[];
  model: SoftmaxModel;
  /** Per class: the quantile edges of its training scores. */
  edges: readonly (readonly number[])[];
}

/** Persisted form of `ScoreBins`. */
export interface ScoreBinsState {
  columns: number[];
  weights: number[];
  bias: number[];
  edges: number[][];
}

/**
 * Fits the score model on `columns` of `x` and the quantile edges of each class's score.
 *
 * @param quantiles bins per class score (edges are deduplicated, so there may be fewer)
 */
export function fitScoreBins(
  x: DenseMatrix,
  targets: Int32Array,
  columns: readonly number[],
  quantiles: number,
  training: SoftmaxTrainingOptions,
): ScoreBins {
  if (columns.length === 0) throw new RangeError('score bins need at least one continuous column');
  if (!Number.isInteger(quantiles) || quantiles < 2) {
    throw new RangeError(`score quantiles must be an integer ≥ 2, got ${quantiles}`);
  }
  const { model } = fitSoftmaxRegression(selectColumns(x, columns), targets, training);
  const scores = classScores({ columns, model, edges: [] }, x);
  const edges = Array.from({ length: model.classes }, (_, k) =>
    quantileEdges(
      Array.from({ length: scores.rows }, (_, row) => scores.data[row * scores.cols + k] ?? 0),
      quantiles,
    ),
  );
  return { columns, model, edges };
}

/** Number of one-hot columns `appendScoreBins` adds. */
export function scoreBinWidth(bins: ScoreBins): number {
  return bins.edges.reduce((width, edges) => width + edges.length + 1, 0);
}

/** Each row's score per class: `log p_k − log(1 − p_k)` under the score model. */
export function classScores(bins: ScoreBins, x: DenseMatrix): DenseMatrix {
  const logits = softmaxLogits(bins.model, selectColumns(x, bins.columns));
  const classes = logits.cols;
  const scores = createMatrix(logits.rows, classes);
  for (let row = 0; row < logits.rows; row++) {
    const base = row * classes;
    for (let k = 0; k < classes; k++) scores.data[base + k] = logOdds(logits.data, base, classes, k);
  }
  return scores;
}

/** The bin each class score falls in, per row: a `rows × classes` matrix of bin indices. */
export function scoreBinIndices(bins: ScoreBins, scores: DenseMatrix): Int32Array {
  const indices = new Int32Array(scores.rows * scores.cols);
  for (let row = 0; row < scores.rows; row++) {
    for (let k = 0; k < scores.cols; k++) {
      indices[row * scores.cols + k] = binIndex(bins.edges[k] ?? [], scores.data[row * scores.cols + k] ?? 0);
    }
  }
  return indices;
}

/**
 * `x` with the one-hot score bins appended (`rows × (x.cols + scoreBinWidth)`), and the bin each
 * class score fell in (`rows × classes`).
 */
export function appendScoreBins(
  bins: ScoreBins,
  x: DenseMatrix,
): { expanded: DenseMatrix; indices: Int32Array } {
  const scores = classScores(bins, x);
  const indices = scoreBinIndices(bins, scores);
  const width = x.cols + scoreBinWidth(bins);
  const expanded = createMatrix(x.rows, width);
  for (let row = 0; row < x.rows; row++) {
    expanded.data.set(x.data.subarray(row * x.cols, (row + 1) * x.cols), row * width);
    let offset = x.cols;
    bins.edges.forEach((edges, k) => {
      expanded.data[row * width + offset + (indices[row * scores.cols + k] ?? 0)] = 1;
      offset += edges.length + 1;
    });
  }
  return { expanded, indices };
}

/**
 * The logits of a model trained on `appendScoreBins(bins, x).expanded`, computed from `x` without
 * building the expanded matrix (which would be most of the memory of a large batch).
 */
export function logitsWithScoreBins(
  model: SoftmaxModel,
  bins: ScoreBins,
  x: DenseMatrix,
): { logits: DenseMatrix; indices: Int32Array } {
  const classes = model.classes;
  if (model.features !== x.cols + scoreBinWidth(bins)) {
    throw new RangeError(
      `the model expects ${model.features} columns, rows and score bins give ${x.cols + scoreBinWidth(bins)}`,
    );
  }
  const indices = scoreBinIndices(bins, classScores(bins, x));
  // Weights are feature-major, so the encoded columns' weights are a prefix of the array.
  const encodedPart: SoftmaxModel = {
    ...model,
    features: x.cols,
    weights: model.weights.subarray(0, x.cols * classes),
  };
  const logits = softmaxLogits(encodedPart, x);
  const scoreClasses = bins.edges.length;
  for (let row = 0; row < x.rows; row++) {
    let column = x.cols;
    for (let k = 0; k < scoreClasses; k++) {
      const base = (column + (indices[row * scoreClasses + k] ?? 0)) * classes;
      for (let c = 0; c < classes; c++) {
        logits.data[row * classes + c] =
          (logits.data[row * classes + c] ?? 0) + (model.weights[base + c] ?? 0);
      }
      column += (bins.edges[k]?.length ?? 0) + 1;
    }
  }
  return { logits, indices };
}

/** Plain data for JSON. */
export function scoreBinsToState(bins: ScoreBins): ScoreBinsState {
  return {
    columns: [...bins.columns],
    weights: Array.from(bins.model.weights),
    bias: Array.from(bins.model.bias),
    edges: bins.edges.map((edges) => [...edges]),
  };
}

/** Restores `ScoreBins`; throws a `RangeError` when the arrays do not fit together. */
export function scoreBinsFromState(state: ScoreBinsState, encodedWidth: number): ScoreBins {
  const classes = state.bias.length;
  const features = state.columns.length;
  if (state.weights.length !== features * classes || state.edges.length !== classes) {
    throw new RangeError(
      `score bins: ${state.weights.length} weights and ${state.edges.length} edge lists ` +
        `do not fit ${features} columns × ${classes} classes`,
    );
  }
  if (state.columns.some((column) => !Number.isInteger(column) || column < 0 || column >= encodedWidth)) {
    throw new RangeError(`score bins read a column outside the ${encodedWidth} encoded columns`);
  }
  return {
    columns: state.columns,
    model: {
      classes,
      features,
      weights: Float64Array.from(state.weights),
      bias: Float64Array.from(state.bias),
    },
    edges: state.edges,
  };
}

function selectColumns(x: DenseMatrix, columns: readonly number[]): DenseMatrix {
  const selected = createMatrix(x.rows, columns.length);
  for (let row = 0; row < x.rows; row++) {
    const from = row * x.cols;
    const to = row * columns.length;
    columns.forEach((column, i) => {
      selected.data[to + i] = x.data[from + column] ?? 0;
    });
  }
  return selected;
}

/** `z_k − log Σ_{j≠k} exp z_j`, computed stably. */
function logOdds(logits: Float64Array, base: number, classes: number, k: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < classes; j++) if (j !== k) max = Math.max(max, logits[base + j] ?? 0);
  let sum = 0;
  for (let j = 0; j < classes; j++) if (j !== k) sum += Math.exp((logits[base + j] ?? 0) - max);
  return (logits[base + k] ?? 0) - max - Math.log(sum);
}
