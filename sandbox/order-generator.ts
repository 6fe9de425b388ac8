import { compactFromDay, dayFromIso, timestampOf } from './calendar.ts';
import { BUYERS, CATALOGUE, type CatalogueItem, CRITICAL_NOTES, NEUTRAL_NOTES } from './catalogue.ts';
import {
  isOnBoundary,
  PRIORITY_CODE_OF,
  slackThousandths,
  type UrgencyLabel,
  urgencyLabel,
  withLabelNoise,
} from './hidden-rules.ts';
import { blankPad, formatDecimalComma, zeroPad } from './legacy-format.ts';
import { createPrng, deriveSeed, type Prng } from './prng.ts';
import {
  FIELD_WIDTHS,
  type PoStatus,
  type PurchaseOrderHeader,
  type PurchaseOrderLineRecord,
} from './records.ts';
import type { SeedParameters } from './seed-parameters.ts';
import type { GeneratedSupplier } from './supplier-generator.ts';

/** One generated order: header, lines, and the label the hidden rules give it. */
export interface GeneratedOrder {
  header: PurchaseOrderHeader;
  lines: PurchaseOrderLineRecord[];
  /** The hidden-rule label as of A (today for open orders, the order date for history), no noise. */
  ruleLabel: UrgencyLabel;
}

/** The first PO number; history takes the first numbers (oldest first), open orders the next. */
export const FIRST_PO_NUMBER = 45_000_001;

/**
 * How the generator spreads need-by dates, as slack (days to spare beyond the supplier's
 * reliability-adjusted lead time). Tuned so that about 5–6 % of orders come out urgent, 15–20 %
 * high and 15–25 % low; see sandbox/README.md for the measured mix.
 */
export const GENERATOR_TUNING = {
  /** Share of orders planned too late (negative slack). */
  lateShare: 0.05,
  lateSlackDays: [-20, 0],
  /** Share of orders planned with little slack (0 to 12 days). */
  tightShare: 0.155,
  /** Beyond 12 days, slack is exponential with this mean. */
  comfortableMeanDays: 38,
  criticalNoteShare: 0.03,
  neutralNoteShare: 0.2,
  /** Open orders: need_by − today is kept within these days. */
  openDays: [-5, 120],
  openMaxAgeDays: 60,
  /** History: need_by − order_date is kept within these days; order dates within these days ago. */
  historyDays: [1, 120],
  historyAgeDays: [125, 730],
  cancelledShare: 0.03,
  /** Weights of 1..5 lines per order. */
  lineCountWeights: [40, 25, 17, 10, 8],
} as const;

function drawSlackDays(prng: Prng): number {
  const tuning = GENERATOR_TUNING;
  const band = prng.next();
  const draw = prng.next();
  if (band < tuning.lateShare) {
    const [low, high] = tuning.lateSlackDays;
    return low + draw * (high - low);
  }
  if (band < tuning.lateShare + tuning.tightShare) return draw * 12;
  return 12 - tuning.comfortableMeanDays * Math.log(1 - draw);
}

function clamp(value: number, [low, high]: readonly [number, number]): number {
  return Math.min(high, Math.max(low, value));
}

/**
 * The need-by in days after A for a wanted slack; moved off the rules' thresholds, where a
 * floating-point implementation of the rules could decide either way.
 */
function daysUntilNeed(supplier: GeneratedSupplier, slack: number, range: readonly [number, number]) {
  const effectiveLead = supplier.leadTimeDays * (1 + 2 * (1 - supplier.onTimePct / 100));
  let days = clamp(Math.round(effectiveLead + slack), range);
  const exact = slackThousandths({
    daysUntilNeed: days,
    leadTimeDays: supplier.leadTimeDays,
    onTimePct: supplier.onTimePct,
  });
  if (isOnBoundary(exact)) days = days + 1 <= range[1] ? days + 1 : days - 1;
  return days;
}

function drawNotes(prng: Prng): string {
  const band = prng.next();
  const critical = prng.pick(CRITICAL_NOTES);
  const neutral = prng.pick(NEUTRAL_NOTES);
  if (band < GENERATOR_TUNING.criticalNoteShare) return critical;
  if (band < GENERATOR_TUNING.criticalNoteShare + GENERATOR_TUNING.neutralNoteShare) return neutral;
  return '';
}

