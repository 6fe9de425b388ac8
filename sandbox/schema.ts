/**
 * The sandbox's SQLite schema. Bump {@link SCHEMA_VERSION} with any change here or in the
 * generator's output: a file with another version is reseeded rather than reused.
 */
// 2: the accounts-payable tables of sandbox/invoices/schema.ts and planted price anomalies.
export const SCHEMA_VERSION = 2;

/** Tables without indexes; indexes are built after the bulk insert ({@link INDEX_DDL}). */
export const TABLE_DDL = `
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE suppliers (
  supplier_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  country TEXT NOT NULL,
  lead_time_days TEXT NOT NULL,
  on_time_pct TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE purchase_orders (
  po_number TEXT PRIMARY KEY,
  supplier_id TEXT NOT NULL,
  order_date TEXT NOT NULL,
  need_by TEXT NOT NULL,
  total_amount TEXT NOT NULL,
  currency TEXT NOT NULL,
  description TEXT NOT NULL,
  notes TEXT NOT NULL,
  buyer TEXT NOT NULL,
  status TEXT NOT NULL,
  priority TEXT NOT NULL,
  updated_at TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE purchase_order_lines (
  po_number TEXT NOT NULL,
  line_no TEXT NOT NULL,
  item_no TEXT NOT NULL,
  description TEXT NOT NULL,
  quantity TEXT NOT NULL,
  uom TEXT NOT NULL,
  unit_price REAL NOT NULL,
  need_by TEXT NOT NULL,
  PRIMARY KEY (po_number, line_no)
) WITHOUT ROWID;

-- The hidden-rule labels of open orders as of the seed's today. Never served under /api.
CREATE TABLE truth_labels (
  po_number TEXT PRIMARY KEY,
  label TEXT NOT NULL
) WITHOUT ROWID;

-- Responses of successful writes by Idempotency-Key, so a retried write is answered, not applied.
CREATE TABLE idempotency_keys (
  idempotency_key TEXT PRIMARY KEY,
  po_number TEXT NOT NULL,
  status_code INTEGER NOT NULL,
  etag TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at TEXT NOT NULL
) WITHOUT ROWID;
`;

export const INDEX_DDL = `
CREATE INDEX purchase_orders_by_status ON purchase_orders (status, po_number);
`;
