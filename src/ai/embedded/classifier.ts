import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import type { Example, Features } from '../contract.ts';
import { evaluateClassifications, expectedCalibrationError } from '../eval/metrics.ts';
import { Attribution } from './attribution.ts';
import { fitTemperature } from './calibration.ts';
import { createMatrix, type DenseMatrix } from './dense-matrix.ts';
import {
  type EmbeddedClassifyTask,
  embeddedHintsOf,
  VALUE_FORMATS,
  type ValueFormat,
} from './embedded-task.ts';
import { type Contribution, describeValue, explainPrediction } from './explanation.ts';
import {
  EncoderState,
  type EncodingSpecInput,
  FeatureEncoder,
  flagGroup,
  tokenGroup,
} from './feature-encoder.ts';
import { parseData } from './parse-data.ts';
import {
  ClassifierMetrics,
  type ContributionMode,
  type Prediction,
  recordFromKeys,
  withLazyExplanation,
} from './prediction.ts';
import {
  appendScoreBins,
  fitScoreBins,
  logitsWithScoreBins,
  type ScoreBins,
  scoreBinsFromState,
  scoreBinsToState,
  scoreBinWidth,
} from './score-bins.ts';
import {
  fitSoftmaxRegression,
  type SoftmaxModel,
  type SoftmaxTrainingOptions,
  softmaxLogits,
  softmaxRow,
} from './softmax-regression.ts';
import { SPARSE_KIND, SparseClassifier, trainSparseClassifier } from './sparse-classifier.ts';
import type { SparseSpecInput } from './sparse-spec.ts';
import { stratifiedSplit } from './stratified-split.ts';

export { ClassifierMetrics, type Prediction } from './prediction.ts';

/** Options for `trainClassifier`; every field has a default. */
export interface TrainClassifierOptions {
  /** Share of examples held out (stratified by label) for calibration and metrics. Default 0.2. */
  validationShare?: number;
  /** Seeds the split and the training shuffles. Default 42. */
  seed?: number;
  /** Quantile bins per class score (see `score-bins.ts`); 0 trains one plain linear model. Default 32. */
  scoreQuantiles?: number;
  /** Optimiser settings for both linear models; see `SoftmaxTrainingOptions` for the defaults. */
  model?: Omit<SoftmaxTrainingOptions, 'classes' | 'seed'>;
  /** Replaces the task's own `embedded.encoding` (for experiments). */
  encoding?: EncodingSpecInput;
  /** Replaces the task's own `embedded.sparse` (for experiments); a sparse spec trains the sparse model. */
  sparse?: SparseSpecInput;
}

/** Fewer examples than this cannot give both a model and a validation split worth reading. */
export const MIN_TRAINING_EXAMPLES = 20;
const BODY_FORMAT = 1;
const DEFAULT_SCORE_QUANTILES = 32;
/** Rows encoded and scored at once by `predictAll`: bounds memory, keeps the matrices in cache. */
const PREDICT_CHUNK_ROWS = 1024;
/** Supporting contributions kept with `contributions: 'top'`: three for the explanation, with room for duplicates. */
const TOP_CONTRIBUTIONS = 5;

const ClassifierBody = z.object({
  format: z.literal(BODY_FORMAT),
  kind: z.literal('softmax-regression'),
  task: z.string(),
  featureVersion: z.number(),
  labels: z.array(z.string()).min(2),
  encoder: EncoderState,
  score: z
    .object({
      columns: z.array(z.number().int()),
      weights: z.array(z.number()),
      bias: z.array(z.number()),
      edges: z.array(z.array(z.number())),
    })
    .nullable(),
  weights: z.array(z.number()),
  bias: z.array(z.number()),
  temperature: z.number().positive(),
  featureNames: z.record(z.string(), z.string()),
  valueFormats: z.record(z.string(), z.enum(VALUE_FORMATS)),
  metrics: ClassifierMetrics,
});
type ClassifierBody = z.infer<typeof ClassifierBody>;

