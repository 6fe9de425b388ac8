/**
 * A sandbox purchase order as Dynamics AX 2012 holds it: a PurchTable record with its PurchLine
 * records (and a DocuRef note), in the field names and formats of the AIF purchase order
 * document (dates `YYYY-MM-DD`, decimals with a point, enums by name, fields in the document
 * schema's alphabetical order). AX has no PO priority; the order's priority lives in its purchase
 * order pool, PurchPoolId (pools URGENT, HIGH, NORMAL, LOW — pools are how AX sites group orders
 * for follow-up). The buyer's note is the header's internal DocuRef note. RecVersion changes on
 * every write (here: a hash of the version), which is what AX's optimistic concurrency compares.
 */
import { createHash } from 'node:crypto';
import { PRIORITY_CODES, type PriorityCode } from '../hidden-rules.ts';
import type { PurchaseOrderLineRecord, PurchaseOrderRecord } from '../records.ts';
import { canonicalDecimal, decimalOf, isoDateOf, lineFigures, lineIndexOf } from './record-formats.ts';

/** The purchase order pool of each priority code. */
export const POOL_OF_PRIORITY: Readonly<Record<PriorityCode, string>> = {
  '1': 'URGENT',
  '2': 'HIGH',
  '3': 'NORMAL',
  '4': 'LOW',
};

/** The priority code of a pool id (case-insensitive, as AX compares strings), or null for no such pool. */
export function priorityOfPool(pool: string): PriorityCode | null {
  const wanted = pool.trim().toUpperCase();
  return PRIORITY_CODES.find((code) => POOL_OF_PRIORITY[code] === wanted) ?? null;
}

/** PurchStatus (enum PurchStatus) of a sandbox status. */
export const PURCH_STATUS = { OPEN: 'Backorder', CLOSED: 'Invoiced', CANCELLED: 'Canceled' } as const;

/** The company (DataAreaId) of the simulated instance. */
export const AX_COMPANY = 'USMF';

const FIRST_RECID = 5_637_144_576;
const FIRST_LINE_RECID = 5_638_144_576;
const UNITS: Readonly<Record<string, string>> = { EA: 'ea', KG: 'kg', M: 'm', PC: 'pcs' };

/** RecId of an order's PurchTable record. */
export function purchTableRecId(poNumber: string): number {
  return FIRST_RECID + Number(poNumber) - 45_000_000;
}

/** RecVersion: a positive 32-bit value that changes whenever the record's version does (FNV-1a). */
export function recVersionOf(version: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < version.length; index++) {
    hash ^= version.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash & 0x7fffffff || 1;
}

/** _DocumentHash: changes whenever anything in the document does. */
export function documentHashOf(record: PurchaseOrderRecord): string {
  return createHash('md5').update(`${record.po_number}|${record.updated_at}`).digest('hex');
}

/** A field's value, or null for a null field (written `xsi:nil`). */
export type AxValue = string | null;

/** The PurchTable fields, in the document schema's order. */
export const PURCH_TABLE_FIELDS = [
  '_DocumentHash',
  'AccountingDate',
  'CurrencyCode',
  'DeliveryDate',
  'DocumentState',
  'InvoiceAccount',
  'OrderAccount',
  'PurchaseType',
  'PurchId',
  'PurchName',
  'PurchPoolId',
  'PurchStatus',
  'RecId',
  'RecVersion',
  'WorkerPurchPlacer',
] as const;
export type PurchTableField = (typeof PURCH_TABLE_FIELDS)[number];

/** The PurchLine fields, in order. */
export const PURCH_LINE_FIELDS = [
  'DeliveryDate',
  'ItemId',
  'LineAmount',
  'LineNumber',
  'Name',
  'PurchPrice',
  'PurchQty',
  'PurchUnit',
  'RecId',
  'RecVersion',
] as const;
export type PurchLineField = (typeof PURCH_LINE_FIELDS)[number];

/** The DocuRefHeader fields (the note), in order. */
export const DOCU_REF_FIELDS = ['Name', 'Notes', 'Restriction', 'TypeId'] as const;
export type DocuRefField = (typeof DOCU_REF_FIELDS)[number];

/** The schema type of a field, for the WSDL and for comparing criteria. */
export function axFieldType(field: string): 'date' | 'decimal' | 'long' | 'int' | 'string' {
  if (field === 'AccountingDate' || field === 'DeliveryDate') return 'date';
  if (field === 'RecId') return 'long';
  if (field === 'RecVersion') return 'int';
  if (['LineAmount', 'LineNumber', 'PurchPrice', 'PurchQty'].includes(field)) return 'decimal';
  return 'string';
}

/** The PurchTable fields of an order. */
export function purchTable(
  record: PurchaseOrderRecord,
  vendorName: string | null,
): Record<PurchTableField, AxValue> {
  const open = record.status === 'OPEN';
  const code = PRIORITY_CODES.find((candidate) => candidate === record.priority);
  const pool = code === undefined ? null : POOL_OF_PRIORITY[code];
  return {
    _DocumentHash: documentHashOf(record),
    AccountingDate: isoDateOf(record.order_date),
    CurrencyCode: record.currency,
    DeliveryDate: isoDateOf(record.need_by),
    DocumentState: open ? 'Confirmed' : 'Finalized',
    InvoiceAccount: record.supplier_id,
    OrderAccount: record.supplier_id,
    PurchaseType: 'Purch',
    PurchId: record.po_number,
    PurchName: vendorName,
    PurchPoolId: pool,
    PurchStatus: PURCH_STATUS[record.status],
    RecId: String(purchTableRecId(record.po_number)),
    RecVersion: String(recVersionOf(record.updated_at)),
    WorkerPurchPlacer: record.buyer.trim() || null,
  };
}

/** The PurchLine fields of a line. */
export function purchLine(
  record: PurchaseOrderRecord,
  line: PurchaseOrderLineRecord,
): Record<PurchLineField, AxValue> {
  const figures = lineFigures(line);
  const index = lineIndexOf(line.line_no);
  const unit = line.uom.trim();
  return {
    DeliveryDate: isoDateOf(line.need_by),
    ItemId: String(Number(line.item_no)),
    LineAmount: canonicalDecimal(decimalOf(figures.amountCents, 2)),
    LineNumber: String(index),
    Name: line.description.trim(),
    PurchPrice: canonicalDecimal(decimalOf(figures.priceCents, 2)),
    PurchQty: canonicalDecimal(decimalOf(figures.quantityMilli, 3)),
    PurchUnit: UNITS[unit] ?? unit.toLowerCase(),
    RecId: String(FIRST_LINE_RECID + (Number(record.po_number) - 45_000_000) * 100 + index),
    RecVersion: String(recVersionOf(`${record.updated_at}#${index}`)),
  };
}

/** The header note as a DocuRefHeader, or null when the order has none. */
export function docuRefHeader(record: PurchaseOrderRecord): Record<DocuRefField, AxValue> | null {
  const notes = record.notes.trim();
  if (notes === '') return null;
  return { Name: 'Note', Notes: notes, Restriction: 'Internal', TypeId: 'Note' };
}
