import { z } from 'zod';
import type { Features } from '../contract.ts';
import { createMatrix, type DenseMatrix } from './dense-matrix.ts';
import { parseData } from './parse-data.ts';

/**
 * How a task wants its features encoded for a linear model, beyond the defaults. Plain data, so a
 * task can declare it next to its `features()` function.
 *
 * - `bins`: one-hot bins for chosen numeric features, with `edges` given or fitted at `quantiles`,
 *   so a linear model can learn thresholds ("less than a week of slack").
 * - `textFlags`: named phrase lists; the flag is 1 when the text contains any of the phrases.
 * - `interactions`: numeric feature × text flag (the standardised value and, when the feature is
 *   binned, each bin), so a flag can move the feature's thresholds ("an urgent note matters more
 *   when slack is short").
 */
export const EncodingSpec = z
  .object({
    /** A text token enters the vocabulary only if this many training examples contain it. Default 5. */
    minDocumentFrequency: z.number().int().min(1).default(5),
    /** At most this many tokens, the most frequent first. Default 200. */
    maxVocabulary: z.number().int().min(0).default(200),
    bins: z
      .array(
        z.object({
          feature: z.string().min(1),
          edges: z.array(z.number()).min(1).optional(),
          quantiles: z.number().int().min(2).max(100).optional(),
        }),
      )
      .default([]),
    textFlags: z
      .array(z.object({ name: z.string().min(1), phrases: z.array(z.string().min(1)).min(1) }))
      .default([]),
    interactions: z.array(z.object({ feature: z.string().min(1), flag: z.string().min(1) })).default([]),
  })
  .superRefine((spec, context) => {
    spec.bins.forEach((bin, i) => {
      if ((bin.edges === undefined) === (bin.quantiles === undefined)) {
        context.addIssue({
          code: 'custom',
          path: ['bins', i],
          message: `bins for "${bin.feature}" need exactly one of edges or quantiles`,
        });
      }
      if (bin.edges?.some((edge, k) => k > 0 && edge <= (bin.edges?.[k - 1] ?? edge))) {
        context.addIssue({
          code: 'custom',
          path: ['bins', i, 'edges'],
          message: `bin edges for "${bin.feature}" must be strictly increasing`,
        });
      }
    });
    const flags = new Set(spec.textFlags.map((flag) => flag.name));
    spec.interactions.forEach((interaction, i) => {
      if (!flags.has(interaction.flag)) {
        context.addIssue({
          code: 'custom',
          path: ['interactions', i, 'flag'],
          message: `interaction uses text flag "${interaction.flag}", which is not declared in textFlags`,
        });
      }
    });
  });
/** The spec as a task writes it (every field optional). */
export type EncodingSpecInput = z.input<typeof EncodingSpec>;
export type EncodingSpecResolved = z.output<typeof EncodingSpec>;

/** The fitted encoder as persisted inside a model body. `format` is bumped on incompatible changes. */
export const EncoderState = z.object({
  format: z.literal(1),
  numeric: z.array(z.object({ feature: z.string(), mean: z.number(), scale: z.number().positive() })),
  bins: z.array(z.object({ feature: z.string(), edges: z.array(z.number()) })),
  textFlags: z.array(z.object({ name: z.string(), phrases: z.array(z.string()) })),
  interactions: z.array(z.object({ feature: z.string(), flag: z.string() })),
  vocabulary: z.array(z.string()),
});
export type EncoderState = z.infer<typeof EncoderState>;

/** What one encoded column means, and which human-level feature (`group`) it explains. */
export interface EncodedColumn {
  /** e.g. `slackDays`, `slackDays in [-3, 0)`, `flag:urgentNote`, `slackDays × urgentNote`, `text:line down`. */
  key: string;
  /** The feature a person would name: `slackDays`, `flag:urgentNote`, `text:line down`. */
  group: string;
  kind: EncodedColumnKind;
}

/**
 * `numeric`: a standardised value; `bin`: one bin of a numeric feature; `flag`: a text flag;
 * `interaction`: standardised value × flag; `interaction-bin`: one bin × flag; `token`: a word or
 * word pair present in the text. The first three plus `interaction` are the continuous columns.
 */
