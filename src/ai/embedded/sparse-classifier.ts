import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import type { Example, Features } from '../contract.ts';
import { evaluateClassifications, expectedCalibrationError } from '../eval/metrics.ts';
import { precisionCoverageCurve, thresholdForPrecision } from '../eval/precision-coverage.ts';
import { fitTemperature } from './calibration.ts';
import { ConfidenceModel, ConfidenceModelState, confidenceFeatures } from './confidence-model.ts';
import {
  type EmbeddedClassifyTask,
  embeddedHintsOf,
  VALUE_FORMATS,
  type ValueFormat,
} from './embedded-task.ts';
import { type Contribution, describeValue, explainPrediction } from './explanation.ts';
import { LabelMemory, LabelMemoryState, type MemoryTerms } from './label-memory.ts';
import { parseData } from './parse-data.ts';
import {
  ClassifierMetrics,
  type ContributionMode,
  type Prediction,
  recordFromKeys,
  withLazyExplanation,
} from './prediction.ts';
import { softmaxRow } from './softmax-regression.ts';
import { SparseEncoder, SparseEncoderState, type SparseRows } from './sparse-encoder.ts';
import { fitSparseSoftmax, type SparseSoftmaxModel, sparseLogits } from './sparse-softmax.ts';
import { SparseSpec, type SparseSpecInput, type SparseSpecResolved } from './sparse-spec.ts';
import { stratifiedSplit } from './stratified-split.ts';

/** `kind` of a sparse model body. */
export const SPARSE_KIND = 'sparse-softmax';
const BODY_FORMAT = 1;
/** The precision the stored `autoThreshold` is chosen for on validation. */
export const AUTO_PRECISION = 0.95;
/** Fewest validation answers a threshold may rest on. */
const MIN_THRESHOLD_SUPPORT = 20;
/** Rows encoded and scored at once by `predictAll`. */
const PREDICT_CHUNK_ROWS = 1024;
const TOP_CONTRIBUTIONS = 5;

const SparseBody = z.object({
  format: z.literal(BODY_FORMAT),
  kind: z.literal(SPARSE_KIND),
  task: z.string(),
  featureVersion: z.number(),
  labels: z.array(z.string()).min(2),
  labelNames: z.record(z.string(), z.string()),
  encoder: SparseEncoderState,
  memory: LabelMemoryState.nullable(),
  /** Non-zero weights as base64: Int32 flat indices (`feature × classes + class`) and Float32 values. */
  weights: z.object({ indices: z.string(), values: z.string() }),
  bias: z.array(z.number()),
  trust: z.array(z.number()),
  temperature: z.number().positive(),
  /** The second-stage confidence model, when the spec asked for one. */
  confidence: ConfidenceModelState.nullable().default(null),
  featureNames: z.record(z.string(), z.string()),
  valueFormats: z.record(z.string(), z.enum(VALUE_FORMATS)),
  metrics: ClassifierMetrics,
});
type SparseBody = z.infer<typeof SparseBody>;

interface SparseParts {
  task: string;
  featureVersion: number;
  labels: readonly string[];
  labelNames: Record<string, string>;
  encoder: SparseEncoder;
  memory: LabelMemory | null;
  model: SparseSoftmaxModel;
  temperature: number;
  confidence: ConfidenceModel | null;
  featureNames: Record<string, string>;
  valueFormats: Record<string, ValueFormat>;
  metrics: ClassifierMetrics;
}

/**
 * A trained sparse classifier: vocabulary encoder, label memory, softmax regression over both,
 * and a temperature. Explanations name the memory in counts ("merchant 'tesco pfs' was coded
 * K020 Vehicle Fuel in 212 of 214 past lines") and the features in words.
 */
export class SparseClassifier {
  readonly task: string;
  readonly featureVersion: number;
  readonly labels: readonly string[];
  readonly temperature: number;
  readonly metrics: ClassifierMetrics;
  readonly #parts: SparseParts;

  constructor(parts: SparseParts) {
    const { model, encoder, memory, labels } = parts;
    if (model.classes !== labels.length || model.features !== encoder.width) {
      throw new RangeError(
        `model shape ${model.features}×${model.classes} does not fit ${encoder.width} columns and ${labels.length} labels`,
      );
    }
    if (model.trust.length !== (memory?.slots ?? 0)) {
      throw new RangeError(
        `the model has ${model.trust.length} memory trusts, the memory ${memory?.slots ?? 0} slots`,
      );
    }
    this.task = parts.task;
    this.featureVersion = parts.featureVersion;
    this.labels = labels;
    this.temperature = parts.temperature;
    this.metrics = parts.metrics;
    this.#parts = parts;
  }

