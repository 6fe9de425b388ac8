import { z } from 'zod';
import type { Features } from '../contract.ts';
import { binIndex } from './feature-encoder.ts';
import { parseData } from './parse-data.ts';

/** The label memory as persisted inside a model body. Counts are flat `[class, count, …]` pairs. */
export const LabelMemoryState = z.object({
  format: z.literal(1),
  classes: z.number().int().min(2),
  support: z.array(z.number()),
  /** Share of each class among the rows the memory was built from (the `evidence` form needs it). */
  priors: z.array(z.number()).default([]),
  groups: z.array(
    z.object({
      prefix: z.string(),
      name: z.string(),
      /** Index of the first row that counted (0: all; later for a memory of recent rows only). */
      from: z.number().int().min(0).default(0),
      form: z.enum(['share', 'evidence']).default('share'),
      keys: z.array(z.string()),
      counts: z.array(z.array(z.number().int())),
      /** Per key (in the order of `keys`), the labels of its newest rows, oldest first (empty in old bodies). */
      recent: z.array(z.array(z.number().int())).default([]),
    }),
  ),
});
export type LabelMemoryState = z.infer<typeof LabelMemoryState>;

/**
 * Memory terms of rows, as CSR: row `r`'s terms are `[offsets[r], offsets[r+1])`; each says "in
 * slot `slot` (memory group × support bin), class `label` had share `share` of the past rows".
 */
export interface MemoryTerms {
  readonly offsets: Int32Array;
  readonly slots: Int32Array;
  readonly labels: Int32Array;
  readonly shares: Float64Array;
}

/** What one memory group remembers for one row: its key, how many past rows, and their labels. */
export interface MemoryRecall {
  group: number;
  /** The group's name in explanations (`merchant at cost centre`). */
  name: string;
  /** The key value (`amazon uk @ REAYQ`). */
  value: string;
  total: number;
  /** Count per class index (only classes seen). */
  counts: ReadonlyMap<number, number>;
  /** Labels of the key's newest rows (at most {@link RECENT_LABELS}), oldest first. */
  recent: readonly number[];
}

/** How many of each key's newest labels the memory keeps (what the key is coded to lately). */
export const RECENT_LABELS = 3;

/**
 * How a memory group speaks to the model: `share` — the share of the key's past rows that had the
 * label; `evidence` — how much more often than usual the label came with the key,
 * `ln(1 + count / (α · prior))`, so evidence from several keys multiplies like naive Bayes.
 */
export type MemoryForm = 'share' | 'evidence';
/** α of the evidence form: one pseudo-row spread over the labels by their prior. */
const EVIDENCE_SMOOTHING = 1;

interface Group {
  prefix: string;
  name: string;
  from: number;
  form: MemoryForm;
  byKey: Map<string, Map<number, number>>;
  totals: Map<string, number>;
  recent: Map<string, number[]>;
}

/**
 * For each key group (`merchant at cost centre=`, `merchant=`, `cost centre=`), the labels past
 * rows with the same key carried. It is the ERP's own habit in numbers — "merchant 'amazon' was
 * coded L030 in 212 of 240 past lines" — and enters the model as one term per group: the share of
 * each label at the row's key, weighted by a learned trust that grows with the number of past rows
 * (the support bin). Training rows see their key's counts without themselves (leave-one-out), as a
 * new row will.
 */
export class LabelMemory {
  readonly classes: number;
  readonly support: readonly number[];
  readonly #priors: readonly number[];
  readonly #groups: Group[];

  private constructor(
    classes: number,
    support: readonly number[],
    priors: readonly number[],
    groups: Group[],
  ) {
    this.classes = classes;
    this.support = support;
    this.#priors = priors;
    this.#groups = groups;
  }

  /** Counts labels per key for each group over labelled rows. */
  static build(
    rows: readonly Features[],
    targets: ArrayLike<number>,
    classes: number,
    groups: readonly {
      prefix: string;
      name?: string | undefined;
      recent?: number | undefined;
      form?: MemoryForm | undefined;
    }[],
    support: readonly number[],
  ): LabelMemory {
    if (rows.length !== targets.length) {
      throw new RangeError(`${rows.length} rows but ${targets.length} labels`);
    }
    const built: Group[] = groups.map((group) => ({
      prefix: group.prefix,
      name: group.name ?? group.prefix.slice(0, -1),
      from: group.recent === undefined ? 0 : Math.floor(rows.length * (1 - group.recent)),
      form: group.form ?? 'share',
      byKey: new Map(),
      totals: new Map(),
      recent: new Map(),
    }));
    rows.forEach((row, r) => {
      const label = targets[r] ?? 0;
      for (const group of built) {
        if (r < group.from) continue;
        const key = keyOf(row, group.prefix);
        if (key === null) continue;
        let counts = group.byKey.get(key);
        if (!counts) {
          counts = new Map();
          group.byKey.set(key, counts);
        }
        counts.set(label, (counts.get(label) ?? 0) + 1);
        group.totals.set(key, (group.totals.get(key) ?? 0) + 1);
        const recent = group.recent.get(key) ?? [];
        recent.push(label);
        if (recent.length > RECENT_LABELS) recent.shift();
        group.recent.set(key, recent);
      }
    });
    const priors = new Array<number>(classes).fill(0);
    for (let r = 0; r < targets.length; r++) {
      const label = targets[r] ?? 0;
      priors[label] = (priors[label] ?? 0) + 1 / targets.length;
    }
    return new LabelMemory(classes, [...support], priors, built);
  }

