/**
 * The tables of the sandbox's accounts-payable side: invoices (as keyed, and as the supplier sent
 * them), goods receipts, the buyers' price-review worklist, and the hidden truth of what was planted.
 * Created by the seed (sandbox/seed.ts) after the purchase orders; part of the sandbox's
 * SCHEMA_VERSION.
 */
export const INVOICE_TABLE_DDL = `
CREATE TABLE invoices (
  invoice_id TEXT PRIMARY KEY,
  invoice_number TEXT NOT NULL,
  supplier_id TEXT NOT NULL,
  invoice_date TEXT NOT NULL,
  entry_date TEXT NOT NULL,
  po_number TEXT NOT NULL,
  currency TEXT NOT NULL,
  net_amount TEXT NOT NULL,
  tax_rate TEXT NOT NULL,
  tax_amount TEXT NOT NULL,
  gross_amount TEXT NOT NULL,
  match_status TEXT NOT NULL,
  exception_reason TEXT NOT NULL,
  updated_at TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE invoice_lines (
  invoice_id TEXT NOT NULL,
  line_no TEXT NOT NULL,
  po_line_no TEXT NOT NULL,
  item_no TEXT NOT NULL,
  description TEXT NOT NULL,
  quantity TEXT NOT NULL,
  uom TEXT NOT NULL,
  unit_price REAL NOT NULL,
  amount TEXT NOT NULL,
  PRIMARY KEY (invoice_id, line_no)
) WITHOUT ROWID;

-- What the supplier printed (JSON, see InvoiceDocumentContent); rendered as text or PDF on request.
CREATE TABLE invoice_documents (
  invoice_id TEXT PRIMARY KEY,
  content TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE goods_receipts (
  receipt_id TEXT PRIMARY KEY,
  po_number TEXT NOT NULL,
  receipt_date TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE goods_receipt_lines (
  receipt_id TEXT NOT NULL,
  line_no TEXT NOT NULL,
  po_line_no TEXT NOT NULL,
  item_no TEXT NOT NULL,
  quantity TEXT NOT NULL,
  uom TEXT NOT NULL,
  PRIMARY KEY (receipt_id, line_no)
) WITHOUT ROWID;

-- The buyers' price-review worklist: one row per open or closed order, its note and its own version.
CREATE TABLE price_reviews (
  po_number TEXT PRIMARY KEY,
  status TEXT NOT NULL,
  review_note TEXT NOT NULL,
  updated_at TEXT NOT NULL
) WITHOUT ROWID;

-- What the generator planted. Never served under /api; only at /_sandbox/truth/*.
CREATE TABLE truth_invoices (
  invoice_id TEXT PRIMARY KEY,
  label TEXT NOT NULL,
  duplicate_of TEXT,
  detail TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE truth_price_anomalies (
  po_number TEXT NOT NULL,
  line_no TEXT NOT NULL,
  original_price REAL NOT NULL,
  planted_price REAL NOT NULL,
  kind TEXT NOT NULL,
  order_status TEXT NOT NULL,
  flagged_by_buyer INTEGER NOT NULL,
  PRIMARY KEY (po_number, line_no)
) WITHOUT ROWID;
`;

/** Built after the rows are in. */
export const INVOICE_INDEX_DDL = `
CREATE INDEX invoices_by_status ON invoices (match_status, invoice_id);
CREATE INDEX goods_receipts_by_po ON goods_receipts (po_number, receipt_id);
CREATE INDEX price_reviews_by_status ON price_reviews (status, po_number);
`;