function drawLineCount(prng: Prng): number {
  const weights = GENERATOR_TUNING.lineCountWeights;
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  let draw = prng.next() * total;
  for (let index = 0; index < weights.length; index++) {
    draw -= weights[index] ?? 0;
    if (draw < 0) return index + 1;
  }
  return weights.length;
}

function pickSupplier(prng: Prng, suppliers: readonly GeneratedSupplier[]): GeneratedSupplier {
  // Skewed: a few suppliers get many orders, as in any plant.
  const supplier = suppliers[Math.floor(suppliers.length * prng.next() ** 1.4)];
  if (!supplier) throw new Error('cannot generate orders without suppliers');
  return supplier;
}

interface DrawnLine {
  item: CatalogueItem;
  quantityMilli: number;
  priceCents: number;
  amountCents: number;
  needByOffset: number;
}

function drawLine(prng: Prng): DrawnLine {
  const item = prng.pick(CATALOGUE);
  const [quantityMin, quantityMax] = item.quantity;
  const quantity = quantityMin + (quantityMax - quantityMin) * prng.next();
  const [priceMin, priceMax] = item.priceCents;
  let priceCents = prng.int(priceMin, priceMax);
  let quantityMilli: number;
  if (item.uom === 'KG' || item.uom === 'M') {
    // Ordered in halves at an even price in cents, so every line amount is whole cents.
    quantityMilli = Math.max(1, Math.round(quantity * 2)) * 500;
    priceCents += priceCents % 2;
  } else {
    quantityMilli = Math.max(1, Math.round(quantity)) * 1000;
  }
  const needByOffset = prng.pick([0, 0, 0, 7, 14, 21]);
  return { item, quantityMilli, priceCents, amountCents: (quantityMilli * priceCents) / 1000, needByOffset };
}

interface OrderDraft {
  poNumber: number;
  orderDay: number;
  needByDay: number;
  supplier: GeneratedSupplier;
  notes: string;
  status: PoStatus;
  priority: string;
  updatedAt: string;
  lines: DrawnLine[];
  ruleLabel: UrgencyLabel;
}

function toGeneratedOrder(draft: OrderDraft, buyer: string): GeneratedOrder {
  const lines = draft.lines.map(
    (line, index): PurchaseOrderLineRecord => ({
      line_no: zeroPad((index + 1) * 10, 5),
      item_no: zeroPad(line.item.materialNumber, 18),
      description: blankPad(line.item.description, FIELD_WIDTHS.description),
      quantity: formatDecimalComma(line.quantityMilli, 3),
      uom: blankPad(line.item.uom, FIELD_WIDTHS.uom),
      unit_price: line.priceCents / 100,
      need_by: compactFromDay(draft.needByDay + line.needByOffset),
    }),
  );
  const totalCents = draft.lines.reduce((sum, line) => sum + line.amountCents, 0);
  const first = draft.lines[0];
  return {
    header: {
      po_number: zeroPad(draft.poNumber, 10),
      supplier_id: draft.supplier.record.supplier_id,
      order_date: compactFromDay(draft.orderDay),
      need_by: compactFromDay(draft.needByDay),
      total_amount: formatDecimalComma(totalCents, 2),
      currency: draft.supplier.currency,
      description: blankPad(first ? first.item.description : '', FIELD_WIDTHS.description),
      notes: blankPad(draft.notes, FIELD_WIDTHS.notes),
      buyer: blankPad(buyer, FIELD_WIDTHS.buyer),
      status: draft.status,
      priority: draft.priority,
      updated_at: draft.updatedAt,
    },
    lines,
    ruleLabel: draft.ruleLabel,
  };
}

function drawLines(prng: Prng): DrawnLine[] {
  const count = drawLineCount(prng);
  const lines: DrawnLine[] = [];
  for (let index = 0; index < count; index++) {
    const line = drawLine(prng);
    // The first line carries the header's need-by; later lines may be due later.
    lines.push(index === 0 ? { ...line, needByOffset: 0 } : line);
  }
  return lines;
}

function labelOf(supplier: GeneratedSupplier, days: number, notes: string, lines: DrawnLine[]) {
  const totalCents = lines.reduce((sum, line) => sum + line.amountCents, 0);
  return urgencyLabel({
    daysUntilNeed: days,
    leadTimeDays: supplier.leadTimeDays,
    onTimePct: supplier.onTimePct,
    notes,
    totalAmount: totalCents / 100,
  });
}

