import { PRIORITIES, type Priority } from '../../canonical/priority.ts';
import type { PurchaseOrder } from '../../canonical/purchase-order.ts';
import type { Supplier } from '../../canonical/supplier.ts';
import type { Example, Features } from '../contract.ts';
import type { EmbeddedClassifyTask } from '../embedded/embedded-task.ts';
import { calendarDaysBetween } from './calendar-days.ts';

/** One purchase order to rank, with its supplier (null when unknown) and the day to judge it on. */
export interface UrgencyInput {
  order: PurchaseOrder;
  supplier: Supplier | null;
  /** `YYYY-MM-DD`: today for open orders, the order date for history. */
  asOf: string;
}

/**
 * What we assume about a supplier the ERP does not know: a middling one, so the order is judged on
 * its dates, amount and notes alone. `supplierKnown = 0` lets the model learn how buyers treated
 * such orders, instead of mistaking them for orders of a real 30-day, 85 % supplier.
 */
export const UNKNOWN_SUPPLIER = { leadTimeDays: 30, onTimeRate: 0.85 } as const;

/**
 * Phrases buyers write when an order cannot wait: a stopped line or plant, an escalated customer,
 * a request to expedite. Matched as whole words, case-insensitively. The model also learns its own
 * words from the notes; these are declared so the slack thresholds can move when one appears.
 */
export const URGENT_NOTE_PHRASES = [
  'line down',
  'line stopped',
  'line stop',
  'plant down',
  'machine down',
  'production stop',
  'production stoppage',
  'stoppage',
  'customer escalation',
  'escalation',
  'escalated',
  'expedite',
  'expedited',
  'expediting',
  'rush',
  'urgent',
  'urgently',
  'asap',
  'critical',
  'emergency',
] as const;

/**
 * Purchase-order urgency for a buyer, learned from the priorities buyers set on past orders.
 *
 * Features (days are calendar days as of `asOf`):
 * - `daysToNeed` = need-by − as-of; `overdue` = 1 when the need-by date has passed.
 * - `leadTimeDays`, `onTimeRate` from the supplier (see `UNKNOWN_SUPPLIER`), `supplierKnown`.
 * - `slackDays` = daysToNeed − leadTimeDays: the days to spare if the supplier delivers on time.
 * - `expectedLateDays` = leadTimeDays × (1 − onTimeRate): how late this supplier tends to run, so
 *   slack can be discounted for unreliable suppliers.
 * - `logAmount` = ln(1 + total amount): value matters in proportion, not in euros.
 * - `lineCount`.
 * - Text: description and notes (words and word pairs), plus the `urgentNote` flag.
 *
 * The embedded hints bin slack, days-to-need, the expected lateness and the amount (so a linear
 * model can learn "less than about two weeks of slack" or "a small order"), and cross the slack with
 * the `urgentNote` flag, so that an urgent note can make a short slack urgent without making every
 * long one so.
 */
export const poUrgencyTask: EmbeddedClassifyTask<UrgencyInput, Priority> = {
  name: 'po-urgency',
  labels: PRIORITIES,
  featureVersion: 1,
  features: urgencyFeatures,
  featureNames: {
    daysToNeed: 'days until need-by',
    overdue: 'need-by date passed',
    leadTimeDays: 'supplier lead time',
    onTimeRate: 'supplier on-time rate',
    supplierKnown: 'supplier known',
    slackDays: 'days of slack',
    expectedLateDays: 'supplier’s expected delay',
    logAmount: 'order amount',
    lineCount: 'order lines',
    urgentNote: 'notes flag urgency',
  },
  instructions: [
    'You rank purchase orders for a buyer by how urgently they need attention.',
    'Slack is the days until the need-by date minus the supplier lead time; discount it further for',
    'suppliers who are often late (a low on-time rate).',
    '- urgent: the goods will arrive too late unless the buyer acts now: the slack is negative, or',
    '  the notes report a line down, a production stoppage, a customer escalation or a request to',
    '  expedite or rush, and there is little slack left.',
    '- high: little slack (about two weeks or less), or the notes report one of those critical',
    '  situations with more time to spare.',
    '- low: plenty of slack (well over a month after allowing for lateness) and a small order value.',
    '- normal: everything else; most orders are normal.',
    'Use only the fields given. Answer with one label.',
  ].join('\n'),
  describe: (input) => {
    const { order, supplier } = input;
    return {
      orderNumber: order.id,
      needBy: order.needBy,
      daysToNeed: calendarDaysBetween(input.asOf, order.needBy),
      supplierLeadTimeDays: supplier?.leadTimeDays ?? null,
      supplierOnTimeRate: supplier?.onTimeRate ?? null,
      amount: order.totalAmount,
      currency: order.currency,
      description: order.description,
      notes: order.notes,
    };
  },
  embedded: {
    encoding: {
      minDocumentFrequency: 5,
      maxVocabulary: 200,
      bins: [
        { feature: 'slackDays', quantiles: 16 },
        { feature: 'daysToNeed', quantiles: 10 },
        { feature: 'expectedLateDays', quantiles: 8 },
        { feature: 'logAmount', quantiles: 10 },
      ],
      textFlags: [{ name: 'urgentNote', phrases: [...URGENT_NOTE_PHRASES] }],
      interactions: [
        { feature: 'slackDays', flag: 'urgentNote' },
        { feature: 'expectedLateDays', flag: 'urgentNote' },
      ],
    },
    valueFormats: {
      onTimeRate: 'percent',
      leadTimeDays: 'days',
      expectedLateDays: 'days',
      logAmount: 'log1p',
      overdue: 'flag',
      supplierKnown: 'flag',
    },
  },
};

/** The numeric and text features of one order; see `poUrgencyTask` for what each means. */
export function urgencyFeatures(input: UrgencyInput): Features {
  const { order, supplier } = input;
  const daysToNeed = calendarDaysBetween(input.asOf, order.needBy);
  const leadTimeDays = supplier?.leadTimeDays ?? UNKNOWN_SUPPLIER.leadTimeDays;
  const onTimeRate = supplier?.onTimeRate ?? UNKNOWN_SUPPLIER.onTimeRate;
  return {
    numeric: {
      daysToNeed,
      overdue: daysToNeed < 0 ? 1 : 0,
      leadTimeDays,
      onTimeRate,
      supplierKnown: supplier === null ? 0 : 1,
      slackDays: daysToNeed - leadTimeDays,
      expectedLateDays: leadTimeDays * (1 - onTimeRate),
      logAmount: Math.log1p(order.totalAmount),
      lineCount: order.lines.length,
    },
    text: `${order.description}\n${order.notes}`,
  };
}

/**
 * Training examples from order history: every closed order a buyer gave a priority, judged as of
 * its order date (when the buyer set the priority). Open and cancelled orders teach nothing.
 * An order whose supplier is not in `suppliers` is kept with `supplier: null`.
 */
export function examplesFromHistory(
  orders: readonly PurchaseOrder[],
  suppliers: ReadonlyMap<string, Supplier>,
): Example<UrgencyInput, Priority>[] {
  const examples: Example<UrgencyInput, Priority>[] = [];
  for (const order of orders) {
    if (order.status !== 'closed' || order.priority === null) continue;
    examples.push({
      input: { order, supplier: suppliers.get(order.supplierId) ?? null, asOf: order.orderDate },
      label: order.priority,
    });
  }
  return examples;
}
