import { z } from 'zod';
import type { Contribution } from './explanation.ts';

/** What one prediction says: the label, calibrated probabilities, and why. */
export interface Prediction<Label extends string = string> {
  label: Label;
  /** Calibrated probability of `label`. */
  confidence: number;
  probabilities: Record<Label, number>;
  /** Every feature that moved the prediction, the most supportive of `label` first. */
  contributions: Contribution[];
  /** `urgent (0.93): days of slack -4 (strong), …` — the top three supporting contributions. */
  explanation: string;
}

/** How contributions are worked out by `predictAll`: see `TrainedClassifier.predictAll`. */
export type ContributionMode = 'all' | 'top' | 'lazy';

export const ClassifierMetrics = z.object({
  labels: z.array(z.string()),
  trainExamples: z.number(),
  validationExamples: z.number(),
  /** Validation accuracy and macro-F1 (of the calibrated model; calibration changes no label). */
  accuracy: z.number(),
  macroF1: z.number(),
  perClass: z.array(
    z.object({
      label: z.string(),
      precision: z.number(),
      recall: z.number(),
      f1: z.number(),
      support: z.number(),
    }),
  ),
  /** Rows = truth, columns = predicted, in the order of `labels`. */
  confusionMatrix: z.array(z.array(z.number())),
  /** Expected calibration error (10 bins) on validation, before and after temperature scaling. */
  eceBefore: z.number(),
  eceAfter: z.number(),
  temperature: z.number(),
  /** Columns the final linear model reads: encoded features plus score bins. */
  modelColumns: z.number(),
  trainMs: z.number(),
  /** Which model: the dense one (po-urgency) or the sparse one with a label memory (GL coding). */
  model: z.enum(['softmax-regression', 'sparse-softmax']).optional(),
  /** How the validation examples were chosen: a random share per label, or the newest share. */
  validation: z.enum(['stratified', 'latest']).optional(),
  /**
   * The lowest confidence at which validation predictions were still at least `precision` right,
   * and the share of validation examples at or above it; threshold null when no cut reaches it.
   */
  autoThreshold: z
    .object({ precision: z.number(), threshold: z.number().nullable(), coverage: z.number() })
    .optional(),
});
/** How a classifier did on its held-out validation split, and how it was trained. Stored with the model. */
export type ClassifierMetrics = z.infer<typeof ClassifierMetrics>;

/** A prediction whose contributions and explanation are computed on first read, then kept. */
export function withLazyExplanation<Label extends string>(
  scored: Omit<Prediction<Label>, 'contributions' | 'explanation'>,
  explain: () => Pick<Prediction<Label>, 'contributions' | 'explanation'>,
): Prediction<Label> {
  let explained: Pick<Prediction<Label>, 'contributions' | 'explanation'> | undefined;
  return {
    ...scored,
    get contributions() {
      explained ??= explain();
      return explained.contributions;
    },
    get explanation() {
      explained ??= explain();
      return explained.explanation;
    },
  };
}

/**
 * `{ [key]: value(key) }` typed as a full record over `keys`. TypeScript cannot see that a loop over
 * all keys fills every property, so this is the one place that says so.
 */
export function recordFromKeys<Key extends string, Value>(
  keys: readonly Key[],
  value: (key: Key, index: number) => Value,
): Record<Key, Value> {
  const record: Partial<Record<Key, Value>> = {};
  keys.forEach((key, i) => {
    record[key] = value(key, i);
  });
  return record as Record<Key, Value>;
}
