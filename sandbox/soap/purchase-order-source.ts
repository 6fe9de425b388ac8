/**
 * The purchase orders as the SOAP personalities read them: the very records `/api` serves (built
 * by the same repository), in PO-number order with keyset continuation, plus the few questions
 * only the SOAP services ask (orders changed since a time, a supplier's name).
 */
import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { PurchaseOrderRepository } from '../purchase-order-repository.ts';
import { PO_STATUSES, type PoStatus, type PurchaseOrderRecord } from '../records.ts';
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

/** An order's key and version, for change tracking. */
export interface ChangedOrder {
  poNumber: string;
  updatedAt: string;
}

/** Read access to the purchase orders for the SOAP services. */
export interface PurchaseOrderSource {
  get(poNumber: string): PurchaseOrderRecord | null;
  /** Up to `limit` orders of the scan, in PO-number order. */
  page(scan: OrderScan, limit: number): PurchaseOrderRecord[];
  /** Every order of the scan, in PO-number order, read a batch at a time. */
  scan(scan: OrderScan): Iterable<PurchaseOrderRecord>;
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
  const keysAfter = db
    .prepare<[string, number], string>(
      'SELECT po_number FROM purchase_orders WHERE po_number > ? ORDER BY po_number LIMIT ?',
    )
    .pluck();
  const keysWithStatusAfter = db
    .prepare<[string, string, number], string>(
      'SELECT po_number FROM purchase_orders WHERE status = ? AND po_number > ? ORDER BY po_number LIMIT ?',
    )
    .pluck();
  const changed = db.prepare<[string, string, string, string, number], ChangedOrder>(
    `SELECT po_number AS poNumber, updated_at AS updatedAt FROM purchase_orders
     WHERE updated_at > ? AND (updated_at > ? OR (updated_at = ? AND po_number > ?))
     ORDER BY updated_at, po_number LIMIT ?`,
  );

  const get = (poNumber: string): PurchaseOrderRecord | null => {
    const found = purchaseOrders.getJson(poNumber);
    return found === null ? null : RecordSchema.parse(JSON.parse(found.json));
  };
  const page = (scan: OrderScan, limit: number): PurchaseOrderRecord[] => {
    if (limit <= 0) return [];
    const keys =
      scan.status === null
        ? keysAfter.all(scan.after, limit)
        : keysWithStatusAfter.all(scan.status, scan.after, limit);
    return keys.map(get).filter((record): record is PurchaseOrderRecord => record !== null);
  };

  return {
    get,
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
    changedSince(since, from, limit) {
      // Keyset continuation over (updated_at, po_number): the first clause skips what is older
      // than `since`, the second what the previous page already returned.
      const fromUpdatedAt = from?.updatedAt ?? since;
      return changed.all(since, fromUpdatedAt, fromUpdatedAt, from?.poNumber ?? '', limit);
    },
    supplierName(supplierId) {
      return suppliers.get(supplierId)?.name.trim() ?? null;
    },
  };
}
