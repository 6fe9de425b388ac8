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
  /**
   * Every order of the scan, in PO-number order, read a batch at a time; the first batch is
   * `wanted` orders when the caller says how many it will take (a page: read once, not in pieces,
   * and no more than it needs), at most {@link MAX_SCAN_BATCH}.
   */
  scan(scan: OrderScan, wanted?: number): Iterable<PurchaseOrderRecord>;
  /** The PO numbers of the scan, in order, without reading the orders. */
  keys(scan: OrderScan): string[];
  /** The lines' need-by dates of the orders from `first` to `last` (inclusive), in PO number and line order. */
  schedules(first: string, last: string): LineSchedule[];
  /** The notes as stored (blank-padded) of the orders of `poNumbers` that exist, by PO number. */
  notes(poNumbers: readonly string[]): Map<string, string>;
  /** Orders whose version is later than `since` (ISO), oldest change first, after `from` (exclusive). */
  changedSince(since: string, from: ChangedOrder | null, limit: number): ChangedOrder[];
  /** The supplier's name, trimmed; null for an unknown supplier. */
  supplierName(supplierId: string): string | null;
}

/** Orders a scan reads at a time, after its first batch. */
const SCAN_BATCH = 200;
/** The largest first batch a scan reads. */
export const MAX_SCAN_BATCH = 1000;

/** A purchase_orders row as `raw` statements give it: the columns of HEADER_COLUMNS, in order. */
type HeaderRow = [
  po_number: string,
  supplier_id: string,
  order_date: string,
  need_by: string,
  total_amount: string,
  currency: string,
  description: string,
  notes: string,
  buyer: string,
  status: PoStatus,
  priority: string,
  updated_at: string,
];

/** A purchase_order_lines row as `raw` statements give it. */
type LineRow = [
  po_number: string,
  line_no: string,
  item_no: string,
  description: string,
  quantity: string,
  uom: string,
  unit_price: number,
  need_by: string,
];

/** The record of a purchase_orders row and its lines. */
function recordOf(row: HeaderRow, lines: PurchaseOrderLineRecord[]): PurchaseOrderRecord {
  return {
    po_number: row[0],
    supplier_id: row[1],
    order_date: row[2],
    need_by: row[3],
    total_amount: row[4],
    currency: row[5],
    description: row[6],
    notes: row[7],
    buyer: row[8],
    status: row[9],
    priority: row[10],
    updated_at: row[11],
    lines,
  };
}

/**
 * The distinct keys, and the range to read them in one query when they lie close together (a
 * page of them); null when reading them one by one is cheaper.
 */
