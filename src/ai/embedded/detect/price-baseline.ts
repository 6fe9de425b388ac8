import { z } from 'zod';
import { median, type RobustSummary, robustSummary } from './robust-statistics.ts';

/** One price paid: who sold which item at what unit price. */
export interface PriceObservation {
  supplierId: string;
  itemId: string;
  unitPrice: number;
}

/**
 * How the baseline judges prices. Defaults suit purchase prices, whose spread is multiplicative:
 * everything happens on log prices.
 */
export const PriceBaselineOptions = z.strictObject({
  /** Observations a supplier+item (or item) history needs before its own median is trusted. Default 8. */
  minHistory: z.number().int().min(1).default(8),
  /** Smallest scale of log prices (0.05 ≈ 5 %): a history of one repeated price is not infinitely sure. */
  minScale: z.number().positive().default(0.05),
  /** Pseudo-orders of the item-wide price (and spread) a supplier+item history is blended with. Default 5. */
  prior: z.number().min(0).default(5),
  /** |robust z| at which the score is 0.5. Default 3.5. */
  zAtHalf: z.number().positive().default(3.5),
  /** Steepness of the score around `zAtHalf`. Default 2. */
  steepness: z.number().positive().default(2),
});
export type PriceBaselineOptions = z.infer<typeof PriceBaselineOptions>;

/** What a price is compared with, in words and numbers. */
export interface PriceReference {
  /** Expected unit price (the exp of the log-price center). */
  expected: number;
  /** Scale of log prices at this reference. */
  scale: number;
  /** Earlier orders the reference rests on. */
  count: number;
  /** `of 37 earlier orders of item X from supplier Y`, … */
  basis: string;
}

/** A price judged: its robust z on log prices, its score 0..1, and the reason in words. */
export interface PriceJudgement {
  score: number;
  z: number;
  /** unitPrice / expected. */
  ratio: number;
  reference: PriceReference | null;
  reason: string;
}

interface Group {
  logs: number[];
}

function key(supplierId: string, itemId: string): string {
  return `${supplierId}\u0000${itemId}`;
}

function formatPrice(value: number): string {
  return value.toLocaleString('en-US', {
    minimumFractionDigits: 2,
    maximumFractionDigits: value < 1 ? 4 : 2,
  });
}

function formatRatio(ratio: number): string {
  return ratio >= 10 || ratio < 0.1 ? ratio.toPrecision(2) : ratio.toFixed(ratio >= 1 ? 1 : 2);
}

/**
 * The price history of an ERP, summarised robustly: per supplier and item, per item, and each
 * supplier's price level (its median log-price difference from the item medians). A price is
 * judged against the supplier+item history blended with the item-wide one (its median shifted by
 * the supplier's level, its spread) as `prior` pseudo-orders, so a short or tight history does not
 * make ordinary prices look wild; the reason names the supplier+item history once it has
 * `minHistory` orders. Without supplier+item history: the item-wide median (shifted) alone; without
 * any history of the item, not at all (score 0, said so).
 */
export class PriceBaseline {
  readonly options: PriceBaselineOptions;
  readonly #items = new Map<string, RobustSummary>();
  readonly #pairs = new Map<string, RobustSummary>();
  readonly #levels = new Map<string, { level: number; count: number }>();

  private constructor(options: PriceBaselineOptions) {
    this.options = options;
  }

  /** Fits the baseline on the history; prices ≤ 0 are left out (free goods, credit lines). */
  static fit(
    history: Iterable<PriceObservation>,
    options: Partial<PriceBaselineOptions> = {},
  ): PriceBaseline {
    const baseline = new PriceBaseline(PriceBaselineOptions.parse(options));
    const items = new Map<string, Group>();
    const pairs = new Map<string, Group & { supplierId: string; itemId: string }>();
    for (const observation of history) {
      if (!(observation.unitPrice > 0)) continue;
      const log = Math.log(observation.unitPrice);
      const item = items.get(observation.itemId) ?? { logs: [] };
      item.logs.push(log);
      items.set(observation.itemId, item);
      const pairKey = key(observation.supplierId, observation.itemId);
      const pair = pairs.get(pairKey) ?? {
        logs: [],
        supplierId: observation.supplierId,
        itemId: observation.itemId,
      };
      pair.logs.push(log);
      pairs.set(pairKey, pair);
    }
    const { minScale } = baseline.options;
    for (const [itemId, group] of items) baseline.#items.set(itemId, robustSummary(group.logs, minScale));
    const offsets = new Map<string, number[]>();
    for (const [pairKey, pair] of pairs) {
      baseline.#pairs.set(pairKey, robustSummary(pair.logs, minScale));
      const item = baseline.#items.get(pair.itemId);
      if (!item) continue;
      const list = offsets.get(pair.supplierId) ?? [];
      for (const log of pair.logs) list.push(log - item.median);
      offsets.set(pair.supplierId, list);
    }
    for (const [supplierId, list] of offsets) {
      baseline.#levels.set(supplierId, { level: median(list), count: list.length });
    }
    return baseline;
  }

