import { z } from 'zod';
import type { ClassifyTask } from '../contract.ts';
import { EncodingSpec } from './feature-encoder.ts';
import { parseData } from './parse-data.ts';
import { SparseSpec } from './sparse-spec.ts';

/** How a numeric feature's value is printed in an explanation. */
export const VALUE_FORMATS = [
  /** `-4`, `3.5`: integers as they are, others to one decimal. */
  'number',
  /** `0.62` → `62%`. */
  'percent',
  /** `21.8` → `21.8 days`. */
  'days',
  /** `1` → the feature's name, `0` → `not <name>`. */
  'flag',
  /** The value is `ln(1 + x)`; `x` is shown rounded with thousands separators (`12,345`). */
  'log1p',
] as const;
export type ValueFormat = (typeof VALUE_FORMATS)[number];

/**
 * What a task may tell the embedded provider beyond the shared `ClassifyTask` contract: how to
 * encode its features for a linear model (dense, or sparse with a label memory), and how to print
 * their values in explanations.
 */
export const EmbeddedTaskHints = z.object({
  encoding: EncodingSpec.optional(),
  /** Feature key → how to print its value. Features not listed print as `number`. */
  valueFormats: z.record(z.string(), z.enum(VALUE_FORMATS)).optional(),
  /**
   * Train the sparse model instead (named indicator features, a label memory; see `sparse-spec.ts`):
   * for tasks of many codes and names, such as GL coding. `encoding` is then not used.
   */
  sparse: SparseSpec.optional(),
});
export type EmbeddedTaskHints = z.input<typeof EmbeddedTaskHints>;

/**
 * A classification task that may carry embedded hints. Any `ClassifyTask` is one (the hints are
 * optional), so the LLM provider and the embedded provider take the same task object.
 */
export type EmbeddedClassifyTask<Input, Label extends string = string> = ClassifyTask<Input, Label> & {
  embedded?: EmbeddedTaskHints;
};

/** The task's hints, validated; defaults when it declares none. Throws a `TypeError` naming a bad field. */
export function embeddedHintsOf(task: {
  name: string;
  embedded?: unknown;
}): z.output<typeof EmbeddedTaskHints> {
  return parseData(EmbeddedTaskHints, task.embedded ?? {}, `embedded hints of task "${task.name}"`);
}
