import type Database from 'better-sqlite3';
import {
  INVOICE_TRUTH_LABELS,
  type InvoiceDocumentContent,
  type InvoiceTruth,
  MATCH_STATUS_CODES,
  type PriceAnomalyTruth,
} from './records.ts';

/** Invoice filters by match status: `open` (not matched yet), `matched`, `exception`, `processed` (either). */
export const INVOICE_STATUSES = ['open', 'matched', 'exception', 'processed'] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

/** A record as served: its JSON text and its version (`updated_at`), or a JSON text without one. */
export interface RecordJson {
  json: string;
  updatedAt: string;
}

/** The writable state of an invoice and its version. */
export interface InvoiceState {
  match_status: string;
  exception_reason: string;
  updated_at: string;
}

/** The writable state of a price review and its version. */
export interface PriceReviewState {
  review_note: string;
  updated_at: string;
}

/**
 * Reads and writes the accounts-payable tables through prepared statements; record JSON is built by
 * SQLite (`json_object`), as the purchase-order repository does.
 */
export interface InvoiceRepository {
  countInvoices(status: InvoiceStatus | null): number;
  listInvoices(status: InvoiceStatus | null, offset: number, limit: number): string[];
  getInvoice(invoiceId: string): RecordJson | null;
  getInvoiceState(invoiceId: string): InvoiceState | null;
  updateInvoice(invoiceId: string, state: InvoiceState): void;
  /** Invoice ids in id order, with the same filter and paging as {@link listInvoices}. */
  listInvoiceIds(status: InvoiceStatus | null, offset: number, limit: number): string[];
  getDocument(invoiceId: string): InvoiceDocumentContent | null;
  countReceipts(poNumber: string | null): number;
  listReceipts(poNumber: string | null, offset: number, limit: number): string[];
  getReceipt(receiptId: string): string | null;
  countPriceReviews(status: PriceReviewStatus | null): number;
  listPriceReviews(status: PriceReviewStatus | null, offset: number, limit: number): string[];
  getPriceReview(poNumber: string): RecordJson | null;
  getPriceReviewState(poNumber: string): PriceReviewState | null;
  updatePriceReview(poNumber: string, state: PriceReviewState): void;
  invoiceTruth(): InvoiceTruth[];
  priceAnomalyTruth(): PriceAnomalyTruth[];
}

const INVOICE_JSON = `json_object(
  'invoice_id', i.invoice_id, 'invoice_number', i.invoice_number, 'supplier_id', i.supplier_id,
  'invoice_date', i.invoice_date, 'entry_date', i.entry_date, 'po_number', i.po_number,
  'currency', i.currency, 'net_amount', i.net_amount, 'tax_rate', i.tax_rate,
  'tax_amount', i.tax_amount, 'gross_amount', i.gross_amount, 'match_status', i.match_status,
  'exception_reason', i.exception_reason, 'updated_at', i.updated_at,
  'lines', (
    SELECT json_group_array(json_object(
      'line_no', l.line_no, 'po_line_no', l.po_line_no, 'item_no', l.item_no,
      'description', l.description, 'quantity', l.quantity, 'uom', l.uom,
      'unit_price', l.unit_price, 'amount', l.amount) ORDER BY l.line_no)
    FROM invoice_lines AS l WHERE l.invoice_id = i.invoice_id
  )
)`;

const RECEIPT_JSON = `json_object(
  'receipt_id', g.receipt_id, 'po_number', g.po_number, 'receipt_date', g.receipt_date,
  'lines', (
    SELECT json_group_array(json_object(
      'line_no', l.line_no, 'po_line_no', l.po_line_no, 'item_no', l.item_no,
      'quantity', l.quantity, 'uom', l.uom) ORDER BY l.line_no)
    FROM goods_receipt_lines AS l WHERE l.receipt_id = g.receipt_id
  )
)`;

const REVIEW_JSON = `json_object(
  'po_number', o.po_number, 'supplier_id', o.supplier_id, 'order_date', o.order_date,
  'currency', o.currency, 'status', o.status,
  'lines', (
    SELECT json_group_array(json_object(
      'line_no', l.line_no, 'item_no', l.item_no, 'description', l.description,
      'quantity', l.quantity, 'uom', l.uom, 'unit_price', l.unit_price) ORDER BY l.line_no)
    FROM purchase_order_lines AS l WHERE l.po_number = o.po_number
  ),
  'review_note', r.review_note, 'updated_at', r.updated_at
)`;

/** The match-status codes each filter selects. */
const STATUS_CODES: Record<InvoiceStatus, readonly string[]> = {
  open: [MATCH_STATUS_CODES.open],
  matched: [MATCH_STATUS_CODES.matched],
  exception: [MATCH_STATUS_CODES.exception],
  processed: [MATCH_STATUS_CODES.matched, MATCH_STATUS_CODES.exception],
};

