import type Database from 'better-sqlite3';
import { blankPad, formatDecimalComma } from '../legacy-format.ts';
import { createPrng, deriveSeed } from '../prng.ts';
import type { PurchaseOrderHeader, PurchaseOrderLineRecord, SupplierRecord } from '../records.ts';
import type { SeedParameters } from '../seed-parameters.ts';
import { generateInvoices, invoicedOrderCount, type SourceOrder } from './invoice-generator.ts';
import { plantPriceAnomalies } from './price-anomaly-planter.ts';
import { INVOICE_FIELD_WIDTHS } from './records.ts';
import { INVOICE_INDEX_DDL, INVOICE_TABLE_DDL } from './schema.ts';

/** Share of the price anomalies planted in the history that buyers noticed and noted on the review. */
const BUYER_FLAG_SHARE = 0.85;

/** How many rows the accounts-payable seed wrote. */
export interface InvoiceSeedCounts {
  invoices: number;
  goodsReceipts: number;
  priceAnomalies: number;
}

function readOrders(db: Database.Database, headers: PurchaseOrderHeader[]): SourceOrder[] {
  const selectLines = db.prepare<[string], PurchaseOrderLineRecord>(
    `SELECT line_no, item_no, description, quantity, uom, unit_price, need_by
     FROM purchase_order_lines WHERE po_number = ? ORDER BY line_no`,
  );
  return headers.map((header) => ({ header, lines: selectLines.all(header.po_number) }));
}

/**
 * Seeds the accounts-payable side into a database whose suppliers and purchase orders are in:
 * price anomalies planted into a few open and closed orders (their lines and totals updated; most
 * of the closed ones noted by buyers on their price review), invoices and goods receipts for the
 * latest closed orders (with planted exceptions), the price-review worklist of open and closed
 * orders, and the truth of everything planted. Runs inside the seed's transaction; deterministic
 * for the same parameters.
 */
