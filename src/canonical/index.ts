export { ExpenseLine, GlAccount } from './expense-line.ts';
export { GoodsReceipt, GoodsReceiptLine } from './goods-receipt.ts';
export {
  INVOICE_DOCUMENT_TYPES,
  INVOICE_MATCH_STATUSES,
  Invoice,
  InvoiceDocument,
  InvoiceDocumentType,
  InvoiceLine,
  InvoiceMatchStatus,
} from './invoice.ts';
export { PriceReview, PriceReviewLine } from './price-review.ts';
export { PRIORITIES, Priority } from './priority.ts';
export {
  IsoDate,
  PurchaseOrder,
  PurchaseOrderLine,
  PurchaseOrderStatus,
} from './purchase-order.ts';
export { Supplier } from './supplier.ts';

/** The canonical entities a mapping can produce, by name. */
export const CANONICAL_ENTITIES = ['purchaseOrder', 'supplier'] as const;
export type CanonicalEntityName = (typeof CANONICAL_ENTITIES)[number];