  /** Reads a parsed body; throws a `TypeError` naming the problem. */
  static fromBody(json: unknown): SparseClassifier {
    const body = parseData(SparseBody, json, 'classifier body');
    const encoder = SparseEncoder.fromJSON(body.encoder);
    const memory = body.memory ? LabelMemory.fromJSON(body.memory) : null;
    const classes = body.labels.length;
    if (body.bias.length !== classes || body.trust.length !== (memory?.slots ?? 0)) {
      throw new TypeError(
        `invalid classifier body: ${body.bias.length} biases and ${body.trust.length} trusts do not fit ` +
          `${classes} labels and ${memory?.slots ?? 0} memory slots`,
      );
    }
    const weights = new Float64Array(encoder.width * classes);
    const indices = decodeInt32(body.weights.indices);
    const values = decodeFloat32(body.weights.values);
    if (indices.length !== values.length) {
      throw new TypeError(
        `invalid classifier body: ${indices.length} weight indices but ${values.length} values`,
      );
    }
    indices.forEach((index, i) => {
      if (index < 0 || index >= weights.length) {
        throw new TypeError(
          `invalid classifier body: weight index ${index} is outside ${weights.length} weights`,
        );
      }
      weights[index] = values[i] ?? 0;
    });
    const model: SparseSoftmaxModel = {
      classes,
      features: encoder.width,
      weights,
      bias: Float64Array.from(body.bias),
      trust: Float64Array.from(body.trust),
    };
    const confidence = body.confidence ? ConfidenceModel.fromJSON(body.confidence) : null;
    return new SparseClassifier({ ...body, encoder, memory, model, confidence });
  }

  serialize(): string {
    const { model, encoder, memory } = this.#parts;
    const indices: number[] = [];
    const values: number[] = [];
    model.weights.forEach((weight, index) => {
      if (weight !== 0) {
        indices.push(index);
        values.push(weight);
      }
    });
    const body: SparseBody = {
      format: BODY_FORMAT,
      kind: SPARSE_KIND,
      task: this.task,
      featureVersion: this.featureVersion,
      labels: [...this.labels],
      labelNames: this.#parts.labelNames,
      encoder: encoder.toJSON(),
      memory: memory ? memory.toJSON() : null,
      weights: { indices: encodeInt32(indices), values: encodeFloat32(values) },
      bias: Array.from(model.bias),
      trust: Array.from(model.trust),
      temperature: this.temperature,
      confidence: this.#parts.confidence ? this.#parts.confidence.toJSON() : null,
      featureNames: this.#parts.featureNames,
      valueFormats: this.#parts.valueFormats,
      metrics: this.metrics,
    };
    return JSON.stringify(body);
  }

