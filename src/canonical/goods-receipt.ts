import { z } from 'zod';
import { IsoDate } from './purchase-order.ts';

/** One received line: how much of one purchase-order line arrived. */
export const GoodsReceiptLine = z.object({
  lineNumber: z.number().int().positive(),
  purchaseOrderLine: z.number().int().positive(),
  itemId: z.string().min(1),
  quantity: z.number().nonnegative(),
  uom: z.string(),
});
export type GoodsReceiptLine = z.infer<typeof GoodsReceiptLine>;

/**
 * A goods receipt: what arrived at the dock for one purchase order on one day. An order delivered
 * in parts has several. `id` is the ERP's receipt (material document) number without padding.
 */
export const GoodsReceipt = z.object({
  id: z.string().min(1),
  purchaseOrderId: z.string().min(1),
  receiptDate: IsoDate,
  lines: z.array(GoodsReceiptLine),
  version: z.string().nullable(),
});
export type GoodsReceipt = z.infer<typeof GoodsReceipt>;
