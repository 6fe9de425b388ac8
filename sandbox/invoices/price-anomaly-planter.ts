import { CATALOGUE, type CatalogueItem } from '../catalogue.ts';
import { parseDecimalComma } from '../legacy-format.ts';
import { createPrng, deriveSeed, type Prng } from '../prng.ts';
import type { SourceOrder } from './invoice-generator.ts';
import type { PriceAnomalyTruth } from './records.ts';

/** How many open orders get a planted price, and how far off it is. */
export const PRICE_ANOMALY_TUNING = {
  /** Share of open orders with one line at an anomalous price. */
  orderShare: 0.03,
  /** Above the item's usual range: its highest price times this. */
  highFactor: [1.8, 4],
  /** Below it: its lowest price times this. */
  lowFactor: [0.2, 0.55],
  /** Kind weights: too high, too low, a decimal slip (×10 or ÷10). */
  kindWeights: { high: 45, low: 30, 'decimal-slip': 25 },
} as const;

/** One planted price: the truth, and the order's new total in cents. */
export interface PlantedPrice {
  truth: PriceAnomalyTruth;
  totalCents: number;
}

/** The hidden rules call an order low priority only under this total; a plant never crosses it. */
const LOW_PRIORITY_TOTAL_CENTS = 1_000_000;

const ITEMS = new Map<number, CatalogueItem>(CATALOGUE.map((item) => [item.materialNumber, item]));

function pickKind(prng: Prng): PriceAnomalyTruth['kind'] {
  const weights = PRICE_ANOMALY_TUNING.kindWeights;
  const total = weights.high + weights.low + weights['decimal-slip'];
  const roll = prng.next() * total;
  if (roll < weights.high) return 'high';
  if (roll < weights.high + weights.low) return 'low';
  return 'decimal-slip';
}

function plantedCents(item: CatalogueItem, cents: number, kind: PriceAnomalyTruth['kind'], prng: Prng) {
  const [low, high] = item.priceCents;
  const between = ([from, to]: readonly [number, number]) => from + (to - from) * prng.next();
  let planted: number;
  if (kind === 'high') planted = Math.round(high * between(PRICE_ANOMALY_TUNING.highFactor));
  else if (kind === 'low') planted = Math.round(low * between(PRICE_ANOMALY_TUNING.lowFactor));
  else planted = prng.chance(0.5) ? cents * 10 : Math.round(cents / 10);
  planted = Math.max(1, planted);
  // KG and M lines are ordered in halves at even cents, so every line amount stays whole cents.
  if (item.uom === 'KG' || item.uom === 'M') planted += planted % 2;
  return planted;
}

/**
 * Picks orders and gives one line of each a price far from its item's usual range: above it, below
 * it, or off by a decimal place. Deterministic (an own PRNG stream for open orders and for the
 * history). An order whose new total would cross the 10,000 the hidden urgency rules look at is left
 * alone, so the urgency rules still give every order the label the order generator computed.
 */
export function plantPriceAnomalies(
  seed: number,
  orders: readonly SourceOrder[],
  stream: 'open' | 'history',
): PlantedPrice[] {
  const prng = createPrng(deriveSeed(seed, `price-anomalies:${stream}`));
  const planted: PlantedPrice[] = [];
  for (const order of orders) {
    if (!prng.chance(PRICE_ANOMALY_TUNING.orderShare)) continue;
    const index = prng.int(0, order.lines.length - 1);
    const line = order.lines[index];
    const kind = pickKind(prng);
    if (!line) continue;
    const item = ITEMS.get(Number(line.item_no));
    if (!item) continue;
    const cents = Math.round(line.unit_price * 100);
    const newCents = plantedCents(item, cents, kind, prng);
    if (newCents === cents) continue;
    const quantityMilli = parseDecimalComma(line.quantity, 3);
    const totalCents = parseDecimalComma(order.header.total_amount, 2);
    const newTotal = totalCents + (quantityMilli * (newCents - cents)) / 1000;
    const crosses = totalCents < LOW_PRIORITY_TOTAL_CENTS !== newTotal < LOW_PRIORITY_TOTAL_CENTS;
    if (crosses || !Number.isInteger(newTotal)) continue;
    planted.push({
      truth: {
        po_number: order.header.po_number,
        line_no: line.line_no,
        original_price: cents / 100,
        planted_price: newCents / 100,
        kind,
        order_status: order.header.status,
        flagged_by_buyer: false,
      },
      totalCents: newTotal,
    });
  }
  return planted;
}
