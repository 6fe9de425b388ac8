import { z } from 'zod';
import { IsoDate } from './purchase-order.ts';

/**
 * What three-way matching concluded about an invoice: `matched` (invoice, order and goods receipt
 * agree within tolerance: release for payment) or `exception` (blocked, with a reason a clerk reads).
 * Null while nobody (and no workflow) has matched it yet.
 */
export const INVOICE_MATCH_STATUSES = ['matched', 'exception'] as const;
export const InvoiceMatchStatus = z.enum(INVOICE_MATCH_STATUSES);
export type InvoiceMatchStatus = z.infer<typeof InvoiceMatchStatus>;

/** One billed line: what the supplier charges for one order line. */
export const InvoiceLine = z.object({
  lineNumber: z.number().int().positive(),
  /** The purchase-order line it bills, when the invoice names one. */
  purchaseOrderLine: z.number().int().positive().nullable(),
  itemId: z.string().min(1),
  description: z.string(),
  quantity: z.number().nonnegative(),
  uom: z.string(),
  unitPrice: z.number().nonnegative(),
  /** Net amount of the line as billed (quantity × unit price, rounded by the supplier). */
  amount: z.number(),
});
export type InvoiceLine = z.infer<typeof InvoiceLine>;

/**
 * A supplier invoice as the ERP recorded it (keyed in, or scanned): header, amounts and lines.
 * `id` is the ERP's document number (no zero padding); `invoiceNumber` is the supplier's own number
 * as printed on the invoice — the one duplicates are recognised by. Amounts are in `currency`;
 * `taxRate` is a percentage (19 for 19 %).
 */
export const Invoice = z.object({
  id: z.string().min(1),
  invoiceNumber: z.string().min(1),
  supplierId: z.string().min(1),
  invoiceDate: IsoDate,
  /** The order the invoice refers to, or null when it names none. */
  purchaseOrderId: z.string().min(1).nullable(),
  currency: z.string().length(3),
  netAmount: z.number(),
  taxRate: z.number().min(0).max(100),
  taxAmount: z.number(),
  grossAmount: z.number(),
  lines: z.array(InvoiceLine),
  matchStatus: InvoiceMatchStatus.nullable(),
  /** Why the invoice is an exception, in words; null when there is none. */
  exceptionReason: z.string().nullable(),
  version: z.string().nullable(),
  updatedAt: z.string().nullable(),
});
export type Invoice = z.infer<typeof Invoice>;

/** Media types an invoice document comes in. */
export const INVOICE_DOCUMENT_TYPES = ['application/pdf', 'text/plain'] as const;
export const InvoiceDocumentType = z.enum(INVOICE_DOCUMENT_TYPES);
export type InvoiceDocumentType = z.infer<typeof InvoiceDocumentType>;

/**
 * The invoice as the supplier sent it (a PDF or a text print), for extraction. `id` is the invoice's
 * `id`; `content` is the text itself for `text/plain` and base64 for `application/pdf`.
 */
export const InvoiceDocument = z.object({
  id: z.string().min(1),
  fileName: z.string(),
  mediaType: InvoiceDocumentType,
  content: z.string(),
  version: z.string().nullable(),
});
export type InvoiceDocument = z.infer<typeof InvoiceDocument>;