function keyRange(poNumbers: readonly string[]): {
  wanted: Set<string>;
  range: { first: string; last: string } | null;
} {
  const wanted = new Set(poNumbers);
  let first: string | undefined;
  let last: string | undefined;
  for (const poNumber of wanted) {
    if (first === undefined || poNumber < first) first = poNumber;
    if (last === undefined || poNumber > last) last = poNumber;
  }
  if (first === undefined || last === undefined || Number(last) - Number(first) > 4 * wanted.size) {
    return { wanted, range: null };
  }
  return { wanted, range: { first, last } };
}

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
  const schedulesBetween = db
    .prepare<[string, string], [poNumber: string, lineNo: string, needBy: string]>(
      `SELECT po_number, line_no, need_by FROM purchase_order_lines
       WHERE po_number BETWEEN ? AND ? ORDER BY po_number, line_no`,
    )
    .raw();
  const notesOf = db
    .prepare<[string], string>('SELECT notes FROM purchase_orders WHERE po_number = ?')
    .pluck();
  const notesBetween = db
    .prepare<[string, string], [poNumber: string, notes: string]>(
      'SELECT po_number, notes FROM purchase_orders WHERE po_number BETWEEN ? AND ?',
    )
    .raw();
  const changed = db.prepare<[string, string, string, string, number], ChangedOrder>(
    `SELECT po_number AS poNumber, updated_at AS updatedAt FROM purchase_orders
     WHERE updated_at > ? AND (updated_at > ? OR (updated_at = ? AND po_number > ?))
     ORDER BY updated_at, po_number LIMIT ?`,
  );

  // A page is two queries — its headers, then their lines — rather than a record each: the
  // SOAP reads list hundreds of orders per call. Rows come as arrays (`raw`), half the cost of
  // better-sqlite3 naming every column of every row, and become records here.
  const HEADER_COLUMNS =
    'po_number, supplier_id, order_date, need_by, total_amount, currency, description, notes, buyer, status, priority, updated_at';
  const headersAfter = db
    .prepare<[string, number], HeaderRow>(
      `SELECT ${HEADER_COLUMNS} FROM purchase_orders WHERE po_number > ? ORDER BY po_number LIMIT ?`,
    )
    .raw();
  const headersBetween = db
    .prepare<[string, string], HeaderRow>(
      `SELECT ${HEADER_COLUMNS} FROM purchase_orders WHERE po_number BETWEEN ? AND ? ORDER BY po_number`,
    )
    .raw();
  const headersWithStatusAfter = db
    .prepare<[string, string, number], HeaderRow>(
      `SELECT ${HEADER_COLUMNS} FROM purchase_orders WHERE status = ? AND po_number > ? ORDER BY po_number LIMIT ?`,
    )
    .raw();
  const linesBetween = db
    .prepare<[string, string], LineRow>(
      `SELECT po_number, line_no, item_no, description, quantity, uom, unit_price, need_by
       FROM purchase_order_lines WHERE po_number BETWEEN ? AND ? ORDER BY po_number, line_no`,
    )
    .raw();
  const supplierNames = new Map<string, string | null>();

  const get = (poNumber: string): PurchaseOrderRecord | null => {
    const found = purchaseOrders.getJson(poNumber);
    return found === null ? null : RecordSchema.parse(JSON.parse(found.json));
  };
  /** The headers as records, with their lines (read for the PO numbers from `first` to `last`). */
  const withLines = (headers: readonly HeaderRow[], first: string, last: string): PurchaseOrderRecord[] => {
    const lines = new Map<string, PurchaseOrderLineRecord[]>();
    for (const row of linesBetween.all(first, last)) {
      const poNumber = row[0];
      const line: PurchaseOrderLineRecord = {
        line_no: row[1],
        item_no: row[2],
        description: row[3],
        quantity: row[4],
        uom: row[5],
        unit_price: row[6],
        need_by: row[7],
      };
      const own = lines.get(poNumber);
      if (own === undefined) lines.set(poNumber, [line]);
      else own.push(line);
    }
    // The columns are the record's fields, typed by the table (TEXT and REAL): no JSON to check.
    return headers.map((header) => recordOf(header, lines.get(header[0]) ?? []));
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
    return withLines(headers, first[0], last[0]);
  };

  const getMany = (poNumbers: readonly string[]): Map<string, PurchaseOrderRecord> => {
    const found = new Map<string, PurchaseOrderRecord>();
    const { wanted, range } = keyRange(poNumbers);
    if (range === null) {
      for (const poNumber of wanted) {
        const record = get(poNumber);
        if (record !== null) found.set(poNumber, record);
      }
      return found;
    }
    const headers = headersBetween.all(range.first, range.last).filter((header) => wanted.has(header[0]));
    for (const record of withLines(headers, range.first, range.last)) found.set(record.po_number, record);
    return found;
  };

  const notes = (poNumbers: readonly string[]): Map<string, string> => {
    const found = new Map<string, string>();
    const { wanted, range } = keyRange(poNumbers);
    if (range === null) {
      for (const poNumber of wanted) {
        const note = notesOf.get(poNumber);
        if (note !== undefined) found.set(poNumber, note);
      }
      return found;
    }
    for (const [poNumber, note] of notesBetween.all(range.first, range.last)) {
      if (wanted.has(poNumber)) found.set(poNumber, note);
    }
    return found;
  };

  return {
    get,
    getMany,
    page,
    *scan(scan, wanted) {
      let after = scan.after;
      let size =
        wanted === undefined ? SCAN_BATCH : Math.min(Math.max(Math.trunc(wanted), 1), MAX_SCAN_BATCH);
      for (;;) {
        const batch = page({ status: scan.status, after }, size);
        yield* batch;
        const last = batch.at(-1);
        if (last === undefined || batch.length < size) return;
        after = last.po_number;
        size = SCAN_BATCH;
      }
    },
    keys(scan) {
      return scan.status === null ? allKeys.all(scan.after) : allKeysWithStatus.all(scan.status, scan.after);
    },
    schedules(first, last) {
      if (first > last) return [];
      return schedulesBetween
        .all(first, last)
        .map(([poNumber, lineNo, needBy]) => ({ poNumber, lineNo, needBy }));
    },
    notes,
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
