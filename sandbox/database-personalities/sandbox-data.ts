import Database from 'better-sqlite3';
import { SUPPLIER_COUNTRIES } from '../catalogue.ts';
import { parseDecimalComma } from '../legacy-format.ts';
import type { PurchaseOrderLineRecord, PurchaseOrderRecord, SupplierRecord } from '../records.ts';

/**
 * The sandbox's business data as every personality starts from it: its suppliers and its purchase
 * orders with their lines, exactly as `/api` serves them, plus the few conversions every
 * personality needs (exact decimals, timestamps to the second, a supplier's currency).
 */

export interface SandboxData {
  suppliers: readonly SupplierRecord[];
  /** In PO-number order, each with its lines in line order. */
  orders: readonly PurchaseOrderRecord[];
}

/** Reads the sandbox's data from its SQLite file (opened read-only). */
export function readSandboxData(sandboxDbPath: string): SandboxData {
  const db = new Database(sandboxDbPath, { readonly: true, fileMustExist: true });
  try {
    const suppliers = db
      .prepare<[], SupplierRecord>(
        'SELECT supplier_id, name, country, lead_time_days, on_time_pct FROM suppliers ORDER BY supplier_id',
      )
      .all();
    const lines = new Map<string, PurchaseOrderLineRecord[]>();
    const lineRows = db
      .prepare<[], PurchaseOrderLineRecord & { po_number: string }>(
        `SELECT po_number, line_no, item_no, description, quantity, uom, unit_price, need_by
         FROM purchase_order_lines ORDER BY po_number, line_no`,
      )
      .all();
    for (const { po_number, ...line } of lineRows) {
      const list = lines.get(po_number);
      if (list === undefined) lines.set(po_number, [line]);
      else list.push(line);
    }
    const orders = db
      .prepare<[], Omit<PurchaseOrderRecord, 'lines'>>(
        `SELECT po_number, supplier_id, order_date, need_by, total_amount, currency, description, notes,
                buyer, status, priority, updated_at
         FROM purchase_orders ORDER BY po_number`,
      )
      .all()
      .map((order) => ({ ...order, lines: lines.get(order.po_number) ?? [] }));
    return { suppliers, orders };
  } finally {
    db.close();
  }
}

/** `"10,500"` with 3 decimals → `"10.500"`: the dot-decimal text SQL takes, exactly. */
export function dotDecimal(decimalComma: string, decimals: number): string {
  return decimalText(parseDecimalComma(decimalComma, decimals), decimals);
}

/** An integer count of `10^-decimals` units as dot-decimal text: `(1250, 2)` → `"12.50"`. */
export function decimalText(units: number, decimals: number): string {
  const sign = units < 0 ? '-' : '';
  const digits = String(Math.abs(units)).padStart(decimals + 1, '0');
  return decimals === 0
    ? `${sign}${digits}`
    : `${sign}${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
}

/** A line's figures in exact units: quantity in thousandths, price and amount in cents. */
export function lineFigures(line: PurchaseOrderLineRecord): {
  quantityMilli: number;
  priceCents: number;
  amountCents: number;
} {
  const quantityMilli = parseDecimalComma(line.quantity, 3);
  const priceCents = Math.round(line.unit_price * 100);
  return { quantityMilli, priceCents, amountCents: Math.round((quantityMilli * priceCents) / 1000) };
}

/** `"20261104"` → `"2026-11-04"`. */
export function isoDate(compact: string): string {
  return `${compact.slice(0, 4)}-${compact.slice(4, 6)}-${compact.slice(6, 8)}`;
}

/** An ISO timestamp as SQL DATETIME text to the second, UTC: `"2026-11-04 10:15:30"`. */
export function sqlDateTime(iso: string | Date): string {
  const text = typeof iso === 'string' ? new Date(iso).toISOString() : iso.toISOString();
  return `${text.slice(0, 10)} ${text.slice(11, 19)}`;
}

/** The currency a supplier invoices in: USD overseas, EUR otherwise (as the sandbox's generator decides). */
export function supplierCurrency(supplier: SupplierRecord): string {
  return SUPPLIER_COUNTRIES.find((country) => country.code === supplier.country.trim())?.currency ?? 'EUR';
}

/** `"0000100042"` → 100042. */
export function supplierNumber(supplier: { supplier_id: string }): number {
  return Number(supplier.supplier_id);
}
