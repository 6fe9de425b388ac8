import type { PriceReview } from '../../canonical/price-review.ts';
import type { Supplier } from '../../canonical/supplier.ts';
import type { Classification, ClassifyProvider, ClassifyTask, Detection, DetectTask } from '../contract.ts';
import {
  detectPriceAnomalies,
  judgeOrder,
  type PricedOrder,
} from '../embedded/detect/price-anomaly-detector.ts';
import type { PriceBaseline } from '../embedded/detect/price-baseline.ts';
import { asAiProvider } from './invoice-match.ts';

/** One line of an order under review, with what its history says. */
export interface PricedLine {
  lineNumber: number;
  itemId: string;
  description: string;
  quantity: number;
  unitPrice: number;
  /** The price the history expects (median, see PriceBaseline); null without history of the item. */
  expectedPrice: number | null;
  /** Earlier orders that expectation rests on. */
  historyOrders: number;
  /** Robust z of the log price against that expectation; 0 without history. */
  z: number;
}

/** One order to check for unusual prices. */
export interface PriceAnomalyInput {
  orderId: string;
  supplierId: string;
  supplierName: string | null;
  currency: string;
  lines: PricedLine[];
}

export const PRICE_ANOMALY_LABELS = ['anomalous', 'normal'] as const;
export type PriceAnomalyLabel = (typeof PRICE_ANOMALY_LABELS)[number];

/** An order on the price review as the detector's input, judged line by line against the baseline. */
export function priceAnomalyInput(
  review: PriceReview,
  baseline: PriceBaseline,
  suppliers: ReadonlyMap<string, Supplier>,
): PriceAnomalyInput {
  const supplierName = suppliers.get(review.supplierId)?.name ?? null;
  const judged = judgeOrder(baseline, pricedOrder(review, supplierName));
  return {
    orderId: review.id,
    supplierId: review.supplierId,
    supplierName,
    currency: review.currency,
    lines: review.lines.map((line, index) => {
      const judgement = judged[index];
      return {
        lineNumber: line.lineNumber,
        itemId: line.itemId,
        description: line.description,
        quantity: line.quantity,
        unitPrice: line.unitPrice,
        expectedPrice: judgement?.reference
          ? Math.round(judgement.reference.expected * 10_000) / 10_000
          : null,
        historyOrders: judgement?.reference?.count ?? 0,
        z: judgement && Number.isFinite(judgement.z) ? Math.round(judgement.z * 100) / 100 : 0,
      };
    }),
  };
}

function pricedOrder(
  order: {
    supplierId: string;
    lines: readonly { lineNumber: number; itemId: string; description: string; unitPrice: number }[];
  },
  supplierName: string | null,
): PricedOrder {
  return {
    supplierId: order.supplierId,
    ...(supplierName ? { supplierName } : {}),
    lines: order.lines.map(({ lineNumber, itemId, description, unitPrice }) => ({
      lineNumber,
      itemId,
      description,
      unitPrice,
    })),
  };
}

const INSTRUCTIONS = [
  'Judge whether the unit prices of a purchase order are unusual for what the buyer has paid before.',
  'Each line shows the price, the price the history expects (expectedPrice, a median of historyOrders',
  'earlier orders) and z, how many robust standard deviations the price lies from it on a log scale.',
  'Score 0 for usual prices up to 1 for a price far outside anything paid (a decimal slip, a wrong unit).',
  'Give one reason per unusual line, naming the line, the price and the expectation.',
].join('\n');

function describeInput(input: PriceAnomalyInput): Record<string, unknown> {
  return {
    supplier: input.supplierName ?? input.supplierId,
    currency: input.currency,
    lines: input.lines.map(
      ({ lineNumber, itemId, description, quantity, unitPrice, expectedPrice, historyOrders, z }) => ({
        lineNumber,
        itemId,
        description,
        quantity,
        unitPrice,
        expectedPrice,
        historyOrders,
        z,
      }),
    ),
  };
}

/**
 * The `detect` task for unit prices, bound to a baseline fitted on the ERP's history: the embedded
 * provider runs {@link detectPriceAnomalies}; an LLM is shown each line with its expectation.
 */
export function priceAnomalyDetectTask(baseline: PriceBaseline): DetectTask<PriceAnomalyInput> {
  return {
    name: 'price-anomalies',
    instructions: INSTRUCTIONS,
    promptVersion: 1,
    describe: describeInput,
    detector: (inputs) =>
      detectPriceAnomalies(
        baseline,
        inputs.map((input) => pricedOrder(input, input.supplierName)),
      ),
  };
}

/**
 * The classify face of the same question, for the engine, evaluation and an embedded classifier
 * that learns from the orders buyers flagged before: features are the most unusual line's |z| and
 * price ratio. The workflow answers by detection ({@link answerPriceAnomalies}).
 */
export const priceAnomalyClassifyTask: ClassifyTask<PriceAnomalyInput, PriceAnomalyLabel> = {
  name: 'price-anomalies',
  labels: PRICE_ANOMALY_LABELS,
  reviewLabel: 'anomalous',
  featureVersion: 1,
  features(input) {
    let maxZ = 0;
    let maxLogRatio = 0;
    let unknown = 0;
    for (const line of input.lines) {
      maxZ = Math.max(maxZ, Math.abs(line.z));
      if (line.expectedPrice === null) unknown++;
      else if (line.expectedPrice > 0 && line.unitPrice > 0) {
        maxLogRatio = Math.max(maxLogRatio, Math.abs(Math.log(line.unitPrice / line.expectedPrice)));
      }
    }
    return { numeric: { maxZ, maxLogRatio, lines: input.lines.length, unknown }, text: '' };
  },
  featureNames: {
    maxZ: 'largest price deviation (robust z)',
    maxLogRatio: 'largest price ratio (log)',
    lines: 'lines',
    unknown: 'lines without history',
  },
  instructions: INSTRUCTIONS,
  describe: describeInput,
};

/** A detection as a classification: anomalous at or above `minScore`, with the reasons as explanation. */
export function classifyDetection(detection: Detection, minScore: number): Classification<PriceAnomalyLabel> {
  const anomalous = detection.score >= minScore;
  const confidence = anomalous ? detection.score : 1 - detection.score;
  const classification: Classification<PriceAnomalyLabel> = {
    label: anomalous ? 'anomalous' : 'normal',
    confidence,
    probabilities: { anomalous: detection.score, normal: 1 - detection.score },
    explanation: detection.explanation,
    model: detection.model,
  };
  if (detection.review) classification.review = detection.review;
  return classification;
}

/**
 * Answers a batch of orders: the provider's `detect` with the task bound to `baseline` (the embedded
 * provider runs the robust-statistics detector; an LLM judges the described lines), or the
 * detector in process when the provider answers no detect tasks.
 */
export async function answerPriceAnomalies(
  inputs: readonly PriceAnomalyInput[],
  provider: ClassifyProvider,
  baseline: PriceBaseline,
  minScore: number,
): Promise<Classification<PriceAnomalyLabel>[]> {
  if (inputs.length === 0) return [];
  const task = priceAnomalyDetectTask(baseline);
  const ai = asAiProvider(provider);
  let detections: Detection[];
  if (ai?.supports.includes('detect')) {
    detections = await ai.detect(task, inputs);
  } else {
    detections = detectPriceAnomalies(
      baseline,
      inputs.map((input) => pricedOrder(input, input.supplierName)),
    ).map((verdict) => ({
      ...verdict,
      explanation: verdict.reasons.join('; '),
      model: `embedded:${task.name}@detector`,
    }));
  }
  return detections.map((detection) => classifyDetection(detection, minScore));
}