interface ClassifierParts<Label extends string> {
  task: string;
  featureVersion: number;
  labels: readonly Label[];
  encoder: FeatureEncoder;
  score: ScoreBins | null;
  model: SoftmaxModel;
  temperature: number;
  featureNames: Record<string, string>;
  valueFormats: Record<string, ValueFormat>;
  metrics: ClassifierMetrics;
}

/**
 * What a trained model of either kind offers `TrainedClassifier`: the dense one below
 * (po-urgency) and the sparse one with a label memory (`sparse-classifier.ts`, GL coding).
 */
export interface ClassifierCore {
  readonly task: string;
  readonly featureVersion: number;
  readonly labels: readonly string[];
  readonly temperature: number;
  readonly metrics: ClassifierMetrics;
  predictAll(rows: readonly Features[], options: { contributions?: ContributionMode }): Prediction[];
  serialize(): string;
}

/**
 * A trained embedded classifier: a dense model (feature encoder, optional score bins, softmax
 * regression) or a sparse one (vocabulary, label memory, softmax regression), and a calibration
 * temperature. Synchronous and pure; `serialize()` gives the body a model store keeps.
 */
export class TrainedClassifier<Label extends string = string> {
  readonly labels: readonly Label[];
  readonly #core: ClassifierCore;

  private constructor(core: ClassifierCore, labels: readonly Label[]) {
    this.#core = core;
    this.labels = labels;
  }

  get task(): string {
    return this.#core.task;
  }

  get featureVersion(): number {
    return this.#core.featureVersion;
  }

  get temperature(): number {
    return this.#core.temperature;
  }

  get metrics(): ClassifierMetrics {
    return this.#core.metrics;
  }

  /** @internal Wraps a trained model; callers use `trainClassifier` or `deserialize`. */
  static fromCore<Label extends string>(
    core: ClassifierCore,
    labels: readonly Label[],
  ): TrainedClassifier<Label> {
    checkSameLabels(core.labels, labels);
    return new TrainedClassifier(core, labels);
  }

  /** @internal Assembles a dense classifier from trained parts. */
  static fromParts<Label extends string>(parts: ClassifierParts<Label>): TrainedClassifier<Label> {
    return new TrainedClassifier(new DenseClassifier(parts), parts.labels);
  }

  /**
   * Restores a classifier from `serialize()` output. With `labels`, also checks that the body
   * predicts exactly those labels in that order, and types its predictions with them.
   * Throws a `TypeError` naming the problem for a body of another format or a damaged one.
   */
  static deserialize(body: string): TrainedClassifier<string>;
  static deserialize<Label extends string>(body: string, labels: readonly Label[]): TrainedClassifier<Label>;
  static deserialize<Label extends string>(
    body: string,
    labels?: readonly Label[],
  ): TrainedClassifier<Label> | TrainedClassifier<string> {
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch (error) {
      throw new TypeError('invalid classifier body: not JSON', { cause: error });
    }
    const kind = typeof json === 'object' && json !== null && 'kind' in json ? json.kind : undefined;
    const core: ClassifierCore =
      kind === SPARSE_KIND ? SparseClassifier.fromBody(json) : DenseClassifier.fromBody(json);
    const classifier = new TrainedClassifier(core, core.labels);
    return labels === undefined ? classifier : classifier.forLabels(labels);
  }

