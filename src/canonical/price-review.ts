import { z } from 'zod';
import { IsoDate } from './purchase-order.ts';

/** One order line as the price review sees it: what is bought, how much, at which price. */
export const PriceReviewLine = z.object({
  lineNumber: z.number().int().positive(),
  itemId: z.string().min(1),
  description: z.string(),
  quantity: z.number().nonnegative(),
  uom: z.string(),
  unitPrice: z.number().nonnegative(),
});
export type PriceReviewLine = z.infer<typeof PriceReviewLine>;

/**
 * An open purchase order on the buyers' price-review worklist: its lines and prices, and the note
 * a reviewer (or the price-anomalies workflow) leaves on it. Kept apart from the order itself so a
 * flag never touches the order's own fields (its notes drive urgency). `id` is the order's id.
 */
export const PriceReview = z.object({
  id: z.string().min(1),
  supplierId: z.string().min(1),
  orderDate: IsoDate,
  currency: z.string().length(3),
  lines: z.array(PriceReviewLine),
  /** Why the order's prices need a look, in words; null when nothing is flagged. */
  anomalyNote: z.string().nullable(),
  version: z.string().nullable(),
  updatedAt: z.string().nullable(),
});
export type PriceReview = z.infer<typeof PriceReview>;
