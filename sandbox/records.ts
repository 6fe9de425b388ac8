/**
 * The records as the legacy ERP serves them: snake_case, fixed-width text, `YYYYMMDD` dates and
 * decimal-comma numbers. These are wire shapes, deliberately unlike erpbridge's canonical model.
 */

/** Purchase-order statuses as the ERP spells them. */
export const PO_STATUSES = ['OPEN', 'CLOSED', 'CANCELLED'] as const;
export type PoStatus = (typeof PO_STATUSES)[number];

/** A supplier: `supplier_id` zero-padded to 10, `name` blank-padded to 35, figures as strings. */
export interface SupplierRecord {
  supplier_id: string;
  name: string;
  country: string;
  /** Integer days as a string, e.g. `"14"`. */
  lead_time_days: string;
  /** Percent with a decimal comma, e.g. `"87,5"`. */
  on_time_pct: string;
}

/** A purchase-order line. `unit_price` is a JSON number, unlike every other figure. */
export interface PurchaseOrderLineRecord {
  /** `"00010"`, `"00020"`, … */
  line_no: string;
  /** 18-digit zero-padded material number. */
  item_no: string;
  description: string;
  /** Three decimals with a decimal comma, e.g. `"10,000"`. */
  quantity: string;
  /** Blank-padded to 3: `"EA "`, `"KG "`, `"M  "`, `"PC "`. */
  uom: string;
  unit_price: number;
  need_by: string;
}

/** A purchase-order header as stored in its own table. */
export interface PurchaseOrderHeader {
  po_number: string;
  supplier_id: string;
  order_date: string;
  need_by: string;
  /** Two decimals with a decimal comma, e.g. `"12345,67"`; the sum of the lines. */
  total_amount: string;
  currency: string;
  description: string;
  notes: string;
  buyer: string;
  status: PoStatus;
  /** `"1"` urgent, `"2"` high, `"3"` normal (the ERP default), `"4"` low. */
  priority: string;
  /** ISO timestamp with milliseconds; strictly increases on every write. The ETag. */
  updated_at: string;
}

/** A purchase order with its lines, as `GET /api/purchase_orders` returns it. */
export interface PurchaseOrderRecord extends PurchaseOrderHeader {
  lines: PurchaseOrderLineRecord[];
}

/** Field widths of the fixed-width text fields. */
export const FIELD_WIDTHS = {
  supplierName: 35,
  description: 40,
  notes: 60,
  buyer: 10,
  uom: 3,
} as const;
