import { z } from 'zod';

/**
 * How a task with many sparse features (codes, names, words — GL coding, not po-urgency) wants
 * the embedded model built: a vocabulary of named indicator features, a label memory per key,
 * and a softmax regression over both, trained by AdaGrad on the non-zero features only.
 *
 * Feature names are `<group>=<value>` (`merchant word=amazon`, `cost centre=REAYQ`); the part
 * before `=` names the feature in explanations. A numeric feature listed in `continuous` is used
 * as its standardised value; every other one as given (1 for present).
 */
export const SparseSpec = z.strictObject({
  /** A feature enters the vocabulary only if at least this many training rows have it. Default 2. */
  minCount: z.number().int().min(1).default(2),
  /** At most this many features, the most frequent first. Default 200,000. */
  maxFeatures: z.number().int().min(1).default(200_000),
  /** Numeric features used as standardised values instead of indicators. */
  continuous: z.array(z.string().min(1)).default([]),
  /**
   * Label memory: for each prefix (`merchant at cost centre=`), the labels past rows with the same
   * value carried. The model learns how far to trust each memory, by how many past rows it has.
   */
  memory: z
    .array(
      z.strictObject({
        prefix: z.string().min(2).endsWith('=', 'must end with "="'),
        /** How an explanation names it: `merchant at cost centre`. Default: the prefix without `=`. */
        name: z.string().min(1).optional(),
        /**
         * Only the newest share of the examples count (as given, oldest first): habits change, and
         * a memory of the last months says how lines are coded now. Default: all of them.
         */
        recent: z.number().gt(0).max(1).optional(),
        /**
         * `share` (default): the share of the key's past rows with each label; `evidence`: how much
         * more often than usual each label came with the key (log scale), so the evidence of
         * several keys adds up like naive Bayes.
         */
        form: z.enum(['share', 'evidence']).optional(),
      }),
    )
    .default([]),
  /** Past-row counts at which a memory's trust steps (support bins). Default 2, 4, 8, 16, 32. */
  memorySupport: z.array(z.number().int().min(1)).default([2, 4, 8, 16, 32]),
  /**
   * Runs of training (each its own row order) whose weights are averaged into the model: the
   * average of a few stochastic runs lies closer to the best weights than any one. Default 1.
   */
  runs: z.number().int().min(1).max(32).default(1),
  /** Passes over the training rows. Default 12. */
  epochs: z.number().int().min(1).max(500).default(12),
  /** AdaGrad's step size. Default 0.2. */
  learningRate: z.number().positive().default(0.2),
  /** L2 penalty `l2 / 2 · ‖W‖²` on the mean cross-entropy (applied lazily). Default 1e-4. */
  l2: z.number().min(0).default(1e-4),
  /**
   * Rare labels weigh more: each example weighs (mean label count / its label's count)^power,
   * so 0 (default) weighs all alike and 1 balances the labels fully.
   */
  classWeightPower: z.number().min(0).max(1).default(0),
  /**
   * Newer examples weigh more: an example's weight halves for every this share of the examples
   * that came after it (as given, oldest first); 0 (default) weighs old and new alike. Habits of
   * coding change, and the newest lines say most about the next ones.
   */
  recencyHalfLife: z.number().min(0).max(10).default(0),
  /**
   * Which examples calibrate: `latest` (default) holds out the newest `validationShare` of the
   * examples as given (oldest first), as time will; `stratified` a random share per label.
   */
  validation: z.enum(['latest', 'stratified']).default('latest'),
  /** After calibrating on the held-out part, train again on every example (default true). */
  refit: z.boolean().default(true),
  /**
   * What an answer's confidence is: `softmax` (default), the calibrated top probability; `model`, a
   * second-stage logistic regression of whether the answer is right, learned on the answers about
   * the held-out newest examples from the softmax, its margin and the label memory's agreement and
   * newest labels (see `confidence-model.ts`).
   */
  confidence: z.enum(['softmax', 'model']).default('softmax'),
  /** Weights smaller than this are dropped from the stored model. Default 1e-3. */
  pruneBelow: z.number().min(0).default(1e-3),
});
export type SparseSpecInput = z.input<typeof SparseSpec>;
export type SparseSpecResolved = z.output<typeof SparseSpec>;