  predictAll(rows: readonly Features[], options: { contributions?: ContributionMode } = {}): Prediction[] {
    const onlyTop = options.contributions !== 'all';
    const lazy = options.contributions === 'lazy';
    const { model, encoder, memory } = this.#parts;
    const classes = model.classes;
    const predictions: Prediction[] = [];
    const probabilities = new Float64Array(classes);
    for (let start = 0; start < rows.length; start += PREDICT_CHUNK_ROWS) {
      const chunk = rows.slice(start, start + PREDICT_CHUNK_ROWS);
      const x = encoder.encodeAll(chunk);
      const logits = sparseLogits(model, x, memory ? memory.terms(chunk) : null);
      chunk.forEach((features, row) => {
        softmaxRow(logits, row * classes, classes, this.temperature, probabilities, 0);
        let best = 0;
        for (let k = 1; k < classes; k++) if ((probabilities[k] ?? 0) > (probabilities[best] ?? 0)) best = k;
        const label = this.labels[best] ?? '';
        const second = this.#parts.confidence;
        const confidence = second
          ? second.confidence(confidenceFeatures(probabilities, best, features, memory))
          : (probabilities[best] ?? 0);
        const explain = () => {
          const all = this.#contributions(features, x, row, best);
          const contributions = onlyTop ? all.filter((c) => c.effect > 0).slice(0, TOP_CONTRIBUTIONS) : all;
          return {
            contributions,
            explanation: explainPrediction(this.#labelText(label), confidence, contributions),
          };
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

  /** `L030 Books`, or the code alone when the chart of accounts gave no name. */
  #labelText(label: string): string {
    const name = this.#parts.labelNames[label];
    return name ? `${label} ${name}` : label;
  }

  /**
   * Effects toward class `c` versus the mean of the other classes: each memory group's (its trust
   * × the label's share minus the others' mean share) and each feature's, strongest first.
   */
  #contributions(features: Features, x: SparseRows, row: number, c: number): Contribution[] {
    const { model, encoder, memory, featureNames, valueFormats } = this.#parts;
    const classes = model.classes;
    const contributions: Contribution[] = [];
    if (memory) {
      for (const recall of memory.recall(features)) {
        const trust = model.trust[memory.slotOf(recall.group, recall.total)] ?? 0;
        let sum = 0;
        let own = 0;
        for (const [label, count] of recall.counts) {
          const value = memory.termValue(recall.group, label, count, recall.total);
          sum += value;
          if (label === c) own = value;
        }
        const effect = trust * (own - (sum - own) / (classes - 1));
        if (effect === 0) continue;
        const count = recall.counts.get(c) ?? 0;
        contributions.push({
          feature: `memory:${recall.name}`,
          name: recall.name,
          value: count,
          effect,
          display: `${recall.name} '${recall.value}' was coded ${this.#labelText(this.labels[c] ?? '')} in ${count} of ${recall.total} past ${recall.total === 1 ? 'line' : 'lines'}`,
          kind: 'text',
        });
      }
    }
    const to = x.offsets[row + 1] ?? 0;
    for (let p = x.offsets[row] ?? 0; p < to; p++) {
      const column = x.columns[p] ?? 0;
      const value = x.values[p] ?? 0;
      const base = column * classes;
      let sum = 0;
      for (let k = 0; k < classes; k++) sum += model.weights[base + k] ?? 0;
      const own = model.weights[base + c] ?? 0;
      const effect = value * (own - (sum - own) / (classes - 1));
      if (effect === 0) continue;
      const key = encoder.nameOf(column);
      if (encoder.isContinuous(column)) {
        const raw = features.numeric[key] ?? Number.NaN;
        const name = featureNames[key] ?? key;
        contributions.push({
          feature: key,
          name,
          value: raw,
          effect,
          display: describeValue(name, raw, valueFormats[key]),
          kind: 'numeric',
        });
        continue;
      }
      const split = key.indexOf('=');
      const group = split === -1 ? key : key.slice(0, split);
      const shown = split === -1 ? '' : ` '${key.slice(split + 1)}'`;
      contributions.push({
        feature: key,
        name: featureNames[group] ?? group,
        value,
        effect,
        display: `${featureNames[group] ?? group}${shown}`,
        kind: 'numeric',
      });
    }
    return contributions.sort((a, b) => b.effect - a.effect);
  }
}

interface Stage {
  encoder: SparseEncoder;
  memory: LabelMemory | null;
  model: SparseSoftmaxModel;
}

/**
 * Trains the sparse model of a task (see `SparseSpec`): fits on all but the validation share,
 * calibrates a temperature and measures on the validation share (the newest examples, as given,
 * with `validation: 'latest'`), picks the confidence that kept validation precision at 95 %,
 * then — with `refit` — trains once more on every example, keeping the temperature.
 */
export function trainSparseClassifier<Input, Label extends string>(
  task: EmbeddedClassifyTask<Input, Label>,
  examples: readonly Example<Input, Label>[],
  targets: Int32Array,
  options: { spec: SparseSpecInput; seed: number; validationShare: number; started?: number },
): SparseClassifier {
  const started = options.started ?? performance.now();
  const spec = parseData(SparseSpec, options.spec, `sparse spec of task "${task.name}"`);
  const hints = embeddedHintsOf(task);
  const classes = task.labels.length;
  const share = options.validationShare;
  if (!(share > 0 && share < 1))
    throw new RangeError(`validationShare must be between 0 and 1, got ${share}`);
  const features = examples.map((example) => task.features(example.input));
  const { train, validation } =
    spec.validation === 'latest'
      ? latestSplit(examples.length, share)
      : stratifiedSplit(targets, share, options.seed);
  const pick = (indices: Int32Array): Features[] => Array.from(indices, (i) => features[i] ?? emptyFeatures);
  const trainTargets = Int32Array.from(train, (i) => targets[i] ?? 0);
  const validationTargets = Int32Array.from(validation, (i) => targets[i] ?? 0);

  const first = fitStage(pick(train), trainTargets, classes, spec, options.seed);
  const validationRows = pick(validation);
  const validationLogits = stageLogits(first, validationRows);
  const logitMatrix = { rows: validation.length, cols: classes, data: validationLogits };
  const { temperature } = fitTemperature(logitMatrix, validationTargets);
  const before = scoreLogits(validationLogits, validationTargets, classes, 1);
  const after = scoreLogits(validationLogits, validationTargets, classes, temperature);
  const report = evaluateClassifications(
    Array.from(validationTargets, (k) => task.labels[k] ?? ''),
    after.predicted.map((k) => task.labels[k] ?? ''),
    [...task.labels],
  );
  const second =
    spec.confidence === 'model'
      ? fitConfidence(
          validationLogits,
          validationRows,
          after,
          first.memory,
          classes,
          temperature,
          options.seed,
        )
      : null;
  const cut = thresholdForPrecision(
    precisionCoverageCurve(second?.confidences ?? after.confidences, after.correct),
    AUTO_PRECISION,
    MIN_THRESHOLD_SUPPORT,
  );
  const final = spec.refit ? fitStage(features, targets, classes, spec, options.seed) : first;

  const labelNames: Record<string, string> = {};
  for (const label of task.labels) {
    const name = task.labelDescriptions?.[label];
    if (name) labelNames[label] = name;
  }
  return new SparseClassifier({
    task: task.name,
    featureVersion: task.featureVersion,
    labels: task.labels,
    labelNames,
    ...final,
    temperature,
    confidence: second?.model ?? null,
    featureNames: { ...task.featureNames },
    valueFormats: { ...hints.valueFormats },
    metrics: {
      labels: [...task.labels],
      trainExamples: spec.refit ? examples.length : train.length,
      validationExamples: validation.length,
      accuracy: report.accuracy,
      macroF1: report.macroF1,
      perClass: report.perClass,
      confusionMatrix: report.confusionMatrix,
      eceBefore: before.ece,
      eceAfter: after.ece,
      temperature,
      modelColumns: final.encoder.width,
      trainMs: Math.round(performance.now() - started),
      model: SPARSE_KIND,
      validation: spec.validation,
      autoThreshold: {
        precision: AUTO_PRECISION,
        threshold: cut?.threshold ?? null,
        coverage: cut?.coverage ?? 0,
      },
    },
  });
}

const emptyFeatures: Features = { numeric: {}, text: '' };

/**
 * The second-stage confidence model, learned on the first stage's answers about the validation
 * rows (newer than any it learned from, as the lines it will code are), and its confidences there;
 * null when those answers were all right or all wrong.
 */
function fitConfidence(
  logits: Float64Array,
  rows: readonly Features[],
  scored: { predicted: number[]; correct: boolean[] },
  memory: LabelMemory | null,
  classes: number,
  temperature: number,
  seed: number,
): { model: ConfidenceModel; confidences: number[] } | null {
  // Answers all right (or all wrong) teach nothing about which to trust: keep the softmax's.
  const right = scored.correct.filter(Boolean).length;
  if (right === 0 || right === scored.correct.length) return null;
  const probabilities = new Float64Array(classes);
  const meta = rows.map((row, r) => {
    softmaxRow(logits, r * classes, classes, temperature, probabilities, 0);
    return confidenceFeatures(probabilities, scored.predicted[r] ?? 0, row, memory);
  });
  const model = ConfidenceModel.fit(meta, scored.correct, { seed });
  return { model, confidences: meta.map((features) => model.confidence(features)) };
}

function fitStage(
  rows: readonly Features[],
  targets: Int32Array,
  classes: number,
  spec: SparseSpecResolved,
  seed: number,
): Stage {
  const encoder = SparseEncoder.fit(rows, spec);
  const memory =
    spec.memory.length > 0
      ? LabelMemory.build(rows, targets, classes, spec.memory, spec.memorySupport)
      : null;
  const x = encoder.encodeAll(rows);
  const terms: MemoryTerms | null = memory ? memory.terms(rows, targets) : null;
  const sampleWeights =
    spec.classWeightPower > 0 || spec.recencyHalfLife > 0
      ? exampleWeights(targets, classes, spec.classWeightPower, spec.recencyHalfLife)
      : undefined;
  const runs = Array.from({ length: spec.runs }, (_, run) =>
    fitSparseSoftmax(x, terms, targets, {
      classes,
      features: encoder.width,
      slots: memory?.slots ?? 0,
      epochs: spec.epochs,
      learningRate: spec.learningRate,
      l2: spec.l2,
      seed: seed + run,
      ...(sampleWeights ? { sampleWeights } : {}),
    }),
  );
  const model = averageModels(runs);
  prune(model.weights, spec.pruneBelow);
  return { encoder, memory, model };
}

function stageLogits(stage: Stage, rows: readonly Features[]): Float64Array {
  return sparseLogits(
    stage.model,
    stage.encoder.encodeAll(rows),
    stage.memory ? stage.memory.terms(rows) : null,
  );
}

/** The element-wise mean of models of one shape (the first model itself when there is one). */
function averageModels(models: readonly SparseSoftmaxModel[]): SparseSoftmaxModel {
  const [first, ...rest] = models;
  if (!first) throw new RangeError('averageModels needs at least one model');
  if (rest.length === 0) return first;
  const mean = (pick: (model: SparseSoftmaxModel) => Float64Array): Float64Array => {
    const sum = Float64Array.from(pick(first));
    for (const model of rest) {
      const values = pick(model);
      for (let i = 0; i < sum.length; i++) sum[i] = (sum[i] ?? 0) + (values[i] ?? 0);
    }
    return sum.map((value) => value / models.length);
  };
  return {
    classes: first.classes,
    features: first.features,
    weights: mean((model) => model.weights),
    bias: mean((model) => model.bias),
    trust: mean((model) => model.trust),
  };
}

/** The newest `share` of examples (the last ones as given) for validation, the rest for training. */
function latestSplit(count: number, share: number): { train: Int32Array; validation: Int32Array } {
  const held = Math.max(1, Math.round(count * share));
  if (held >= count)
    throw new RangeError(`${count} examples are too few to hold back ${Math.round(share * 100)}%`);
  const cut = count - held;
  return {
    train: Int32Array.from({ length: cut }, (_, i) => i),
    validation: Int32Array.from({ length: held }, (_, i) => cut + i),
  };
}

/**
 * Per example: (mean label count / its label's count)^power × 0.5^(examples after it / (halfLife ×
 * examples)), normalised to a mean of 1.
 */
function exampleWeights(targets: Int32Array, classes: number, power: number, halfLife: number): Float64Array {
  const counts = new Float64Array(classes);
  for (const target of targets) counts[target] = (counts[target] ?? 0) + 1;
  const present = counts.filter((count) => count > 0);
  const mean = present.reduce((sum, count) => sum + count, 0) / present.length;
  const last = targets.length - 1;
  const weights = Float64Array.from(targets, (target, i) => {
    const balance = power > 0 ? (mean / (counts[target] ?? 1)) ** power : 1;
    const recency = halfLife > 0 ? 0.5 ** ((last - i) / (halfLife * targets.length)) : 1;
    return balance * recency;
  });
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  return weights.map((weight) => (weight * targets.length) / total);
}

/** Drops weights below `below` and rounds the rest to Float32, as stored, so a reloaded model predicts alike. */
function prune(weights: Float64Array, below: number): void {
  for (let i = 0; i < weights.length; i++) {
    const weight = weights[i] ?? 0;
    weights[i] = Math.abs(weight) < below ? 0 : Math.fround(weight);
  }
}

function scoreLogits(
  logits: Float64Array,
  targets: Int32Array,
  classes: number,
  temperature: number,
): { predicted: number[]; confidences: number[]; correct: boolean[]; ece: number } {
  const probabilities = new Float64Array(classes);
  const predicted: number[] = [];
  const confidences: number[] = [];
  const correct: boolean[] = [];
  for (let row = 0; row < targets.length; row++) {
    softmaxRow(logits, row * classes, classes, temperature, probabilities, 0);
    let best = 0;
    for (let k = 1; k < classes; k++) if ((probabilities[k] ?? 0) > (probabilities[best] ?? 0)) best = k;
    predicted.push(best);
    confidences.push(probabilities[best] ?? 0);
    correct.push(best === targets[row]);
  }
  return { predicted, confidences, correct, ece: expectedCalibrationError(confidences, correct) };
}

function encodeInt32(values: readonly number[]): string {
  return Buffer.from(Int32Array.from(values).buffer).toString('base64');
}

function encodeFloat32(values: readonly number[]): string {
  return Buffer.from(Float32Array.from(values).buffer).toString('base64');
}

function decodeInt32(text: string): Int32Array {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length % 4 !== 0)
    throw new TypeError('invalid classifier body: weight indices are not whole Int32 values');
  return new Int32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

function decodeFloat32(text: string): Float32Array {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length % 4 !== 0)
    throw new TypeError('invalid classifier body: weight values are not whole Float32 values');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}