  /**
   * This classifier with its predictions typed as `labels`, which must be exactly its own labels in
   * the same order (the order is the model's class index). Throws a `TypeError` otherwise.
   */
  forLabels<Typed extends string>(labels: readonly Typed[]): TrainedClassifier<Typed> {
    checkSameLabels(this.labels, labels);
    return new TrainedClassifier(this.#core, labels);
  }

  /** The model as a versioned JSON string; `deserialize` reads it back exactly. */
  serialize(): string {
    return this.#core.serialize();
  }

  /** Classifies one row. */
  predict(features: Features): Prediction<Label> {
    const [prediction] = this.predictAll([features]);
    if (prediction === undefined) throw new Error('predictAll returned no prediction for one row');
    return prediction;
  }

  /**
   * Classifies many rows: encoded and scored a chunk at a time, so 100,000 rows never sit in
   * memory as one matrix.
   *
   * @param options.contributions `all` (default): every feature group that moved the prediction;
   *   `top`: only the few strongest supporting ones the explanation is built from, which is all
   *   a provider returns and about half the cost; `lazy`: like `top`, but worked out only when a
   *   prediction's `contributions` or `explanation` is first read — a workflow explains the few
   *   records it changes, not the 100,000 it reads.
   */
  predictAll(
    rows: readonly Features[],
    options: { contributions?: ContributionMode } = {},
  ): Prediction<Label>[] {
    // The core predicts its own labels, which `fromCore`/`forLabels` checked are exactly `labels`.
    return this.#core.predictAll(rows, options) as Prediction<Label>[];
  }
}

function checkSameLabels(own: readonly string[], labels: readonly string[]): void {
  if (labels.length !== own.length || labels.some((label, i) => label !== own[i])) {
    throw new TypeError(
      `the stored model predicts [${own.join(', ')}], the task expects [${labels.join(', ')}]`,
    );
  }
}

/** The dense model: feature encoder, optional score bins, softmax regression, temperature. */
class DenseClassifier<Label extends string = string> implements ClassifierCore {
  readonly task: string;
  readonly featureVersion: number;
  readonly labels: readonly Label[];
  readonly temperature: number;
  readonly metrics: ClassifierMetrics;
  readonly #encoder: FeatureEncoder;
  readonly #score: ScoreBins | null;
  readonly #model: SoftmaxModel;
  readonly #featureNames: Record<string, string>;
  readonly #valueFormats: Record<string, ValueFormat>;
  readonly #attribution: Attribution;
  readonly #groupLabels: readonly GroupLabel[];

  constructor(parts: ClassifierParts<Label>) {
    const expected = parts.encoder.width + (parts.score ? scoreBinWidth(parts.score) : 0);
    if (parts.model.classes !== parts.labels.length || parts.model.features !== expected) {
      throw new RangeError(
        `model shape ${parts.model.features}×${parts.model.classes} does not fit ` +
          `${expected} columns and ${parts.labels.length} labels`,
      );
    }
    if (parts.score && parts.score.model.classes !== parts.labels.length) {
      throw new RangeError(
        `the score model has ${parts.score.model.classes} classes, expected ${parts.labels.length}`,
      );
    }
    this.task = parts.task;
    this.featureVersion = parts.featureVersion;
    this.labels = parts.labels;
    this.temperature = parts.temperature;
    this.metrics = parts.metrics;
    this.#encoder = parts.encoder;
    this.#score = parts.score;
    this.#model = parts.model;
    this.#featureNames = parts.featureNames;
    this.#valueFormats = parts.valueFormats;
    // Contributions are measured from an all-zero row: numeric features at their training mean,
    // no bins, flags or words.
    const baselineBins = parts.score
      ? appendScoreBins(parts.score, createMatrix(1, parts.encoder.width)).indices
      : new Int32Array(0);
    this.#attribution = new Attribution(parts.encoder.columns, parts.model, parts.score, baselineBins);
    this.#groupLabels = labelGroups(this.#attribution.groups, parts.featureNames, parts.valueFormats);
  }

