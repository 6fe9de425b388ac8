/**
 * Accounts-payable records as the sandbox ERP serves them: snake_case, zero-padded keys, `YYYYMMDD`
 * dates, decimal-comma amounts, blank-padded text — the same legacy flavour as its purchase orders.
 */

/** Match status codes as the ERP keeps them: blank (not matched yet), `M` matched, `X` exception. */
export const MATCH_STATUS_CODES = { open: ' ', matched: 'M', exception: 'X' } as const;
export type MatchStatusCode = (typeof MATCH_STATUS_CODES)[keyof typeof MATCH_STATUS_CODES];

/** Field widths of the fixed-width text fields. */
export const INVOICE_FIELD_WIDTHS = {
  invoiceNumber: 20,
  exceptionReason: 120,
  description: 40,
  reviewNote: 120,
  uom: 3,
} as const;

/** A billed line. `unit_price` is a JSON number with up to 4 decimals, as on purchase-order lines. */
export interface InvoiceLineRecord {
  /** `"00010"`, `"00020"`, … */
  line_no: string;
  /** The order line it bills, `"00010"`. */
  po_line_no: string;
  item_no: string;
  description: string;
  /** Three decimals with a decimal comma. */
  quantity: string;
  uom: string;
  unit_price: number;
  /** Two decimals with a decimal comma. */
  amount: string;
}

/** An invoice header as stored in its own table. */
export interface InvoiceHeader {
  /** The ERP's document number, zero-padded to 10 from `5105600001`. */
  invoice_id: string;
  /** The supplier's number as printed, blank-padded to 20. */
  invoice_number: string;
  supplier_id: string;
  invoice_date: string;
  /** When accounts payable keyed it in. */
  entry_date: string;
  po_number: string;
  currency: string;
  net_amount: string;
  /** Percent with a decimal comma, `"19,00"`. */
  tax_rate: string;
  tax_amount: string;
  gross_amount: string;
  match_status: MatchStatusCode;
  exception_reason: string;
  updated_at: string;
}

/** An invoice with its lines, as `GET /api/invoices` returns it. */
export interface InvoiceRecord extends InvoiceHeader {
  lines: InvoiceLineRecord[];
}

/** A received line. */
export interface GoodsReceiptLineRecord {
  line_no: string;
  po_line_no: string;
  item_no: string;
  quantity: string;
  uom: string;
}

/** A goods receipt (material document) for one order, as `GET /api/goods_receipts` returns it. */
export interface GoodsReceiptRecord {
  /** Zero-padded to 10 from `5000000001`. */
  receipt_id: string;
  po_number: string;
  receipt_date: string;
  lines: GoodsReceiptLineRecord[];
}

/** What a supplier printed on its invoice; the record keyed from it may differ (a keying error). */
export interface InvoiceDocumentContent {
  /** Which of the suppliers' layouts the document uses. */
  layout: DocumentLayout;
  supplierName: string;
  supplierCountry: string;
  invoiceNumber: string;
  /** ISO date. */
  invoiceDate: string;
  /** The order number as the supplier prints it (without padding). */
  poNumber: string;
  currency: string;
  lines: {
    position: number;
    itemNo: string;
    description: string;
    quantityMilli: number;
    uom: string;
    /** Unit price in 1/10000 of the currency unit. */
    unitPriceMicro: number;
    amountCents: number;
  }[];
  netCents: number;
  /** Percent in hundredths: 1900 for 19 %. */
  taxRateBasis: number;
  taxCents: number;
  grossCents: number;
}

/** The document layouts suppliers use: English, German, and an old dot-matrix print. */
export const DOCUMENT_LAYOUTS = ['en', 'de', 'plain'] as const;
export type DocumentLayout = (typeof DOCUMENT_LAYOUTS)[number];

/** Exceptions the generator plants in invoices; `matched` for a clean one. */
export const INVOICE_TRUTH_LABELS = [
  'matched',
  'price_variance',
  'quantity_variance',
  'missing_receipt',
  'duplicate',
  'tax_error',
  'document_mismatch',
] as const;
export type InvoiceTruthLabel = (typeof INVOICE_TRUTH_LABELS)[number];

/** The hidden truth of one invoice: what was planted, and for a duplicate, which invoice it copies. */
export interface InvoiceTruth {
  invoice_id: string;
  label: InvoiceTruthLabel;
  /** The invoice a duplicate copies; null otherwise. */
  duplicate_of: string | null;
  /** What exactly was planted, in words. */
  detail: string;
}

/** The hidden truth of one planted price anomaly on an open order line. */
export interface PriceAnomalyTruth {
  po_number: string;
  line_no: string;
  /** The price before it was planted, and after. */
  original_price: number;
  planted_price: number;
  kind: 'high' | 'low' | 'decimal-slip';
  /** `OPEN` for the anomalies to find, `CLOSED` for those in the history. */
  order_status: string;
  /** History only: whether a buyer noticed it back then (and left a review note). */
  flagged_by_buyer: boolean;
}
