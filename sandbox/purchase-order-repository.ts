import type Database from 'better-sqlite3';
import { PO_STATUSES, type PoStatus } from './records.ts';

/** The writable state of an order, and its version: what a PATCH compares and changes. */
export interface PurchaseOrderState {
  priority: string;
  notes: string;
  updated_at: string;
}

/** An order as served: its JSON text (a `PurchaseOrderRecord`, see records.ts) and its version. */
export interface PurchaseOrderJson {
  json: string;
  updatedAt: string;
}

/**
 * Reads and writes purchase orders through prepared statements. Records leave SQLite as JSON text
 * built by SQLite itself (`json_object`, lines by `json_group_array`), so serving a page of 1000
 * orders with their lines is one query and one string join, with no per-field work in JavaScript.
 */
export interface PurchaseOrderRepository {
  /** How many orders have `status` (all when null). Status is not writable, so this is fixed. */
  count(status: PoStatus | null): number;
  /** The JSON texts of a page of orders in PO-number order, with their lines. */
  listJson(status: PoStatus | null, offset: number, limit: number): string[];
  getJson(poNumber: string): PurchaseOrderJson | null;
  getState(poNumber: string): PurchaseOrderState | null;
  /** Sets the writable fields and the new `updated_at`. */
  update(poNumber: string, state: PurchaseOrderState): void;
}

const RECORD_JSON = `json_object(
  'po_number', o.po_number, 'supplier_id', o.supplier_id, 'order_date', o.order_date,
  'need_by', o.need_by, 'total_amount', o.total_amount, 'currency', o.currency,
  'description', o.description, 'notes', o.notes, 'buyer', o.buyer, 'status', o.status,
  'priority', o.priority, 'updated_at', o.updated_at,
  'lines', (
    SELECT json_group_array(json_object(
      'line_no', l.line_no, 'item_no', l.item_no, 'description', l.description,
      'quantity', l.quantity, 'uom', l.uom, 'unit_price', l.unit_price, 'need_by', l.need_by) ORDER BY l.line_no)
    FROM purchase_order_lines AS l WHERE l.po_number = o.po_number
  )
)`;

/** Most page positions remembered for keyset continuation (see {@link createPurchaseOrderRepository}). */
const MAX_REMEMBERED_POSITIONS = 10_000;

/** A row of a page: the PO number and the record's JSON text. */
type PageRow = [string, string];

interface PageQuery {
  status: string | null;
  after: string;
  offset: number;
  limit: number;
}

/**
 * Creates the repository. A page at an OFFSET first finds its first PO number in the
 * `(status, po_number)` index, which skips rows without reading them. And since no write can
 * change which orders exist or their order, the repository remembers the PO number that ends each
 * page it served and continues the next page from there: paging through 100,000 orders never pays
 * for the rows before the page.
 */
export function createPurchaseOrderRepository(db: Database.Database): PurchaseOrderRepository {
  const selectAfter = db
    .prepare<PageQuery, PageRow>(
      `SELECT o.po_number, ${RECORD_JSON} FROM purchase_orders AS o
       WHERE o.status = @status AND o.po_number > @after ORDER BY o.po_number LIMIT @limit`,
    )
    .raw(true);
  const selectAtOffset = db
    .prepare<PageQuery, PageRow>(
      `SELECT o.po_number, ${RECORD_JSON} FROM purchase_orders AS o
       WHERE o.status = @status AND o.po_number >= (
         SELECT po_number FROM purchase_orders WHERE status = @status ORDER BY po_number LIMIT 1 OFFSET @offset)
       ORDER BY o.po_number LIMIT @limit`,
    )
    .raw(true);
  const selectAllAfter = db
    .prepare<PageQuery, PageRow>(
      `SELECT o.po_number, ${RECORD_JSON} FROM purchase_orders AS o
       WHERE o.po_number > @after ORDER BY o.po_number LIMIT @limit`,
    )
    .raw(true);
  const selectAllAtOffset = db
    .prepare<PageQuery, PageRow>(
      `SELECT o.po_number, ${RECORD_JSON} FROM purchase_orders AS o
       WHERE o.po_number >= (SELECT po_number FROM purchase_orders ORDER BY po_number LIMIT 1 OFFSET @offset)
       ORDER BY o.po_number LIMIT @limit`,
    )
    .raw(true);
  const selectOneJson = db.prepare<[string], PurchaseOrderJson>(
    `SELECT ${RECORD_JSON} AS json, o.updated_at AS updatedAt FROM purchase_orders AS o WHERE o.po_number = ?`,
  );
  const selectState = db.prepare<[string], PurchaseOrderState>(
    'SELECT priority, notes, updated_at FROM purchase_orders WHERE po_number = ?',
  );
  const updateState = db.prepare<[string, string, string, string]>(
    'UPDATE purchase_orders SET priority = ?, notes = ?, updated_at = ? WHERE po_number = ?',
  );
  const countAll = db.prepare<[], number>('SELECT count(*) FROM purchase_orders').pluck();
  const countStatus = db
    .prepare<[string], number>('SELECT count(*) FROM purchase_orders WHERE status = ?')
    .pluck();

  const totals = new Map<PoStatus | null, number>([[null, countAll.get() ?? 0]]);
  for (const status of PO_STATUSES) totals.set(status, countStatus.get(status) ?? 0);

  // "status|offset" → the PO number just before that offset, learnt from pages already served.
  const positions = new Map<string, string>();

  return {
    count(status) {
      return totals.get(status) ?? 0;
    },
    listJson(status, offset, limit) {
      const total = totals.get(status) ?? 0;
      if (limit === 0 || offset >= total) return [];
      const after = offset === 0 ? '' : positions.get(`${status}|${offset}`);
      const query: PageQuery = { status, after: after ?? '', offset, limit };
      let rows: PageRow[];
      if (status === null)
        rows = after === undefined ? selectAllAtOffset.all(query) : selectAllAfter.all(query);
      else rows = after === undefined ? selectAtOffset.all(query) : selectAfter.all(query);
      const last = rows[rows.length - 1];
      if (last !== undefined) {
        if (positions.size >= MAX_REMEMBERED_POSITIONS) positions.clear();
        positions.set(`${status}|${offset + rows.length}`, last[0]);
      }
      return rows.map((row) => row[1]);
    },
    getJson(poNumber) {
      return selectOneJson.get(poNumber) ?? null;
    },
    getState(poNumber) {
      return selectState.get(poNumber) ?? null;
    },
    update(poNumber, state) {
      updateState.run(state.priority, state.notes, state.updated_at, poNumber);
    },
  };
}