  /** Restores a memory from `toJSON()`; throws a `TypeError` naming the bad field. */
  static fromJSON(state: unknown): LabelMemory {
    const parsed = parseData(LabelMemoryState, state, 'label memory state');
    const groups = parsed.groups.map((group, g) => {
      if (group.keys.length !== group.counts.length) {
        throw new TypeError(
          `invalid label memory state: group ${g} has ${group.keys.length} keys but ${group.counts.length} counts`,
        );
      }
      const byKey = new Map<string, Map<number, number>>();
      const totals = new Map<string, number>();
      const recent = new Map<string, number[]>();
      group.keys.forEach((key, i) => {
        const newest = group.recent[i];
        if (newest) recent.set(key, newest);
        const flat = group.counts[i] ?? [];
        const counts = new Map<number, number>();
        let total = 0;
        for (let p = 0; p + 1 < flat.length; p += 2) {
          const label = flat[p] ?? 0;
          const count = flat[p + 1] ?? 0;
          if (label < 0 || label >= parsed.classes) {
            throw new TypeError(`invalid label memory state: group ${g} key "${key}" counts class ${label}`);
          }
          counts.set(label, count);
          total += count;
        }
        byKey.set(key, counts);
        totals.set(key, total);
      });
      return {
        prefix: group.prefix,
        name: group.name,
        from: group.from,
        form: group.form,
        byKey,
        totals,
        recent,
      };
    });
    return new LabelMemory(parsed.classes, parsed.support, parsed.priors, groups);
  }

  toJSON(): LabelMemoryState {
    return {
      format: 1,
      classes: this.classes,
      support: [...this.support],
      priors: [...this.#priors],
      groups: this.#groups.map((group) => {
        const keys = [...group.byKey.keys()].sort();
        return {
          prefix: group.prefix,
          name: group.name,
          from: group.from,
          form: group.form,
          keys,
          counts: keys.map((key) => [...(group.byKey.get(key) ?? new Map<number, number>())].flat()),
          recent: keys.map((key) => group.recent.get(key) ?? []),
        };
      }),
    };
  }

  /** Number of key groups. */
  get groups(): number {
    return this.#groups.length;
  }

  /** Number of (group × support bin) slots: one learned trust each. */
  get slots(): number {
    return this.#groups.length * (this.support.length + 1);
  }

  /** The slot's wording for reports: `merchant at cost centre, 4–7 past rows`. */
  slotName(slot: number): string {
    const bins = this.support.length + 1;
    const group = this.#groups[Math.floor(slot / bins)];
    const bin = slot % bins;
    const from = bin === 0 ? 1 : (this.support[bin - 1] ?? 1);
    const to = bin < this.support.length ? (this.support[bin] ?? 0) - 1 : null;
    const range = to === null ? `${from}+` : from === to ? `${from}` : `${from}–${to}`;
    return `${group?.name ?? '?'}, ${range} past rows`;
  }

  /**
   * The memory terms of rows. With `exclude` (the labels of the very rows the memory was built
   * from, in the same order), each row that counted has its own label taken out of its key's
   * counts first, as a new row would not be in them.
   */
  terms(rows: readonly Features[], exclude?: ArrayLike<number>): MemoryTerms {
    const offsets = new Int32Array(rows.length + 1);
    const slots: number[] = [];
    const labels: number[] = [];
    const shares: number[] = [];
    const bins = this.support.length + 1;
    rows.forEach((row, r) => {
      this.#groups.forEach((group, g) => {
        const key = keyOf(row, group.prefix);
        const counts = key === null ? undefined : group.byKey.get(key);
        if (key === null || !counts) return;
        const own = exclude && r >= group.from ? (exclude[r] ?? -1) : -1;
        const total = (group.totals.get(key) ?? 0) - (own >= 0 && counts.has(own) ? 1 : 0);
        if (total <= 0) return;
        const slot = g * bins + binIndex(this.support, total);
        for (const [label, count] of counts) {
          const remaining = label === own ? count - 1 : count;
          if (remaining <= 0) continue;
          slots.push(slot);
          labels.push(label);
          shares.push(this.#value(group, label, remaining, total));
        }
      });
      offsets[r + 1] = slots.length;
    });
    return {
      offsets,
      slots: Int32Array.from(slots),
      labels: Int32Array.from(labels),
      shares: Float64Array.from(shares),
    };
  }

  /** What each group remembers for one row (groups with no past rows left out). */
  recall(row: Features): MemoryRecall[] {
    const recalled: MemoryRecall[] = [];
    this.#groups.forEach((group, g) => {
      const key = keyOf(row, group.prefix);
      const counts = key === null ? undefined : group.byKey.get(key);
      if (key === null || !counts) return;
      recalled.push({
        group: g,
        name: group.name,
        value: key,
        total: group.totals.get(key) ?? 0,
        counts,
        recent: group.recent.get(key) ?? [],
      });
    });
    return recalled;
  }

  /** What a key with `count` of `total` past rows of `label` tells the model in group `g` (its form). */
  termValue(group: number, label: number, count: number, total: number): number {
    const found = this.#groups[group];
    return found ? this.#value(found, label, count, total) : 0;
  }

  #value(group: Group, label: number, count: number, total: number): number {
    if (group.form === 'share') return count / total;
    return Math.log1p(count / (EVIDENCE_SMOOTHING * Math.max(this.#priors[label] ?? 0, 1e-6)));
  }

  /** The slot of group `g` for a key with `total` past rows. */
  slotOf(group: number, total: number): number {
    return group * (this.support.length + 1) + binIndex(this.support, total);
  }
}

/** The value of the row's first non-zero feature named `<prefix><value>`, or null. */
function keyOf(row: Features, prefix: string): string | null {
  for (const name in row.numeric) {
    if (name.startsWith(prefix) && row.numeric[name] !== 0) return name.slice(prefix.length);
  }
  return null;
}