export function seedAccountsPayable(db: Database.Database, parameters: SeedParameters): InvoiceSeedCounts {
  db.exec(INVOICE_TABLE_DDL);
  const suppliers = db
    .prepare<[], SupplierRecord>(
      'SELECT supplier_id, name, country, lead_time_days, on_time_pct FROM suppliers',
    )
    .all();
  const headerColumns = `po_number, supplier_id, order_date, need_by, total_amount, currency, description,
    notes, buyer, status, priority, updated_at`;
  const selectByStatus = db.prepare<[string], PurchaseOrderHeader>(
    `SELECT ${headerColumns} FROM purchase_orders WHERE status = ? ORDER BY po_number`,
  );

  // Prices first: the invoices then bill what the orders (as planted) say.
  const updateLine = db.prepare<[number, string, string]>(
    'UPDATE purchase_order_lines SET unit_price = ? WHERE po_number = ? AND line_no = ?',
  );
  const updateTotal = db.prepare<[string, string]>(
    'UPDATE purchase_orders SET total_amount = ? WHERE po_number = ?',
  );
  const insertAnomaly = db.prepare(
    `INSERT INTO truth_price_anomalies (po_number, line_no, original_price, planted_price, kind, order_status, flagged_by_buyer)
     VALUES (@po_number, @line_no, @original_price, @planted_price, @kind, @order_status, @flagged_by_buyer)`,
  );
  const flagPrng = createPrng(deriveSeed(parameters.seed, 'price-anomalies:flags'));
  const notes = new Map<string, string>();
  const planted = [
    ...plantPriceAnomalies(parameters.seed, readOrders(db, selectByStatus.all('CLOSED')), 'history'),
    ...plantPriceAnomalies(parameters.seed, readOrders(db, selectByStatus.all('OPEN')), 'open'),
  ];
  for (const { truth, totalCents } of planted) {
    updateLine.run(truth.planted_price, truth.po_number, truth.line_no);
    updateTotal.run(formatDecimalComma(totalCents, 2), truth.po_number);
    // Buyers noticed most of the wild prices in the history and left a note on the review.
    const flagged = truth.order_status === 'CLOSED' && flagPrng.chance(BUYER_FLAG_SHARE);
    if (flagged) {
      notes.set(
        truth.po_number,
        `price query line ${truth.line_no}: ${truth.planted_price} vs usual ${truth.original_price}`,
      );
    }
    insertAnomaly.run({ ...truth, flagged_by_buyer: flagged ? 1 : 0 });
  }

  const closed = db
    .prepare<[number], PurchaseOrderHeader>(
      `SELECT ${headerColumns} FROM purchase_orders WHERE status = 'CLOSED' ORDER BY po_number DESC LIMIT ?`,
    )
    .all(invoicedOrderCount(parameters.history))
    .reverse();
  const generated = generateInvoices({
    seed: parameters.seed,
    today: parameters.today,
    orders: readOrders(db, closed),
    suppliers,
  });
  const insertInvoice = db.prepare(
    `INSERT INTO invoices (invoice_id, invoice_number, supplier_id, invoice_date, entry_date, po_number,
       currency, net_amount, tax_rate, tax_amount, gross_amount, match_status, exception_reason, updated_at)
     VALUES (@invoice_id, @invoice_number, @supplier_id, @invoice_date, @entry_date, @po_number,
       @currency, @net_amount, @tax_rate, @tax_amount, @gross_amount, @match_status, @exception_reason, @updated_at)`,
  );
  const insertInvoiceLine = db.prepare(
    `INSERT INTO invoice_lines (invoice_id, line_no, po_line_no, item_no, description, quantity, uom, unit_price, amount)
     VALUES (@invoice_id, @line_no, @po_line_no, @item_no, @description, @quantity, @uom, @unit_price, @amount)`,
  );
  const insertDocument = db.prepare<[string, string]>(
    'INSERT INTO invoice_documents (invoice_id, content) VALUES (?, ?)',
  );
  const insertTruth = db.prepare(
    `INSERT INTO truth_invoices (invoice_id, label, duplicate_of, detail)
     VALUES (@invoice_id, @label, @duplicate_of, @detail)`,
  );
  for (const invoice of generated.invoices) {
    insertInvoice.run(invoice.header);
    for (const line of invoice.lines)
      insertInvoiceLine.run({ invoice_id: invoice.header.invoice_id, ...line });
    insertDocument.run(invoice.header.invoice_id, JSON.stringify(invoice.document));
    insertTruth.run(invoice.truth);
  }
  const insertReceipt = db.prepare<[string, string, string]>(
    'INSERT INTO goods_receipts (receipt_id, po_number, receipt_date) VALUES (?, ?, ?)',
  );
  const insertReceiptLine = db.prepare(
    `INSERT INTO goods_receipt_lines (receipt_id, line_no, po_line_no, item_no, quantity, uom)
     VALUES (@receipt_id, @line_no, @po_line_no, @item_no, @quantity, @uom)`,
  );
  for (const receipt of generated.receipts) {
    insertReceipt.run(receipt.receipt_id, receipt.po_number, receipt.receipt_date);
    for (const line of receipt.lines) insertReceiptLine.run({ receipt_id: receipt.receipt_id, ...line });
  }

  db.prepare<[string]>(
    `INSERT INTO price_reviews (po_number, status, review_note, updated_at)
     SELECT po_number, status, ?, updated_at FROM purchase_orders WHERE status IN ('OPEN', 'CLOSED')`,
  ).run(blankPad('', INVOICE_FIELD_WIDTHS.reviewNote));
  const setNote = db.prepare<[string, string]>(
    'UPDATE price_reviews SET review_note = ? WHERE po_number = ?',
  );
  for (const [poNumber, note] of notes)
    setNote.run(blankPad(note, INVOICE_FIELD_WIDTHS.reviewNote), poNumber);
  db.exec(INVOICE_INDEX_DDL);
  return {
    invoices: generated.invoices.length,
    goodsReceipts: generated.receipts.length,
    priceAnomalies: planted.length,
  };
}
