import type { ValueFormat } from './embedded-task.ts';

/**
 * How much one feature pushed the prediction toward the predicted class, compared with the average
 * of the other classes, in logits (natural-log odds). Numeric features count from the training
 * mean, so "effect" reads as "compared with a typical example".
 */
export interface Contribution {
  /** Group key: a numeric feature key (`slackDays`), `flag:<name>` or `text:<token>`. */
  feature: string;
  /** Human name from the task's `featureNames`, or the key. */
  name: string;
  /** The raw value: the numeric feature's value, or 1 for text that is present. */
  value: number;
  /** Logit points toward the predicted class (negative: against it). */
  effect: number;
  /** The contribution in words, without its strength: `days of slack -4`, `notes mention "rush"`. */
  display: string;
  kind: 'numeric' | 'text';
}

/** Effects of at least this many logit points are called strong / moderate; smaller ones weak. */
export const STRENGTH_THRESHOLDS = { strong: 2, moderate: 0.75 } as const;

/** `strong` (≥ 2 logit points, odds × 7.4), `moderate` (≥ 0.75, odds × 2.1) or `weak`. */
export function strengthOf(effect: number): 'strong' | 'moderate' | 'weak' {
  const size = Math.abs(effect);
  if (size >= STRENGTH_THRESHOLDS.strong) return 'strong';
  if (size >= STRENGTH_THRESHOLDS.moderate) return 'moderate';
  return 'weak';
}

/** A numeric feature's name and value as a buyer reads them, e.g. `supplier on-time rate 62%`. */
export function describeValue(name: string, value: number, format: ValueFormat = 'number'): string {
  switch (format) {
    case 'percent':
      return `${name} ${Math.round(value * 100)}%`;
    case 'days':
      return `${name} ${roundForDisplay(value)} days`;
    case 'flag':
      return value >= 0.5 ? name : `not ${name}`;
    case 'log1p':
      return `${name} ${withThousandsSeparators(Math.round(Math.expm1(value)))}`;
    case 'number':
      return `${name} ${roundForDisplay(value)}`;
  }
}

/** `12345` → `12,345`; cheaper than `toLocaleString`, which matters over 100,000 explanations. */
function withThousandsSeparators(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function roundForDisplay(value: number): number {
  return Number.isInteger(value) ? value : Number(value.toFixed(1));
}

/**
 * One line a buyer can read: the label, its calibrated confidence, and the (up to) three
 * contributions that pushed hardest toward it (each wording once). Text contributions carry no
 * strength word: that the notes say it is the reason.
 *
 * @example
 * // urgent (0.93): days of slack -4 (strong), supplier on-time rate 62% (moderate), notes mention "line down"
 */
export function explainPrediction(
  label: string,
  confidence: number,
  contributions: readonly Contribution[],
): string {
  const seen = new Set<string>();
  const reasons = contributions
    .filter((contribution) => contribution.effect > 0)
    .sort((a, b) => b.effect - a.effect)
    // A phrase can be both a declared flag and a learned token; name it once.
    .filter((contribution) => !seen.has(contribution.display) && seen.add(contribution.display))
    .slice(0, 3)
    .map((contribution) =>
      contribution.kind === 'text'
        ? contribution.display
        : `${contribution.display} (${strengthOf(contribution.effect)})`,
    );
  const head = `${label} (${confidence.toFixed(2)})`;
  return reasons.length > 0 ? `${head}: ${reasons.join(', ')}` : `${head}: no single feature stands out`;
}
