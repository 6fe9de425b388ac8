/**
 * The hidden rules: how the sandbox's buyers decide how urgent a purchase order is. This is the
 * ground truth the po-urgency workflow is evaluated against; the ERP API never tells it.
 *
 * Evaluated as of a date A (the order date for history, today for open orders):
 * - days = need_by − A (calendar days), lead = supplier lead time, rel = on-time rate (0..1)
 * - slack = days − lead × (1 + 2 × (1 − rel))
 * - critical = the notes mention "line down", "production stoppage", "customer escalation",
 *   "expedite" or "rush" (case-insensitive)
 * - urgent if slack < 0, or critical and slack < 10; else high if slack < 12 or critical;
 *   else low if slack > 45 and total < 10000; else normal.
 *
 * Computed in exact integer arithmetic (thousandths of a day), so a boundary is never decided by a
 * floating-point rounding error.
 */

import type { Prng } from './prng.ts';

/** The urgency labels, most urgent first. */
export const URGENCY_LABELS = ['urgent', 'high', 'normal', 'low'] as const;
export type UrgencyLabel = (typeof URGENCY_LABELS)[number];

/** The ERP's priority codes: `"1"` urgent … `"4"` low. `"3"` is the ERP's default. */
export const PRIORITY_CODES = ['1', '2', '3', '4'] as const;
export type PriorityCode = (typeof PRIORITY_CODES)[number];

export const PRIORITY_CODE_OF = {
  urgent: '1',
  high: '2',
  normal: '3',
  low: '4',
} as const satisfies Record<UrgencyLabel, PriorityCode>;

export const LABEL_OF_PRIORITY_CODE = {
  '1': 'urgent',
  '2': 'high',
  '3': 'normal',
  '4': 'low',
} as const satisfies Record<PriorityCode, UrgencyLabel>;

/** Phrases in the notes that make an order critical (matched case-insensitively, as substrings). */
export const CRITICAL_PHRASES = [
  'line down',
  'production stoppage',
  'customer escalation',
  'expedite',
  'rush',
];

/** Thresholds of the rules, in days (slack) and currency units (total). */
export const RULE_THRESHOLDS = {
  criticalUrgentSlack: 10,
  highSlack: 12,
  lowSlack: 45,
  lowMaxTotal: 10_000,
} as const;

/** What the rules look at, in plain numbers (`onTimePct` 87.5 for 87.5 %, `totalAmount` 12345.67). */
export interface UrgencyInputs {
  /** need_by − A in calendar days. */
  daysUntilNeed: number;
  leadTimeDays: number;
  onTimePct: number;
  notes: string;
  totalAmount: number;
}

/** slack × 1000, exactly: `days × 1000 − lead × (3000 − 20 × pct)` with pct in percent. */
export function slackThousandths(
  inputs: Pick<UrgencyInputs, 'daysUntilNeed' | 'leadTimeDays' | 'onTimePct'>,
) {
  const pctTenths = Math.round(inputs.onTimePct * 10);
  return inputs.daysUntilNeed * 1000 - inputs.leadTimeDays * (3000 - 2 * pctTenths);
}

/** The slack in days (for display and tests; the rules use {@link slackThousandths}). */
export function slackDays(inputs: Pick<UrgencyInputs, 'daysUntilNeed' | 'leadTimeDays' | 'onTimePct'>) {
  return slackThousandths(inputs) / 1000;
}

/** True when the notes contain a phrase buyers use for critical orders. */
export function isCritical(notes: string): boolean {
  const lower = notes.toLowerCase();
  return CRITICAL_PHRASES.some((phrase) => lower.includes(phrase));
}

/** The label the hidden rules give an order. */
export function urgencyLabel(inputs: UrgencyInputs): UrgencyLabel {
  const slack = slackThousandths(inputs);
  const critical = isCritical(inputs.notes);
  if (slack < 0 || (critical && slack < RULE_THRESHOLDS.criticalUrgentSlack * 1000)) return 'urgent';
  if (slack < RULE_THRESHOLDS.highSlack * 1000 || critical) return 'high';
  const totalCents = Math.round(inputs.totalAmount * 100);
  if (slack > RULE_THRESHOLDS.lowSlack * 1000 && totalCents < RULE_THRESHOLDS.lowMaxTotal * 100) return 'low';
  return 'normal';
}

/**
 * True when the slack sits exactly on a threshold, where an implementation in floating point could
 * decide either way. The generator moves such need-by dates by a day.
 */
export function isOnBoundary(slack: number): boolean {
  return (
    slack === 0 ||
    slack === RULE_THRESHOLDS.criticalUrgentSlack * 1000 ||
    slack === RULE_THRESHOLDS.highSlack * 1000 ||
    slack === RULE_THRESHOLDS.lowSlack * 1000
  );
}

/** Probability that a buyer's label differs from the rules (the noise in the history). */
export const LABEL_NOISE_PROBABILITY = 0.03;

/**
 * A buyer's label: with `probability` the rule label is replaced by a neighbouring one
 * (urgent↔high, high↔normal, normal↔low). Always draws two numbers, so the stream stays aligned.
 */
export function withLabelNoise(label: UrgencyLabel, prng: Prng, probability = LABEL_NOISE_PROBABILITY) {
  const flip = prng.next() < probability;
  const upwards = prng.next() < 0.5;
  if (!flip) return label;
  const index = URGENCY_LABELS.indexOf(label);
  const neighbour =
    index === 0 ? 1 : index === URGENCY_LABELS.length - 1 ? index - 1 : upwards ? index - 1 : index + 1;
  return URGENCY_LABELS[neighbour] ?? label;
}
