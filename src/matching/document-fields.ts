import { z } from 'zod';
import { IsoDate } from '../canonical/purchase-order.ts';

/** One line as printed on an invoice document. */
export const DocumentLine = z.object({
  itemId: z.string(),
  description: z.string(),
  quantity: z.number(),
  uom: z.string(),
  unitPrice: z.number(),
  amount: z.number(),
});
export type DocumentLine = z.infer<typeof DocumentLine>;

/**
 * The fields read from an invoice document (its text, or a PDF's text): what the supplier actually
 * billed. Every field is nullable — a document may not show it, or a reader may not find it — and
 * none is optional, so the same schema serves strict structured output of an LLM.
 */
export const InvoiceDocumentFields = z.object({
  invoiceNumber: z.string().nullable(),
  invoiceDate: IsoDate.nullable(),
  purchaseOrderId: z.string().nullable(),
  currency: z.string().nullable(),
  netAmount: z.number().nullable(),
  /** Percent: 19 for 19 %. */
  taxRate: z.number().nullable(),
  taxAmount: z.number().nullable(),
  grossAmount: z.number().nullable(),
  lines: z.array(DocumentLine),
});
export type InvoiceDocumentFields = z.infer<typeof InvoiceDocumentFields>;
