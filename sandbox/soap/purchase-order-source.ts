/**
 * The purchase orders as the SOAP personalities read them: the very records `/api` serves (one
 * order by the same repository, pages from the same tables), in PO-number order with keyset
 * continuation, plus the few questions only the SOAP services ask (orders changed since a time,
 * a supplier's name, an order's lines' schedules and its note).
 */
import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { PurchaseOrderRepository } from '../purchase-order-repository.ts';
import {
  PO_STATUSES,
  type PoStatus,
  type PurchaseOrderHeader,
  type PurchaseOrderLineRecord,
  type PurchaseOrderRecord,
} from '../records.ts';
import type { SupplierRepository } from '../supplier-repository.ts';

const LineSchema = z.object({
  line_no: z.string(),
  item_no: z.string(),
  description: z.string(),
  quantity: z.string(),
  uom: z.string(),
  unit_price: z.number(),
  need_by: z.string(),
});

const RecordSchema = z.object({
  po_number: z.string(),
  supplier_id: z.string(),
  order_date: z.string(),
  need_by: z.string(),
  total_amount: z.string(),
  currency: z.string(),
  description: z.string(),
  notes: z.string(),
  buyer: z.string(),
  status: z.enum(PO_STATUSES),
  priority: z.string(),
  updated_at: z.string(),
  lines: z.array(LineSchema),
});

/** Which orders a scan visits. */
export interface OrderScan {
  /** Only orders with this status; null for all. */
  status: PoStatus | null;
  /** Only orders with a PO number greater than this (`''` for from the start). */
  after: string;
}

/** A line's schedule: what SAP's EKET holds of it (the sandbox has one schedule line per item). */
export interface LineSchedule {
  poNumber: string;
  lineNo: string;
  /** `YYYYMMDD`. */
  needBy: string;
}

/** An order's key and version, for change tracking. */
export interface ChangedOrder {
  poNumber: string;
  updatedAt: string;
}

/** Read access to the purchase orders for the SOAP services. */
export interface PurchaseOrderSource {
  get(poNumber: string): PurchaseOrderRecord | null;
  /** The orders of `poNumbers` that exist, by PO number: for a batch of keys, two queries instead of one each. */
  getMany(poNumbers: readonly string[]): Map<string, PurchaseOrderRecord>;
  /** Up to `limit` orders of the scan, in PO-number order. */
  page(scan: OrderScan, limit: number): PurchaseOrderRecord[];
  /** Every order of the scan, in PO-number order, read a batch at a time. */
  scan(scan: OrderScan): Iterable<PurchaseOrderRecord>;
  /** The PO numbers of the scan, in order, without reading the orders. */
  keys(scan: OrderScan): string[];
  /** The lines' need-by dates of the orders from `first` to `last` (inclusive), in PO number and line order. */
  schedules(first: string, last: string): LineSchedule[];
  /** An order's note as stored (blank-padded), or null for an unknown order. */
  notes(poNumber: string): string | null;
  /** Orders whose version is later than `since` (ISO), oldest change first, after `from` (exclusive). */
  changedSince(since: string, from: ChangedOrder | null, limit: number): ChangedOrder[];
  /** The supplier's name, trimmed; null for an unknown supplier. */
  supplierName(supplierId: string): string | null;
}

const SCAN_BATCH = 200;