function* generateHistory(
  parameters: SeedParameters,
  suppliers: readonly GeneratedSupplier[],
): Generator<GeneratedOrder> {
  const prng = createPrng(deriveSeed(parameters.seed, 'history'));
  const today = dayFromIso(parameters.today);
  const [minAge, maxAge] = GENERATOR_TUNING.historyAgeDays;
  // PO numbers rise with the order date, as in a real ERP: draw the dates first, oldest first.
  const orderDays = Array.from({ length: parameters.history }, () => today - prng.int(minAge, maxAge));
  orderDays.sort((a, b) => a - b);
  for (let index = 0; index < orderDays.length; index++) {
    const orderDay = orderDays[index] ?? today - maxAge;
    const supplier = pickSupplier(prng, suppliers);
    const days = daysUntilNeed(supplier, drawSlackDays(prng), GENERATOR_TUNING.historyDays);
    const notes = drawNotes(prng);
    const lines = drawLines(prng);
    const ruleLabel = labelOf(supplier, days, notes, lines);
    const buyerLabel = withLabelNoise(ruleLabel, prng);
    const cancelled = prng.chance(GENERATOR_TUNING.cancelledShare);
    const needByDay = orderDay + days;
    // Closed around the need-by (delivered a little early or late), cancelled within weeks of ordering.
    const closedDay = cancelled
      ? orderDay + prng.int(1, 20)
      : Math.max(orderDay, needByDay + prng.int(-3, 4));
    const updatedAt = timestampOf(Math.min(closedDay, today - 1), prng.int(6 * 3600_000, 18 * 3600_000));
    yield toGeneratedOrder(
      {
        poNumber: FIRST_PO_NUMBER + index,
        orderDay,
        needByDay,
        supplier,
        notes,
        status: cancelled ? 'CANCELLED' : 'CLOSED',
        priority: PRIORITY_CODE_OF[buyerLabel],
        updatedAt,
        lines,
        ruleLabel,
      },
      prng.pick(BUYERS),
    );
  }
}

function* generateOpen(
  parameters: SeedParameters,
  suppliers: readonly GeneratedSupplier[],
): Generator<GeneratedOrder> {
  const prng = createPrng(deriveSeed(parameters.seed, 'open'));
  const today = dayFromIso(parameters.today);
  const drafts: { supplier: GeneratedSupplier; days: number; orderDay: number; draw: number }[] = [];
  for (let index = 0; index < parameters.orders; index++) {
    const supplier = pickSupplier(prng, suppliers);
    const days = daysUntilNeed(supplier, drawSlackDays(prng), GENERATOR_TUNING.openDays);
    // An order is placed before it is needed: an overdue one at least a day before its need-by.
    const age = prng.int(Math.max(0, 1 - days), GENERATOR_TUNING.openMaxAgeDays);
    drafts.push({ supplier, days, orderDay: today - age, draw: index });
  }
  // PO numbers rise with the order date; ties keep the order they were drawn in.
  drafts.sort((a, b) => a.orderDay - b.orderDay || a.draw - b.draw);
  for (let index = 0; index < drafts.length; index++) {
    const draft = drafts[index];
    if (!draft) continue;
    const notes = drawNotes(prng);
    const lines = drawLines(prng);
    yield toGeneratedOrder(
      {
        poNumber: FIRST_PO_NUMBER + parameters.history + index,
        orderDay: draft.orderDay,
        needByDay: today + draft.days,
        supplier: draft.supplier,
        notes,
        status: 'OPEN',
        priority: PRIORITY_CODE_OF.normal,
        updatedAt: timestampOf(draft.orderDay, prng.int(6 * 3600_000, 18 * 3600_000)),
        lines,
        ruleLabel: labelOf(draft.supplier, draft.days, notes, lines),
      },
      prng.pick(BUYERS),
    );
  }
}

/**
 * Generates all purchase orders in PO-number order: the history (closed and cancelled, with the
 * priority their buyer set, labels with 3 % noise), then the open orders (priority `"3"`, the ERP
 * default). Deterministic: each kind draws from its own PRNG stream of the seed.
 */
export function* generatePurchaseOrders(
  parameters: SeedParameters,
  suppliers: readonly GeneratedSupplier[],
): Generator<GeneratedOrder> {
  yield* generateHistory(parameters, suppliers);
  yield* generateOpen(parameters, suppliers);
}
