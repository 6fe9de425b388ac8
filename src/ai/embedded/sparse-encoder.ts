import { z } from 'zod';
import type { Features } from '../contract.ts';
import { tokenize } from './feature-encoder.ts';
import { parseData } from './parse-data.ts';

/** The fitted sparse encoder as persisted inside a model body. */
export const SparseEncoderState = z.object({
  format: z.literal(1),
  /** Indicator feature names, column `i` = `vocabulary[i]`. */
  vocabulary: z.array(z.string()),
  /** Standardised numeric features, in columns after the vocabulary. */
  continuous: z.array(z.object({ feature: z.string(), mean: z.number(), scale: z.number().positive() })),
});
export type SparseEncoderState = z.infer<typeof SparseEncoderState>;

/** Rows as compressed sparse rows: row `r`'s columns are `columns[offsets[r] .. offsets[r+1])`. */
export interface SparseRows {
  readonly rows: number;
  readonly offsets: Int32Array;
  readonly columns: Int32Array;
  readonly values: Float64Array;
}

/** Prefix of the indicator features made from `Features.text` (one per word). */
export const TEXT_FEATURE_PREFIX = 'text=';

/**
 * Turns `Features` into sparse rows: every named numeric feature seen in at least `minCount`
 * training rows is a column (its value as given, usually 1), the `continuous` ones are
 * standardised, and each word of the text is a `text=<word>` indicator. Names never seen in
 * training are ignored, so a new merchant contributes nothing rather than noise.
 *
 * @example
 * const encoder = SparseEncoder.fit(rows, { minCount: 2, maxFeatures: 50_000, continuous: ['logAmount'] });
 * const x = encoder.encodeAll(rows); // CSR over encoder.width columns
 */
export class SparseEncoder {
  readonly #state: SparseEncoderState;
  readonly #column: Map<string, number>;
  readonly #continuous: Map<string, { column: number; mean: number; scale: number }>;

  private constructor(state: SparseEncoderState) {
    this.#state = state;
    this.#column = new Map(state.vocabulary.map((name, i) => [name, i]));
    this.#continuous = new Map(
      state.continuous.map((entry, i) => [
        entry.feature,
        { column: state.vocabulary.length + i, mean: entry.mean, scale: entry.scale },
      ]),
    );
  }

  /** Fits the vocabulary (most frequent first, ties by name) and the standardisation. */
  static fit(
    rows: readonly Features[],
    options: { minCount: number; maxFeatures: number; continuous: readonly string[] },
  ): SparseEncoder {
    if (rows.length === 0) throw new RangeError('SparseEncoder.fit needs at least one training row');
    const continuous = new Set(options.continuous);
    const counts = new Map<string, number>();
    const sums = new Map<string, { n: number; sum: number; squares: number }>();
    rows.forEach((row, r) => {
      for (const [name, value] of Object.entries(row.numeric)) {
        if (!Number.isFinite(value))
          throw new RangeError(`feature "${name}" of row ${r} is not finite: ${value}`);
        if (continuous.has(name)) {
          const entry = sums.get(name) ?? { n: 0, sum: 0, squares: 0 };
          entry.n++;
          entry.sum += value;
          entry.squares += value * value;
          sums.set(name, entry);
        } else if (value !== 0) {
          counts.set(name, (counts.get(name) ?? 0) + 1);
        }
      }
      for (const word of new Set(tokenize(row.text))) {
        const name = TEXT_FEATURE_PREFIX + word;
        counts.set(name, (counts.get(name) ?? 0) + 1);
      }
    });
    const vocabulary = [...counts.entries()]
      .filter(([, count]) => count >= options.minCount)
      .sort(([a, countA], [b, countB]) => countB - countA || (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, options.maxFeatures)
      .map(([name]) => name);
    const standardised = [...sums.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([feature, { n, sum, squares }]) => {
        const mean = sum / n;
        const variance = Math.max(0, squares / n - mean * mean);
        return { feature, mean, scale: variance > 0 ? Math.sqrt(variance) : 1 };
      });
    return new SparseEncoder({ format: 1, vocabulary, continuous: standardised });
  }

  /** Restores an encoder from `toJSON()`; throws a `TypeError` naming the bad field. */
  static fromJSON(state: unknown): SparseEncoder {
    return new SparseEncoder(parseData(SparseEncoderState, state, 'sparse encoder state'));
  }

  toJSON(): SparseEncoderState {
    return this.#state;
  }

  /** Number of columns: the vocabulary, then the continuous features. */
  get width(): number {
    return this.#state.vocabulary.length + this.#state.continuous.length;
  }

  /** The feature name of a column (`merchant word=amazon`, or a continuous feature's key). */
  nameOf(column: number): string {
    const vocabulary = this.#state.vocabulary;
    if (column < vocabulary.length) return vocabulary[column] ?? '';
    return this.#state.continuous[column - vocabulary.length]?.feature ?? '';
  }

  /** Whether a column is a standardised continuous feature. */
  isContinuous(column: number): boolean {
    return column >= this.#state.vocabulary.length;
  }

  /** All rows as CSR; each row's columns in ascending order. */
  encodeAll(rows: readonly Features[]): SparseRows {
    const offsets = new Int32Array(rows.length + 1);
    const columns: number[] = [];
    const values: number[] = [];
    const row: [number, number][] = [];
    rows.forEach((features, r) => {
      row.length = 0;
      this.#encodeRow(features, row);
      row.sort((a, b) => a[0] - b[0]);
      for (const [column, value] of row) {
        columns.push(column);
        values.push(value);
      }
      offsets[r + 1] = columns.length;
    });
    return {
      rows: rows.length,
      offsets,
      columns: Int32Array.from(columns),
      values: Float64Array.from(values),
    };
  }

  #encodeRow(features: Features, into: [number, number][]): void {
    const seen = new Set<number>();
    for (const [name, value] of Object.entries(features.numeric)) {
      if (!Number.isFinite(value)) throw new RangeError(`feature "${name}" is not finite: ${value}`);
      const continuous = this.#continuous.get(name);
      if (continuous) {
        const standardised = (value - continuous.mean) / continuous.scale;
        if (standardised !== 0) into.push([continuous.column, standardised]);
        continue;
      }
      const column = this.#column.get(name);
      if (column === undefined || value === 0 || seen.has(column)) continue;
      seen.add(column);
      into.push([column, value]);
    }
    for (const word of tokenize(features.text)) {
      const column = this.#column.get(TEXT_FEATURE_PREFIX + word);
      if (column === undefined || seen.has(column)) continue;
      seen.add(column);
      into.push([column, 1]);
    }
  }
}