/** Creates the source over the sandbox's database and its repositories. */
export function createPurchaseOrderSource(
  db: Database.Database,
  purchaseOrders: PurchaseOrderRepository,
  suppliers: SupplierRepository,
): PurchaseOrderSource {
  const allKeys = db
    .prepare<[string], string>('SELECT po_number FROM purchase_orders WHERE po_number > ? ORDER BY po_number')
    .pluck();
  const allKeysWithStatus = db
    .prepare<[string, string], string>(
      'SELECT po_number FROM purchase_orders WHERE status = ? AND po_number > ? ORDER BY po_number',
    )
    .pluck();
  const schedulesBetween = db.prepare<[string, string], LineSchedule>(
    `SELECT po_number AS poNumber, line_no AS lineNo, need_by AS needBy FROM purchase_order_lines
     WHERE po_number BETWEEN ? AND ? ORDER BY po_number, line_no`,
  );
  const notesOf = db
    .prepare<[string], string>('SELECT notes FROM purchase_orders WHERE po_number = ?')
    .pluck();
  const changed = db.prepare<[string, string, string, string, number], ChangedOrder>(
    `SELECT po_number AS poNumber, updated_at AS updatedAt FROM purchase_orders
     WHERE updated_at > ? AND (updated_at > ? OR (updated_at = ? AND po_number > ?))
     ORDER BY updated_at, po_number LIMIT ?`,
  );

  // A page is two queries — its headers, then their lines — rather than a record each: the
  // SOAP reads list hundreds of orders per call.
  const HEADER_COLUMNS =
    'po_number, supplier_id, order_date, need_by, total_amount, currency, description, notes, buyer, status, priority, updated_at';
  const headersAfter = db.prepare<[string, number], PurchaseOrderHeader>(
    `SELECT ${HEADER_COLUMNS} FROM purchase_orders WHERE po_number > ? ORDER BY po_number LIMIT ?`,
  );
  const headersBetween = db.prepare<[string, string], PurchaseOrderHeader>(
    `SELECT ${HEADER_COLUMNS} FROM purchase_orders WHERE po_number BETWEEN ? AND ? ORDER BY po_number`,
  );
  const headersWithStatusAfter = db.prepare<[string, string, number], PurchaseOrderHeader>(
    `SELECT ${HEADER_COLUMNS} FROM purchase_orders WHERE status = ? AND po_number > ? ORDER BY po_number LIMIT ?`,
  );
  const linesBetween = db.prepare<[string, string], PurchaseOrderLineRecord & { po_number: string }>(
    `SELECT po_number, line_no, item_no, description, quantity, uom, unit_price, need_by
     FROM purchase_order_lines WHERE po_number BETWEEN ? AND ? ORDER BY po_number, line_no`,
  );
  const supplierNames = new Map<string, string | null>();

  const get = (poNumber: string): PurchaseOrderRecord | null => {
    const found = purchaseOrders.getJson(poNumber);
    return found === null ? null : RecordSchema.parse(JSON.parse(found.json));
  };
  /** The headers as records, with their lines (read for the PO numbers from `first` to `last`). */
  const withLines = (headers: PurchaseOrderHeader[], first: string, last: string): PurchaseOrderRecord[] => {
    const lines = new Map<string, PurchaseOrderLineRecord[]>();
    for (const row of linesBetween.all(first, last)) {
      const line: PurchaseOrderLineRecord = {
        line_no: row.line_no,
        item_no: row.item_no,
        description: row.description,
        quantity: row.quantity,
        uom: row.uom,
        unit_price: row.unit_price,
        need_by: row.need_by,
      };
      const own = lines.get(row.po_number);
      if (own === undefined) lines.set(row.po_number, [line]);
      else own.push(line);
    }
    // The columns are the record's fields, typed by the table (TEXT and REAL): no JSON to check.
    const records: PurchaseOrderRecord[] = [];
    for (const header of headers)
      records.push(Object.assign(header, { lines: lines.get(header.po_number) ?? [] }));
    return records;
  };

  const page = (scan: OrderScan, limit: number): PurchaseOrderRecord[] => {
    if (limit <= 0) return [];
    const headers =
      scan.status === null
        ? headersAfter.all(scan.after, limit)
        : headersWithStatusAfter.all(scan.status, scan.after, limit);
    const first = headers[0];
    const last = headers.at(-1);
    if (first === undefined || last === undefined) return [];
    return withLines(headers, first.po_number, last.po_number);
  };

  const getMany = (poNumbers: readonly string[]): Map<string, PurchaseOrderRecord> => {
    const found = new Map<string, PurchaseOrderRecord>();
    const wanted = new Set(poNumbers);
    let first: string | undefined;
    let last: string | undefined;
    for (const poNumber of wanted) {
      if (first === undefined || poNumber < first) first = poNumber;
      if (last === undefined || poNumber > last) last = poNumber;
    }
    if (first === undefined || last === undefined) return found;
    // One range read when the keys lie close together (a page of them), else one by one.
    if (Number(last) - Number(first) > 4 * wanted.size) {
      for (const poNumber of wanted) {
        const record = get(poNumber);
        if (record !== null) found.set(poNumber, record);
      }
      return found;
    }
    const headers = headersBetween.all(first, last).filter((header) => wanted.has(header.po_number));
    for (const record of withLines(headers, first, last)) found.set(record.po_number, record);
    return found;
  };

  return {
    get,
    getMany,
    page,
    *scan(scan) {
      let after = scan.after;
      for (;;) {
        const batch = page({ status: scan.status, after }, SCAN_BATCH);
        yield* batch;
        const last = batch.at(-1);
        if (last === undefined || batch.length < SCAN_BATCH) return;
        after = last.po_number;
      }
    },
    keys(scan) {
      return scan.status === null ? allKeys.all(scan.after) : allKeysWithStatus.all(scan.status, scan.after);
    },
    schedules(first, last) {
      return first > last ? [] : schedulesBetween.all(first, last);
    },
    notes(poNumber) {
      return notesOf.get(poNumber) ?? null;
    },
    changedSince(since, from, limit) {
      // Keyset continuation over (updated_at, po_number): the first clause skips what is older
      // than `since`, the second what the previous page already returned.
      const fromUpdatedAt = from?.updatedAt ?? since;
      return changed.all(since, fromUpdatedAt, fromUpdatedAt, from?.poNumber ?? '', limit);
    },
    supplierName(supplierId) {
      // Suppliers are never written: their names are read once.
      if (!supplierNames.has(supplierId))
        supplierNames.set(supplierId, suppliers.get(supplierId)?.name.trim() ?? null);
      return supplierNames.get(supplierId) ?? null;
    },
  };
}
