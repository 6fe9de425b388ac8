import type { DetectorVerdict } from '../../contract.ts';
import type { PriceBaseline, PriceJudgement } from './price-baseline.ts';

/** One order to judge: its supplier and its lines' prices, with names for the reasons. */
export interface PricedOrder {
  supplierId: string;
  supplierName?: string;
  lines: readonly { lineNumber: number; itemId: string; description?: string; unitPrice: number }[];
}

/** One line's judgement, with which line it is. */
export interface LineJudgement extends PriceJudgement {
  lineNumber: number;
}

/** Lines scoring at least this are named in the reasons (besides the top line, always named). */
const REASON_SCORE = 0.2;

/** Judges each line of an order against the baseline. */
export function judgeOrder(baseline: PriceBaseline, order: PricedOrder): LineJudgement[] {
  return order.lines.map((line) => ({
    lineNumber: line.lineNumber,
    ...baseline.judge(
      { supplierId: order.supplierId, itemId: line.itemId, unitPrice: line.unitPrice },
      {
        ...(line.description ? { item: `item ${line.itemId} (${line.description})` } : {}),
        ...(order.supplierName ? { supplier: order.supplierName } : {}),
      },
    ),
  }));
}

/**
 * The embedded price-anomaly detector: each order's score is its most unusual line's (robust z of
 * the log unit price against the supplier+item, item or supplier-level history, see
 * {@link PriceBaseline}); the reasons name that line and every other line scoring 0.2 or more, e.g.
 * `line 20: unit price 48.20 is 3.1× the median 15.50 of 37 earlier orders of item X from supplier Y`.
 */
export function detectPriceAnomalies(
  baseline: PriceBaseline,
  orders: readonly PricedOrder[],
): DetectorVerdict[] {
  return orders.map((order) => {
    const judged = judgeOrder(baseline, order).sort((a, b) => b.score - a.score);
    const [top] = judged;
    if (!top) return { score: 0, reasons: ['the order has no lines'] };
    const named = judged.filter((line, index) => index === 0 || line.score >= REASON_SCORE);
    return {
      score: top.score,
      reasons: named.map((line) => `line ${line.lineNumber}: ${line.reason}`),
    };
  });
}