  /** Items with any history. */
  get itemCount(): number {
    return this.#items.size;
  }

  /** What a price of `itemId` from `supplierId` is compared with; null without any history of the item. */
  reference(
    supplierId: string,
    itemId: string,
    names: { item?: string; supplier?: string } = {},
  ): PriceReference | null {
    const item = this.#items.get(itemId);
    if (!item) return null;
    const { minHistory, prior } = this.options;
    const itemName = names.item ?? `item ${itemId}`;
    const supplierName = names.supplier ?? `supplier ${supplierId}`;
    const supplierLevel = this.#levels.get(supplierId);
    // A supplier's level counts once it rests on enough orders, shrunk towards 0 while it is thin.
    const level =
      supplierLevel && supplierLevel.count >= minHistory
        ? (supplierLevel.level * supplierLevel.count) / (supplierLevel.count + 4 * minHistory)
        : 0;
    const pair = this.#pairs.get(key(supplierId, itemId));
    const itemCenter = item.median + level;
    const levelNote =
      Math.abs(level) >= 0.02
        ? `, adjusted ${level > 0 ? '+' : ''}${((Math.exp(level) - 1) * 100).toFixed(0)} % for ${supplierName}'s prices`
        : '';
    if (pair) {
      // Shrink the supplier+item history towards the item-wide one by `prior` pseudo-orders, center
      // and spread alike: a few similar prices must not make an ordinary price look wild.
      const weight = pair.count / (pair.count + prior);
      const expected = Math.exp(weight * pair.median + (1 - weight) * itemCenter);
      const scale = Math.sqrt(weight * pair.scale ** 2 + (1 - weight) * item.scale ** 2);
      if (pair.count >= minHistory) {
        return {
          expected,
          scale,
          count: pair.count,
          basis: `of ${pair.count} earlier orders of ${itemName} from ${supplierName}`,
        };
      }
      return {
        expected,
        scale,
        count: item.count,
        basis: `of ${item.count} earlier orders of ${itemName}, ${pair.count} of them from ${supplierName}${levelNote}`,
      };
    }
    return {
      expected: Math.exp(itemCenter),
      scale: item.scale,
      count: item.count,
      basis: `of ${item.count} earlier orders of ${itemName} from all suppliers${levelNote}`,
    };
  }

  /**
   * Judges one unit price: robust z of its log against the reference, a score from 0 (usual) to 1
   * (far outside anything paid before), and the reason, e.g. `unit price 48.20 is 3.1× the median
   * 15.50 of 37 earlier orders of item X from supplier Y`.
   */
  judge(observation: PriceObservation, names: { item?: string; supplier?: string } = {}): PriceJudgement {
    const reference = this.reference(observation.supplierId, observation.itemId, names);
    const price = formatPrice(observation.unitPrice);
    if (!reference) {
      return {
        score: 0,
        z: 0,
        ratio: 1,
        reference: null,
        reason: `unit price ${price}: no earlier orders of ${names.item ?? `item ${observation.itemId}`} to compare with`,
      };
    }
    if (!(observation.unitPrice > 0)) {
      return {
        score: 1,
        z: Number.NEGATIVE_INFINITY,
        ratio: 0,
        reference,
        reason: `unit price ${price} is not a price`,
      };
    }
    const z = (Math.log(observation.unitPrice) - Math.log(reference.expected)) / reference.scale;
    const { zAtHalf, steepness } = this.options;
    const score = 1 / (1 + Math.exp(-steepness * (Math.abs(z) - zAtHalf)));
    const ratio = observation.unitPrice / reference.expected;
    const relation =
      ratio >= 1
        ? `${formatRatio(ratio)}× the median`
        : `${formatRatio(ratio)}× (${((1 - ratio) * 100).toFixed(0)} % below) the median`;
    return {
      score,
      z,
      ratio,
      reference,
      reason: `unit price ${price} is ${relation} ${formatPrice(reference.expected)} ${reference.basis}`,
    };
  }
}