export type EncodedColumnKind = 'numeric' | 'bin' | 'flag' | 'interaction' | 'interaction-bin' | 'token';

/** Group key of a text flag's column (and of the interactions that only fire with it). */
export const flagGroup = (flag: string): string => `flag:${flag}`;
/** Group key of a vocabulary token's column. */
export const tokenGroup = (token: string): string => `text:${token}`;

/**
 * Turns `Features` into a dense vector for a linear model:
 * standardised numerics (a missing value reads as the training mean), declared one-hot bins, text
 * flags, flag interactions, and binary presence of vocabulary tokens (lower-cased words of ≥ 2
 * letters or digits, and their bigrams).
 *
 * @example
 * const encoder = FeatureEncoder.fit(examples.map((e) => task.features(e.input)), task.embedded?.encoding);
 * const x = encoder.encodeAll(rows); // rows × encoder.width
 * const again = FeatureEncoder.fromJSON(JSON.parse(JSON.stringify(encoder.toJSON())));
 */
export class FeatureEncoder {
  readonly columns: readonly EncodedColumn[];
  readonly #state: EncoderState;
  readonly #binsByFeature: Map<string, readonly number[]>;
  readonly #flagIndex: Map<string, number>;
  readonly #tokenColumn: Map<string, number>;
  readonly #offsets: { bins: number; flags: number; interactions: number; tokens: number };
  /** Per interaction: where its feature's standardised value is, its flag, its columns. */
  readonly #interactionPlan: {
    feature: string;
    numericColumn: number;
    flag: number;
    edges: readonly number[] | undefined;
    column: number;
  }[];

  private constructor(state: EncoderState) {
    this.#state = state;
    this.#binsByFeature = new Map(state.bins.map((bin) => [bin.feature, bin.edges]));
    this.#flagIndex = new Map(state.textFlags.map((flag, i) => [flag.name, i]));
    const numericFeatures = new Set(state.numeric.map((entry) => entry.feature));
    for (const bin of state.bins) {
      if (!numericFeatures.has(bin.feature))
        throw new RangeError(`bins for unknown feature "${bin.feature}"`);
    }
    for (const interaction of state.interactions) {
      if (!numericFeatures.has(interaction.feature)) {
        throw new RangeError(`interaction with unknown feature "${interaction.feature}"`);
      }
      if (!this.#flagIndex.has(interaction.flag)) {
        throw new RangeError(`interaction with unknown text flag "${interaction.flag}"`);
      }
    }

    const columns: EncodedColumn[] = [];
    for (const { feature } of state.numeric) columns.push({ key: feature, group: feature, kind: 'numeric' });
    const binsStart = columns.length;
    for (const { feature, edges } of state.bins) {
      for (const label of binLabels(edges))
        columns.push({ key: `${feature} ${label}`, group: feature, kind: 'bin' });
    }
    const flagsStart = columns.length;
    for (const { name } of state.textFlags)
      columns.push({ key: flagGroup(name), group: flagGroup(name), kind: 'flag' });
    const interactionsStart = columns.length;
    const numericColumn = new Map(state.numeric.map((entry, j) => [entry.feature, j]));
    this.#interactionPlan = [];
    for (const { feature, flag } of state.interactions) {
      const group = flagGroup(flag);
      this.#interactionPlan.push({
        feature,
        numericColumn: numericColumn.get(feature) ?? -1,
        flag: this.#flagIndex.get(flag) ?? -1,
        edges: this.#binsByFeature.get(feature),
        column: columns.length,
      });
      columns.push({ key: `${feature} × ${flag}`, group, kind: 'interaction' });
      for (const label of binLabels(this.#binsByFeature.get(feature) ?? [])) {
        columns.push({ key: `${feature} ${label} × ${flag}`, group, kind: 'interaction-bin' });
      }
    }
    const tokensStart = columns.length;
    this.#tokenColumn = new Map(state.vocabulary.map((token, i) => [token, tokensStart + i]));
    for (const token of state.vocabulary)
      columns.push({ key: tokenGroup(token), group: tokenGroup(token), kind: 'token' });

    this.columns = columns;
    this.#offsets = {
      bins: binsStart,
      flags: flagsStart,
      interactions: interactionsStart,
      tokens: tokensStart,
    };
  }

  /**
   * Fits standardisation, quantile bin edges and the vocabulary on training rows.
   * Throws if a declared bin or interaction names a numeric feature the rows never have.
   */
  static fit(rows: readonly Features[], spec: EncodingSpecInput = {}): FeatureEncoder {
    const resolved = parseData(EncodingSpec, spec, 'encoding spec');
    if (rows.length === 0) throw new RangeError('FeatureEncoder.fit needs at least one training row');

    const valuesByFeature = new Map<string, number[]>();
    rows.forEach((row, i) => {
      for (const [feature, value] of Object.entries(row.numeric)) {
        if (!Number.isFinite(value))
          throw new RangeError(`feature "${feature}" of row ${i} is not finite: ${value}`);
        let values = valuesByFeature.get(feature);
        if (values === undefined) {
          values = [];
          valuesByFeature.set(feature, values);
        }
        values.push(value);
      }
    });
    const numeric = [...valuesByFeature.keys()].sort().map((feature) => {
      const values = valuesByFeature.get(feature) ?? [];
      const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
      const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length;
      // A constant feature carries no information; a scale of 1 keeps it at 0 instead of dividing by 0.
      return { feature, mean, scale: variance > 0 ? Math.sqrt(variance) : 1 };
    });

    const bins = resolved.bins.map((bin) => {
      const values = valuesByFeature.get(bin.feature);
      if (values === undefined)
        throw new RangeError(`bins declared for "${bin.feature}", which no training row has`);
      return { feature: bin.feature, edges: bin.edges ?? quantileEdges(values, bin.quantiles ?? 2) };
    });
    for (const interaction of resolved.interactions) {
      if (!valuesByFeature.has(interaction.feature)) {
        throw new RangeError(`interaction declared for "${interaction.feature}", which no training row has`);
      }
    }

    const documentFrequency = new Map<string, number>();
    for (const row of rows) {
      for (const token of new Set(textTokens(tokenize(row.text)))) {
        documentFrequency.set(token, (documentFrequency.get(token) ?? 0) + 1);
      }
    }
    const vocabulary = [...documentFrequency.entries()]
      .filter(([, count]) => count >= resolved.minDocumentFrequency)
      .sort(([a, countA], [b, countB]) => countB - countA || (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, resolved.maxVocabulary)
      .map(([token]) => token);

    const textFlags = resolved.textFlags.map((flag) => ({
      name: flag.name,
      phrases: flag.phrases.map((phrase) => tokenize(phrase).join(' ')).filter((phrase) => phrase.length > 0),
    }));

    return new FeatureEncoder({
      format: 1,
      numeric,
      bins,
      textFlags,
      interactions: resolved.interactions,
      vocabulary,
    });
  }

  /** Restores an encoder from `toJSON()` output; throws a `TypeError` naming the bad field. */
  static fromJSON(state: unknown): FeatureEncoder {
    return new FeatureEncoder(parseData(EncoderState, state, 'encoder state'));
  }

  /** The persisted form: plain JSON-safe data. */
  toJSON(): EncoderState {
    return this.#state;
  }

  /** Number of encoded columns. */
  get width(): number {
    return this.columns.length;
  }

  /** One row as a new vector of `width` values. */
  encode(features: Features): Float64Array {
    const target = new Float64Array(this.width);
    this.encodeInto(features, target, 0);
    return target;
  }

  /** All rows as one `rows × width` matrix. */
  encodeAll(rows: readonly Features[]): DenseMatrix {
    const matrix = createMatrix(rows.length, this.width);
    rows.forEach((row, r) => {
      this.encodeInto(row, matrix.data, r * this.width);
    });
    return matrix;
  }

  /**
   * Writes one encoded row into `target` at `offset` (expects zeros there). Numeric features the
   * encoder was not fitted on are ignored; a missing one reads as its training mean.
   */
  encodeInto(features: Features, target: Float64Array, offset: number): void {
    const state = this.#state;
    for (let j = 0; j < state.numeric.length; j++) {
      const entry = state.numeric[j];
      const value = entry === undefined ? undefined : features.numeric[entry.feature];
      if (entry === undefined || value === undefined) continue;
      if (!Number.isFinite(value)) throw new RangeError(`feature "${entry.feature}" is not finite: ${value}`);
      target[offset + j] = (value - entry.mean) / entry.scale;
    }

    let column = offset + this.#offsets.bins;
    for (const { feature, edges } of state.bins) {
      const value = features.numeric[feature];
      if (value !== undefined) target[column + binIndex(edges, value)] = 1;
      column += edges.length + 1;
    }

    const tokens = tokenize(features.text);
    const padded = ` ${tokens.join(' ')} `;
    const flagOn = state.textFlags.map(({ phrases }) =>
      phrases.some((phrase) => padded.includes(` ${phrase} `)),
    );
    for (let i = 0; i < flagOn.length; i++) if (flagOn[i]) target[offset + this.#offsets.flags + i] = 1;

    for (const plan of this.#interactionPlan) {
      if (!flagOn[plan.flag]) continue;
      target[offset + plan.column] = target[offset + plan.numericColumn] ?? 0;
      const value = features.numeric[plan.feature];
      if (plan.edges !== undefined && value !== undefined) {
        target[offset + plan.column + 1 + binIndex(plan.edges, value)] = 1;
      }
    }

    for (const token of textTokens(tokens)) {
      const tokenColumn = this.#tokenColumn.get(token);
      if (tokenColumn !== undefined) target[offset + tokenColumn] = 1;
    }
  }

  /** The first phrase of `flag` found in `text`, for explanations ("notes mention \"line down\""). */
  matchedPhrase(text: string, flag: string): string | undefined {
    const padded = ` ${tokenize(text).join(' ')} `;
    const phrases = this.#state.textFlags[this.#flagIndex.get(flag) ?? -1]?.phrases ?? [];
    return phrases.find((phrase) => padded.includes(` ${phrase} `));
  }
}

/** Lower-cased runs of letters or digits, at least 2 characters long. */
export function tokenize(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((token) => token.length >= 2);
}

/** Unigrams and bigrams of a token sequence. */
function textTokens(tokens: readonly string[]): string[] {
  const all = [...tokens];
  for (let i = 1; i < tokens.length; i++) all.push(`${tokens[i - 1]} ${tokens[i]}`);
  return all;
}

/** Distinct values at the `i / quantiles` points of the sorted values, for i = 1 .. quantiles − 1. */
export function quantileEdges(values: readonly number[], quantiles: number): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  const edges: number[] = [];
  for (let i = 1; i < quantiles; i++) {
    const edge = sorted[Math.floor((i * sorted.length) / quantiles)];
    if (edge !== undefined && edge > (edges[edges.length - 1] ?? Number.NEGATIVE_INFINITY)) edges.push(edge);
  }
  // An edge at the minimum would leave the first bin empty.
  if (edges[0] !== undefined && edges[0] <= (sorted[0] ?? 0)) edges.shift();
  return edges;
}

/** Bin `i` holds `edges[i-1] ≤ value < edges[i]`; bin 0 is below the first edge, the last at or above the last. */
export function binIndex(edges: readonly number[], value: number): number {
  let low = 0;
  let high = edges.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (value >= (edges[middle] ?? Number.POSITIVE_INFINITY)) low = middle + 1;
    else high = middle;
  }
  return low;
}

function binLabels(edges: readonly number[]): string[] {
  const labels: string[] = [];
  for (let i = 0; i <= edges.length; i++) {
    const from = i === 0 ? '-∞' : String(edges[i - 1]);
    const to = i === edges.length ? '∞' : String(edges[i]);
    labels.push(`in [${from}, ${to})`);
  }
  return labels;
}
