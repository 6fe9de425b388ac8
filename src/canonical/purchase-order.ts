import { z } from 'zod';
import { Priority } from './priority.ts';

/** ISO calendar date, `YYYY-MM-DD`. Mappings convert vendor formats (SAP `YYYYMMDD`, ...) into this. */
export const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD');

export const PurchaseOrderStatus = z.enum(['open', 'closed', 'cancelled']);
export type PurchaseOrderStatus = z.infer<typeof PurchaseOrderStatus>;

export const PurchaseOrderLine = z.object({
  lineNumber: z.number().int().positive(),
  itemId: z.string().min(1),
  description: z.string(),
  quantity: z.number().nonnegative(),
  unitPrice: z.number().nonnegative(),
  uom: z.string(),
  needBy: IsoDate.nullable(),
});
export type PurchaseOrderLine = z.infer<typeof PurchaseOrderLine>;

/**
 * A purchase order in the ERP-neutral shape workflows use. `id` is the canonical document number
 * (no zero padding); `version` is the ERP's concurrency token (ETag or change timestamp) as read.
 */
export const PurchaseOrder = z.object({
  id: z.string().min(1),
  supplierId: z.string().min(1),
  orderDate: IsoDate,
  needBy: IsoDate,
  totalAmount: z.number().nonnegative(),
  currency: z.string().length(3),
  description: z.string(),
  notes: z.string(),
  buyer: z.string(),
  status: PurchaseOrderStatus,
  priority: Priority.nullable(),
  lines: z.array(PurchaseOrderLine),
  version: z.string().nullable(),
  updatedAt: z.string().nullable(),
});
export type PurchaseOrder = z.infer<typeof PurchaseOrder>;