  /** Reads a parsed body; throws a `TypeError` naming the problem. */
  static fromBody(json: unknown): DenseClassifier {
    const parsed = parseData(ClassifierBody, json, 'classifier body');
    const encoder = FeatureEncoder.fromJSON(parsed.encoder);
    const score = parsed.score ? scoreBinsFromState(parsed.score, encoder.width) : null;
    const classes = parsed.labels.length;
    const features = encoder.width + (score ? scoreBinWidth(score) : 0);
    if (parsed.weights.length !== features * classes || parsed.bias.length !== classes) {
      throw new TypeError(
        `invalid classifier body: ${parsed.weights.length} weights and ${parsed.bias.length} biases ` +
          `do not fit ${features} columns × ${classes} labels`,
      );
    }
    const model: SoftmaxModel = {
      classes,
      features,
      weights: Float64Array.from(parsed.weights),
      bias: Float64Array.from(parsed.bias),
    };
    return new DenseClassifier({ ...parsed, encoder, score, model });
  }

  /** The model as a versioned JSON string; `deserialize` reads it back exactly. */
  serialize(): string {
    const body: ClassifierBody = {
      format: BODY_FORMAT,
      kind: 'softmax-regression',
      task: this.task,
      featureVersion: this.featureVersion,
      labels: [...this.labels],
      encoder: this.#encoder.toJSON(),
      score: this.#score ? scoreBinsToState(this.#score) : null,
      weights: Array.from(this.#model.weights),
      bias: Array.from(this.#model.bias),
      temperature: this.temperature,
      featureNames: this.#featureNames,
      valueFormats: this.#valueFormats,
      metrics: this.metrics,
    };
    return JSON.stringify(body);
  }

  /** See `TrainedClassifier.predictAll`. */
  predictAll(
    rows: readonly Features[],
    options: { contributions?: ContributionMode } = {},
  ): Prediction<Label>[] {
    const onlyTop = options.contributions !== 'all';
    const lazy = options.contributions === 'lazy';
    const predictions: Prediction<Label>[] = [];
    const probabilities = new Float64Array(this.labels.length);
    for (let start = 0; start < rows.length; start += PREDICT_CHUNK_ROWS) {
      const chunk = rows.slice(start, start + PREDICT_CHUNK_ROWS);
      const encoded = this.#encoder.encodeAll(chunk);
      const { logits, bins } = this.#logits(encoded);
      chunk.forEach((features, row) => {
        softmaxRow(logits.data, row * logits.cols, logits.cols, this.temperature, probabilities, 0);
        let best = 0;
        for (let k = 1; k < probabilities.length; k++) {
          if ((probabilities[k] ?? 0) > (probabilities[best] ?? 0)) best = k;
        }
        const label = this.labels[best];
        if (label === undefined) throw new Error(`no label at index ${best}`);
        const confidence = probabilities[best] ?? 0;
        const explain = () => {
          const effects = this.#attribution.effects(encoded.data, bins, row, best);
          const groups = onlyTop ? strongestPositive(effects, TOP_CONTRIBUTIONS) : nonZero(effects);
          const contributions = groups.map((group) =>
            this.#describeGroup(group, effects[group] ?? 0, features),
          );
          contributions.sort((a, b) => b.effect - a.effect);
          return { contributions, explanation: explainPrediction(label, confidence, contributions) };
        };
        const scored = {
          label,
          confidence,
          probabilities: recordFromKeys(this.labels, (_, k) => probabilities[k] ?? 0),
        };
        predictions.push(lazy ? withLazyExplanation(scored, explain) : { ...scored, ...explain() });
      });
    }
    return predictions;
  }

  /** The final model's logits, and each row's score bins when the model has them. */
  #logits(encoded: DenseMatrix): { logits: DenseMatrix; bins: Int32Array } {
    if (this.#score === null) return { logits: softmaxLogits(this.#model, encoded), bins: new Int32Array(0) };
    const { logits, indices } = logitsWithScoreBins(this.#model, this.#score, encoded);
    return { logits, bins: indices };
  }

  #describeGroup(groupIndex: number, effect: number, features: Features): Contribution {
    const group = this.#groupLabels[groupIndex];
    if (group === undefined) throw new Error(`no feature group ${groupIndex}`);
    switch (group.kind) {
      case 'token':
        return { feature: group.key, name: group.name, value: 1, effect, display: group.name, kind: 'text' };
      case 'flag': {
        const phrase = this.#encoder.matchedPhrase(features.text, group.flag);
        const display = phrase === undefined ? group.name : `notes mention "${phrase}"`;
        return { feature: group.key, name: group.name, value: 1, effect, display, kind: 'text' };
      }
      case 'numeric': {
        const value = features.numeric[group.key] ?? Number.NaN;
        const display = describeValue(group.name, value, group.format);
        return { feature: group.key, name: group.name, value, effect, display, kind: 'numeric' };
      }
    }
  }
}

type GroupLabel =
  | { kind: 'token'; key: string; name: string }
  | { kind: 'flag'; key: string; name: string; flag: string }
  | { kind: 'numeric'; key: string; name: string; format: ValueFormat | undefined };

/** How each feature group is named in contributions: fixed per model, so worked out once. */
function labelGroups(
  groups: readonly string[],
  featureNames: Record<string, string>,
  valueFormats: Record<string, ValueFormat>,
): GroupLabel[] {
  const tokenPrefix = tokenGroup('');
  const flagPrefix = flagGroup('');
  return groups.map((key) => {
    if (key.startsWith(tokenPrefix)) {
      return { kind: 'token', key, name: `notes mention "${key.slice(tokenPrefix.length)}"` };
    }
    if (key.startsWith(flagPrefix)) {
      const flag = key.slice(flagPrefix.length);
      return { kind: 'flag', key, name: featureNames[flag] ?? flag, flag };
    }
    return { kind: 'numeric', key, name: featureNames[key] ?? key, format: valueFormats[key] };
  });
}

/**
 * Trains an embedded classifier for `task` from labelled history: a deterministic stratified
 * train/validation split; the task's feature encoding fitted on the training part; score bins and
 * a softmax regression; a temperature fitted on the validation part; and validation metrics.
 *
 * @throws RangeError with fewer than `MIN_TRAINING_EXAMPLES` examples, fewer than two distinct
 *   labels, or a label the task does not declare; TypeError for invalid embedded hints.
 */
export function trainClassifier<Input, Label extends string>(
  task: EmbeddedClassifyTask<Input, Label>,
  examples: readonly Example<Input, Label>[],
  options: TrainClassifierOptions = {},
): TrainedClassifier<Label> {
  const started = performance.now();
  const seed = options.seed ?? 42;
  const scoreQuantiles = options.scoreQuantiles ?? DEFAULT_SCORE_QUANTILES;
  const hints = embeddedHintsOf(task);
  if (examples.length < MIN_TRAINING_EXAMPLES) {
    throw new RangeError(
      `task "${task.name}" needs at least ${MIN_TRAINING_EXAMPLES} labelled examples to train, got ${examples.length}`,
    );
  }
  const labelIndex = new Map(task.labels.map((label, k) => [label, k]));
  const targets = Int32Array.from(examples, (example, i) => {
    const k = labelIndex.get(example.label);
    if (k === undefined) {
      throw new RangeError(
        `example ${i} of task "${task.name}" has label "${example.label}", not one of ${task.labels.join(', ')}`,
      );
    }
    return k;
  });
  if (new Set(targets).size < 2)
    throw new RangeError(`task "${task.name}" needs examples of at least two labels`);
  const sparse = options.sparse ?? hints.sparse;
  if (sparse !== undefined) {
    const core = trainSparseClassifier(task, examples, targets, {
      spec: sparse,
      seed,
      validationShare: options.validationShare ?? 0.2,
      started,
    });
    return TrainedClassifier.fromCore(core, task.labels);
  }

  const { train, validation } = stratifiedSplit(targets, options.validationShare ?? 0.2, seed);
  const features = examples.map((example) => task.features(example.input));
  const pick = (indices: Int32Array): Features[] =>
    Array.from(indices, (i) => features[i]).filter((row) => row !== undefined);
  const trainFeatures = pick(train);
  const trainTargets = Int32Array.from(train, (i) => targets[i] ?? 0);
  const validationTargets = Int32Array.from(validation, (i) => targets[i] ?? 0);

  const encoder = FeatureEncoder.fit(trainFeatures, options.encoding ?? hints.encoding ?? {});
  const training = { ...options.model, classes: task.labels.length, seed };
  const encodedTrain = encoder.encodeAll(trainFeatures);
  const continuous = encoder.columns.flatMap((column, j) =>
    column.kind === 'numeric' || column.kind === 'flag' || column.kind === 'interaction' ? [j] : [],
  );
  const score =
    scoreQuantiles > 0 && continuous.length > 0
      ? fitScoreBins(encodedTrain, trainTargets, continuous, scoreQuantiles, training)
      : null;
  const withScores = (encoded: DenseMatrix): DenseMatrix =>
    score === null ? encoded : appendScoreBins(score, encoded).expanded;
  const { model } = fitSoftmaxRegression(withScores(encodedTrain), trainTargets, training);

  const validationLogits = softmaxLogits(model, withScores(encoder.encodeAll(pick(validation))));
  const { temperature } = fitTemperature(validationLogits, validationTargets);
  const before = scorePredictions(validationLogits, validationTargets, 1);
  const after = scorePredictions(validationLogits, validationTargets, temperature);
  const report = evaluateClassifications(
    Array.from(validationTargets, (k) => task.labels[k] ?? ''),
    after.predicted.map((k) => task.labels[k] ?? ''),
    [...task.labels],
  );

  return TrainedClassifier.fromParts({
    task: task.name,
    featureVersion: task.featureVersion,
    labels: task.labels,
    encoder,
    score,
    model,
    temperature,
    featureNames: { ...task.featureNames },
    valueFormats: { ...hints.valueFormats },
    metrics: {
      labels: [...task.labels],
      trainExamples: train.length,
      validationExamples: validation.length,
      accuracy: report.accuracy,
      macroF1: report.macroF1,
      perClass: report.perClass,
      confusionMatrix: report.confusionMatrix,
      eceBefore: before.ece,
      eceAfter: after.ece,
      temperature,
      modelColumns: model.features,
      trainMs: Math.round(performance.now() - started),
    },
  });
}

function scorePredictions(
  logits: DenseMatrix,
  targets: Int32Array,
  temperature: number,
): { predicted: number[]; ece: number } {
  const probabilities = new Float64Array(logits.cols);
  const predicted: number[] = [];
  const confidences: number[] = [];
  const correct: boolean[] = [];
  for (let row = 0; row < logits.rows; row++) {
    softmaxRow(logits.data, row * logits.cols, logits.cols, temperature, probabilities, 0);
    let best = 0;
    for (let k = 1; k < logits.cols; k++) if ((probabilities[k] ?? 0) > (probabilities[best] ?? 0)) best = k;
    predicted.push(best);
    confidences.push(probabilities[best] ?? 0);
    correct.push(best === targets[row]);
  }
  return { predicted, ece: expectedCalibrationError(confidences, correct) };
}

function nonZero(effects: Float64Array): number[] {
  const groups: number[] = [];
  effects.forEach((effect, group) => {
    if (effect !== 0) groups.push(group);
  });
  return groups;
}

/** The `count` groups with the largest positive effects (a phrase may appear twice, so more than 3). */
function strongestPositive(effects: Float64Array, count: number): number[] {
  const groups: number[] = [];
  effects.forEach((effect, group) => {
    if (effect <= 0) return;
    let at = groups.length;
    while (at > 0 && (effects[groups[at - 1] ?? 0] ?? 0) < effect) at--;
    if (at < count) {
      groups.splice(at, 0, group);
      if (groups.length > count) groups.pop();
    }
  });
  return groups;
}
