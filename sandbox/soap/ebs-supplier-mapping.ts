/**
 * A sandbox supplier as Oracle E-Business Suite R12 holds it: AP_SUPPLIERS with its
 * AP_SUPPLIER_SITES_ALL, in the element names SOA Suite's database adapter generates (`vendorId`,
 * `vendorName`, `segment1`). EBS has no supplier columns for a lead time or an on-time rate (lead
 * times live on items and approved supplier lists, delivery performance in reports), so the
 * sandbox carries both in the supplier's descriptive flexfield — ATTRIBUTE1 "Lead time (days)",
 * ATTRIBUTE2 "On-time delivery %" — the way a site that wants them on the supplier would.
 * sandbox/README.md has the table.
 */
import { parseDecimalComma } from '../legacy-format.ts';
import type { SupplierRecord } from '../records.ts';
import { EBS_ORG_ID, type Row } from './ebs-mapping.ts';
import { canonicalDecimal, decimalOf } from './record-formats.ts';

/** The AP_SUPPLIERS columns the sandbox writes, in the adapter schema's order. */
export const SUPPLIER_COLUMNS = [
  'vendorId',
  'vendorName',
  'segment1',
  'enabledFlag',
  'vendorTypeLookupCode',
  'attributeCategory',
  'attribute1',
  'attribute2',
] as const;
export type SupplierColumn = (typeof SUPPLIER_COLUMNS)[number];

/** The AP_SUPPLIER_SITES_ALL columns of a supplier's one purchasing site, in order. */
export const SUPPLIER_SITE_COLUMNS = [
  'vendorSiteId',
  'vendorId',
  'vendorSiteCode',
  'purchasingSiteFlag',
  'country',
  'orgId',
] as const;
type SupplierSiteColumn = (typeof SUPPLIER_SITE_COLUMNS)[number];

/** Columns written as xsd:decimal; the others are strings. */
const DECIMAL_COLUMNS: ReadonlySet<string> = new Set(['vendorId', 'vendorSiteId', 'orgId']);

/** A supplier column's schema type. */
export function supplierColumnType(column: string): 'decimal' | 'string' {
  return DECIMAL_COLUMNS.has(column) ? 'decimal' : 'string';
}

/** VENDOR_ID of a sandbox supplier: its number without the padding (`0000100042` ↔ 100042). */
export function vendorIdOf(supplierId: string): number {
  return Number(supplierId);
}

/** The AP_SUPPLIERS columns of a supplier by name. */
export function supplierValues(record: SupplierRecord): Record<SupplierColumn, string | null> {
  return {
    vendorId: String(vendorIdOf(record.supplier_id)),
    vendorName: record.name.trim(),
    // The supplier number as the sandbox spells it; in EBS SEGMENT1 is unlike VENDOR_ID too.
    segment1: record.supplier_id,
    enabledFlag: 'Y',
    vendorTypeLookupCode: 'VENDOR',
    attributeCategory: null,
    attribute1: String(Number(record.lead_time_days)),
    attribute2: canonicalDecimal(decimalOf(parseDecimalComma(record.on_time_pct, 1), 1)),
  };
}

/** The supplier's one purchasing site (VENDOR_SITE_ID = VENDOR_ID × 10 + 1): where COUNTRY lives. */
export function supplierSiteRow(record: SupplierRecord): Row {
  const vendorId = vendorIdOf(record.supplier_id);
  const values: Record<SupplierSiteColumn, string> = {
    vendorSiteId: String(vendorId * 10 + 1),
    vendorId: String(vendorId),
    vendorSiteCode: `${record.country.trim()}-PURCH`,
    purchasingSiteFlag: 'Y',
    country: record.country.trim(),
    orgId: String(EBS_ORG_ID),
  };
  return SUPPLIER_SITE_COLUMNS.map((column) => [column, values[column]] as const);
}
