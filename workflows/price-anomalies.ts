import { z } from 'zod';
import { PriceBaseline, PriceBaselineOptions } from '../src/ai/embedded/detect/price-baseline.ts';
import {
  answerPriceAnomalies,
  type PriceAnomalyInput,
  type PriceAnomalyLabel,
  priceAnomalyClassifyTask,
  priceAnomalyInput,
} from '../src/ai/tasks/price-anomaly.ts';
import { PriceReview } from '../src/canonical/price-review.ts';
import type { WorkflowConfig } from '../src/config/schema.ts';
import { profileEntity } from '../src/engine/entities.ts';
import { defineWorkflow, type WorkflowContext, type WorkflowDefinition } from '../src/engine/workflow.ts';
import { profiles } from '../src/profiles/index.ts';
import { parseWorkflowOptions } from './invoice-match.ts';

/** Orders on the buyers' price review, as profiles map them under `entities.priceReview`. */
export const priceReviewEntity = profileEntity<PriceReview>('priceReview', PriceReview, {
  date: (review) => review.orderDate,
});

/**
 * `workflows.<name>.options` of a price-anomalies workflow.
 *
 * @example
 *   options: { minScore: 0.6, baseline: { minHistory: 10 } }
 */
export const PriceAnomalyOptions = z.strictObject({
  /** An order is flagged when its most unusual line scores at least this (0..1). Default 0.5. */
  minScore: z.number().min(0).max(1).default(0.5),
  /** How the history is summarised; see PriceBaselineOptions (src/ai/embedded/detect/price-baseline.ts). */
  baseline: PriceBaselineOptions.prefault({}),
  /** Longest note the ERP keeps. Default 120. */
  noteWidth: z.number().int().min(20).max(1000).default(120),
});
export type PriceAnomalyOptions = z.infer<typeof PriceAnomalyOptions>;

function baselineOf(context: WorkflowContext): PriceBaseline {
  if (context.reference instanceof PriceBaseline) return context.reference;
  throw new Error('price-anomalies needs its price baseline; the run did not load it');
}

/**
 * The note written on a flagged order: its reasons, cut to the width the ERP keeps — first the
 * item descriptions go (the item number stays), then the end of the text.
 */
export function anomalyNote(explanation: string, width: number): string {
  const full = `PRICE CHECK: ${explanation}`;
  if (full.length <= width) return full;
  const short = full.replace(/(item \S+) \([^)]*\)/g, '$1');
  return short.length <= width ? short : `${short.slice(0, width - 1)}…`;
}

/**
 * price-anomalies: flags open purchase orders whose unit prices are far from what was paid before.
 * When a run starts it reads the price history (the workflow's `history` filter: closed orders)
 * and summarises it robustly per supplier+item, item and supplier price level, leaving out orders
 * buyers already noted as wrong. Each open order's lines are scored (the provider's `detect`: the
 * robust-statistics detector offline, or an LLM shown each line with its expectation); an order at
 * or above `minScore` gets the reason in words as its review note.
 */
export function priceAnomaliesWorkflow(
  name: string,
  config: WorkflowConfig,
): WorkflowDefinition<PriceAnomalyInput, PriceAnomalyLabel, PriceReview> {
  const options = parseWorkflowOptions(PriceAnomalyOptions, name, config.options);
  const toInput = (review: PriceReview, context: WorkflowContext) =>
    priceAnomalyInput(review, baselineOf(context), context.suppliers);
  return defineWorkflow<PriceAnomalyInput, PriceAnomalyLabel, PriceReview>({
    name,
    description:
      config.description ?? 'Flag open purchase orders whose unit prices are far from their history',
    connector: config.connector,
    profile: profiles[config.profile],
    entity: priceReviewEntity,
    source: config.source,
    history: config.history,
    task: priceAnomalyClassifyTask,
    fields: ['anomalyNote'],
    async reference(read) {
      const history = await read.records(priceReviewEntity, config.history.filter);
      return PriceBaseline.fit(
        history
          .filter((review) => review.anomalyNote === null)
          .flatMap((review) =>
            review.lines.map((line) => ({
              supplierId: review.supplierId,
              itemId: line.itemId,
              unitPrice: line.unitPrice,
            })),
          ),
        options.baseline,
      );
    },
    answer: (inputs, { provider, context }) =>
      answerPriceAnomalies(inputs, provider, baselineOf(context), options.minScore),
    toInput,
    toExample: (review, context) => ({
      input: toInput(review, context),
      label: review.anomalyNote === null ? 'normal' : 'anomalous',
    }),
    decide(review, result) {
      if (result.label !== 'anomalous') return null;
      const note = anomalyNote(result.explanation, options.noteWidth);
      if (review.anomalyNote === note) return null;
      return { after: { anomalyNote: note }, reason: `price anomaly, score ${result.confidence.toFixed(2)}` };
    },
    policy: config.policy,
    batchSize: config.batchSize,
    applyConcurrency: config.applyConcurrency,
  });
}