/** Price reviews by the status of their order. */
export const PRICE_REVIEW_STATUSES = ['open', 'closed'] as const;
export type PriceReviewStatus = (typeof PRICE_REVIEW_STATUSES)[number];

interface Page {
  status: string | null;
  /** A second status code the filter also selects (`processed`: matched or exception). */
  also: string | null;
  offset: number;
  limit: number;
}

function isTruthLabel(label: string): label is InvoiceTruth['label'] {
  return INVOICE_TRUTH_LABELS.some((known) => known === label);
}

function isAnomalyKind(kind: string): kind is PriceAnomalyTruth['kind'] {
  return kind === 'high' || kind === 'low' || kind === 'decimal-slip';
}

/** Creates the repository over the sandbox database (tables of sandbox/invoices/schema.ts). */
export function createInvoiceRepository(db: Database.Database): InvoiceRepository {
  const listStatus = db
    .prepare<Page, string>(
      `SELECT ${INVOICE_JSON} FROM invoices AS i WHERE i.match_status IN (@status, @also)
       ORDER BY i.invoice_id LIMIT @limit OFFSET @offset`,
    )
    .pluck();
  const listAll = db
    .prepare<Page, string>(
      `SELECT ${INVOICE_JSON} FROM invoices AS i ORDER BY i.invoice_id LIMIT @limit OFFSET @offset`,
    )
    .pluck();
  const idsStatus = db
    .prepare<Page, string>(
      `SELECT invoice_id FROM invoices WHERE match_status IN (@status, @also)
       ORDER BY invoice_id LIMIT @limit OFFSET @offset`,
    )
    .pluck();
  const idsAll = db
    .prepare<Page, string>('SELECT invoice_id FROM invoices ORDER BY invoice_id LIMIT @limit OFFSET @offset')
    .pluck();
  const countStatus = db
    .prepare<[string, string | null], number>('SELECT count(*) FROM invoices WHERE match_status IN (?, ?)')
    .pluck();
  const countAll = db.prepare<[], number>('SELECT count(*) FROM invoices').pluck();
  const selectInvoice = db.prepare<[string], RecordJson>(
    `SELECT ${INVOICE_JSON} AS json, i.updated_at AS updatedAt FROM invoices AS i WHERE i.invoice_id = ?`,
  );
  const selectInvoiceState = db.prepare<[string], InvoiceState>(
    'SELECT match_status, exception_reason, updated_at FROM invoices WHERE invoice_id = ?',
  );
  const updateInvoiceState = db.prepare<[string, string, string, string]>(
    'UPDATE invoices SET match_status = ?, exception_reason = ?, updated_at = ? WHERE invoice_id = ?',
  );
  const selectDocument = db
    .prepare<[string], string>('SELECT content FROM invoice_documents WHERE invoice_id = ?')
    .pluck();
  const listReceiptsAll = db
    .prepare<Page, string>(
      `SELECT ${RECEIPT_JSON} FROM goods_receipts AS g ORDER BY g.receipt_id LIMIT @limit OFFSET @offset`,
    )
    .pluck();
  const listReceiptsOfOrder = db
    .prepare<Page, string>(
      `SELECT ${RECEIPT_JSON} FROM goods_receipts AS g WHERE g.po_number = @status
       ORDER BY g.receipt_id LIMIT @limit OFFSET @offset`,
    )
    .pluck();
  const countReceiptsAll = db.prepare<[], number>('SELECT count(*) FROM goods_receipts').pluck();
  const countReceiptsOfOrder = db
    .prepare<[string], number>('SELECT count(*) FROM goods_receipts WHERE po_number = ?')
    .pluck();
  const selectReceipt = db
    .prepare<[string], string>(`SELECT ${RECEIPT_JSON} FROM goods_receipts AS g WHERE g.receipt_id = ?`)
    .pluck();
  const listReviews = db
    .prepare<Page, string>(
      `SELECT ${REVIEW_JSON} FROM price_reviews AS r JOIN purchase_orders AS o ON o.po_number = r.po_number
       WHERE r.status = @status ORDER BY r.po_number LIMIT @limit OFFSET @offset`,
    )
    .pluck();
  const listAllReviews = db
    .prepare<Page, string>(
      `SELECT ${REVIEW_JSON} FROM price_reviews AS r JOIN purchase_orders AS o ON o.po_number = r.po_number
       ORDER BY r.po_number LIMIT @limit OFFSET @offset`,
    )
    .pluck();
  const countReviews = db
    .prepare<[string], number>('SELECT count(*) FROM price_reviews WHERE status = ?')
    .pluck();
  const countAllReviews = db.prepare<[], number>('SELECT count(*) FROM price_reviews').pluck();
  const selectReview = db.prepare<[string], RecordJson>(
    `SELECT ${REVIEW_JSON} AS json, r.updated_at AS updatedAt
     FROM price_reviews AS r JOIN purchase_orders AS o ON o.po_number = r.po_number WHERE r.po_number = ?`,
  );
  const selectReviewState = db.prepare<[string], PriceReviewState>(
    'SELECT review_note, updated_at FROM price_reviews WHERE po_number = ?',
  );
  const updateReviewState = db.prepare<[string, string, string]>(
    'UPDATE price_reviews SET review_note = ?, updated_at = ? WHERE po_number = ?',
  );
  const selectInvoiceTruth = db.prepare<
    [],
    { invoice_id: string; label: string; duplicate_of: string | null; detail: string }
  >('SELECT invoice_id, label, duplicate_of, detail FROM truth_invoices ORDER BY invoice_id');
  const selectAnomalyTruth = db.prepare<
    [],
    {
      po_number: string;
      line_no: string;
      original_price: number;
      planted_price: number;
      kind: string;
      order_status: string;
      flagged_by_buyer: number;
    }
  >(
    `SELECT po_number, line_no, original_price, planted_price, kind, order_status, flagged_by_buyer
     FROM truth_price_anomalies ORDER BY 1, 2`,
  );

  const page = (status: string | null, offset: number, limit: number, also: string | null = null): Page => ({
    status,
    also,
    offset,
    limit,
  });
  const statusPage = (status: InvoiceStatus, offset: number, limit: number) => {
    const [code = null, also = null] = STATUS_CODES[status];
    return page(code, offset, limit, also);
  };
  return {
    countInvoices(status) {
      if (status === null) return countAll.get() ?? 0;
      const [code = '', also = null] = STATUS_CODES[status];
      return countStatus.get(code, also) ?? 0;
    },
    listInvoices: (status, offset, limit) =>
      status === null
        ? listAll.all(page(null, offset, limit))
        : listStatus.all(statusPage(status, offset, limit)),
    listInvoiceIds: (status, offset, limit) =>
      status === null
        ? idsAll.all(page(null, offset, limit))
        : idsStatus.all(statusPage(status, offset, limit)),
    getInvoice: (invoiceId) => selectInvoice.get(invoiceId) ?? null,
    getInvoiceState: (invoiceId) => selectInvoiceState.get(invoiceId) ?? null,
    updateInvoice(invoiceId, state) {
      updateInvoiceState.run(state.match_status, state.exception_reason, state.updated_at, invoiceId);
    },
    getDocument(invoiceId) {
      const content = selectDocument.get(invoiceId);
      // Written by the seed from this very type (seed-invoices.ts); nothing else writes the table.
      return content === undefined ? null : (JSON.parse(content) as InvoiceDocumentContent);
    },
    countReceipts: (poNumber) =>
      (poNumber === null ? countReceiptsAll.get() : countReceiptsOfOrder.get(poNumber)) ?? 0,
    listReceipts: (poNumber, offset, limit) =>
      poNumber === null
        ? listReceiptsAll.all(page(null, offset, limit))
        : listReceiptsOfOrder.all(page(poNumber, offset, limit)),
    getReceipt: (receiptId) => selectReceipt.get(receiptId) ?? null,
    countPriceReviews: (status) =>
      (status === null ? countAllReviews.get() : countReviews.get(status.toUpperCase())) ?? 0,
    listPriceReviews: (status, offset, limit) =>
      status === null
        ? listAllReviews.all(page(null, offset, limit))
        : listReviews.all(page(status.toUpperCase(), offset, limit)),
    getPriceReview: (poNumber) => selectReview.get(poNumber) ?? null,
    getPriceReviewState: (poNumber) => selectReviewState.get(poNumber) ?? null,
    updatePriceReview(poNumber, state) {
      updateReviewState.run(state.review_note, state.updated_at, poNumber);
    },
    invoiceTruth() {
      return selectInvoiceTruth.all().map((row) => {
        if (!isTruthLabel(row.label)) {
          throw new Error(`truth_invoices holds an unknown label "${row.label}" for ${row.invoice_id}`);
        }
        return { ...row, label: row.label };
      });
    },
    priceAnomalyTruth() {
      return selectAnomalyTruth.all().map((row) => {
        if (!isAnomalyKind(row.kind)) {
          throw new Error(`truth_price_anomalies holds an unknown kind "${row.kind}" for ${row.po_number}`);
        }
        return { ...row, kind: row.kind, flagged_by_buyer: row.flagged_by_buyer === 1 };
      });
    },
  };
}
