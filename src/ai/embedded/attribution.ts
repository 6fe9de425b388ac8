import type { EncodedColumn } from './feature-encoder.ts';
import { type ScoreBins, scoreBinWidth } from './score-bins.ts';
import type { SoftmaxModel } from './softmax-regression.ts';

/**
 * Splits a prediction into effects per feature group (`slackDays`, `flag:urgentNote`,
 * `text:rush`): logit points toward the predicted class versus the mean of the other classes.
 *
 * - A column's direct effect is `value × (its weight for the class − mean weight for the others)`.
 * - A score bin's effect (the row's bin versus the bin of an all-zero row) is credited to the
 *   groups that moved that class's score the way it went, in proportion to how far each moved it,
 *   so a sharp "slack below zero" step is explained by slack, not by an anonymous bin.
 *
 * Weight differences are precomputed, so attributing 100,000 rows costs a few passes over their
 * non-zero columns. Not re-entrant: `effects` returns a buffer the next call overwrites.
 */
export class Attribution {
  /** Group key of each group index. */
  readonly groups: readonly string[];
  readonly #classes: number;
  readonly #width: number;
  readonly #columnGroup: Int32Array;
  /** `classes × model.features`: weight for class c minus the mean of the other classes. */
  readonly #delta: Float64Array;
  readonly #score: ScoreBins | null;
  /** `classes × score.columns`: the same for the score model. */
  readonly #scoreDelta: Float64Array;
  /** Score column → index among `#scoreGroups` (the few groups the score model reads). */
  readonly #scoreGroup: Int32Array;
  /** Score group index → group index. */
  readonly #scoreGroups: Int32Array;
  readonly #binOffsets: Int32Array;
  readonly #baselineBins: Int32Array;
  readonly #effects: Float64Array;
  readonly #pushes: Float64Array;

  constructor(
    columns: readonly EncodedColumn[],
    model: SoftmaxModel,
    score: ScoreBins | null,
    baselineBins: Int32Array,
  ) {
    const groupIndex = new Map<string, number>();
    for (const column of columns)
      if (!groupIndex.has(column.group)) groupIndex.set(column.group, groupIndex.size);
    this.groups = [...groupIndex.keys()];
    this.#classes = model.classes;
    this.#width = columns.length;
    this.#columnGroup = Int32Array.from(columns, (column) => groupIndex.get(column.group) ?? 0);
    this.#delta = versusOthers(model);
    this.#score = score;
    this.#scoreDelta = score ? versusOthers(score.model) : new Float64Array(0);
    const scoreGroups = new Map<number, number>();
    this.#scoreGroup = Int32Array.from(score?.columns ?? [], (column) => {
      const group = this.#columnGroup[column] ?? 0;
      const index = scoreGroups.get(group) ?? scoreGroups.size;
      scoreGroups.set(group, index);
      return index;
    });
    this.#scoreGroups = Int32Array.from(scoreGroups.keys());
    const offsets: number[] = [];
    let offset = columns.length;
    for (const edges of score?.edges ?? []) {
      offsets.push(offset);
      offset += edges.length + 1;
    }
    if (score && offset !== columns.length + scoreBinWidth(score))
      throw new RangeError('score bin offsets disagree');
    this.#binOffsets = Int32Array.from(offsets);
    this.#baselineBins = baselineBins;
    this.#effects = new Float64Array(this.groups.length);
    this.#pushes = new Float64Array(this.#scoreGroups.length);
  }

  /**
   * Effects per group (indexed like `groups`) of one row toward class `predicted`.
   *
   * @param encoded the encoded matrix data; the row starts at `row * width`
   * @param bins the score bin of each class for each row (`rows × classes`), empty without score bins
   */
  effects(encoded: Float64Array, bins: Int32Array, row: number, predicted: number): Float64Array {
    const effects = this.#effects;
    effects.fill(0);
    const classes = this.#classes;
    const start = row * this.#width;
    const delta = this.#delta;
    const features = delta.length / classes;
    const base = predicted * features;
    for (let j = 0; j < this.#width; j++) {
      const value = encoded[start + j] ?? 0;
      if (value === 0) continue;
      const group = this.#columnGroup[j] ?? 0;
      effects[group] = (effects[group] ?? 0) + value * (delta[base + j] ?? 0);
    }

    const score = this.#score;
    if (score === null) return effects;
    const pushes = this.#pushes;
    const scoreFeatures = score.columns.length;
    for (let k = 0; k < classes; k++) {
      const offset = this.#binOffsets[k] ?? 0;
      const bin = bins[row * classes + k] ?? 0;
      const baseline = this.#baselineBins[k] ?? 0;
      const effect = (delta[base + offset + bin] ?? 0) - (delta[base + offset + baseline] ?? 0);
      if (effect === 0) continue;
      pushes.fill(0);
      let net = 0;
      for (let i = 0; i < scoreFeatures; i++) {
        const value = encoded[start + (score.columns[i] ?? 0)] ?? 0;
        if (value === 0) continue;
        const push = value * (this.#scoreDelta[k * scoreFeatures + i] ?? 0);
        const group = this.#scoreGroup[i] ?? 0;
        pushes[group] = (pushes[group] ?? 0) + push;
        net += push;
      }
      let total = 0;
      for (const push of pushes) if (push * net > 0) total += push;
      if (total === 0) continue;
      for (let index = 0; index < pushes.length; index++) {
        const push = pushes[index] ?? 0;
        const group = this.#scoreGroups[index] ?? 0;
        if (push * net > 0) effects[group] = (effects[group] ?? 0) + (effect * push) / total;
      }
    }
    return effects;
  }
}

/** `classes × features`: each feature's weight for class c minus its mean weight for the others. */
function versusOthers(model: SoftmaxModel): Float64Array {
  const { classes, features, weights } = model;
  const delta = new Float64Array(classes * features);
  for (let j = 0; j < features; j++) {
    let sum = 0;
    for (let k = 0; k < classes; k++) sum += weights[j * classes + k] ?? 0;
    for (let k = 0; k < classes; k++) {
      const own = weights[j * classes + k] ?? 0;
      delta[k * features + j] = own - (sum - own) / (classes - 1);
    }
  }
  return delta;
}
