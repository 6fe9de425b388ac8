/**
 * A sandbox purchase order as Oracle E-Business Suite holds it — PO_HEADERS_ALL with its
 * PO_LINES_ALL and PO_LINE_LOCATIONS_ALL — in the element names SOA Suite's database adapter
 * generates for those tables (camel case: `poHeaderId`, `segment1`, `needByDate`). The priority
 * lives in the header's descriptive flexfield segment ATTRIBUTE1 (a "Priority" segment with the
 * codes 1 urgent … 4 low); EBS has no priority column of its own. The buyer's note is
 * NOTE_TO_VENDOR, the description COMMENTS. sandbox/README.md has the whole table.
 */
import { BUYERS } from '../catalogue.ts';
import { zeroPad } from '../legacy-format.ts';
import type { PurchaseOrderLineRecord, PurchaseOrderRecord } from '../records.ts';
import { canonicalDecimal, decimalOf, isoDateOf, lineFigures, lineIndexOf } from './record-formats.ts';

/** PO_HEADER_ID = PO number − this offset: `0045000123` ↔ 1000123 (an id unlike the number, as in EBS). */
export const EBS_HEADER_ID_OFFSET = 44_000_000;
/** The operating unit (ORG_ID) of the simulated instance. */
export const EBS_ORG_ID = 204;
/** The FND user id the generated orders were created and last updated by. */
export const EBS_USER_ID = 1318;
/** AGENT_ID of the first buyer; the others follow in catalogue order. */
export const EBS_FIRST_AGENT_ID = 25_001;

const UNITS_OF_MEASURE: Readonly<Record<string, string>> = {
  EA: 'Each',
  KG: 'Kilogram',
  M: 'Meter',
  PC: 'Piece',
};

/** PO_HEADER_ID of a PO number. */
export function poHeaderIdOf(poNumber: string): number {
  return Number(poNumber) - EBS_HEADER_ID_OFFSET;
}

/** The PO number of a PO_HEADER_ID, or null when the id cannot be one. */
export function poNumberOfHeaderId(poHeaderId: number): string | null {
  const number = poHeaderId + EBS_HEADER_ID_OFFSET;
  return Number.isSafeInteger(poHeaderId) && poHeaderId > 0 && number < 10 ** 10 ? zeroPad(number, 10) : null;
}

/** `2025-06-15T00:00:00.000Z`: a DATE column as the adapter writes it (EBS dates carry no zone; UTC here). */
export function ebsDateOf(compact: string): string {
  return `${isoDateOf(compact)}T00:00:00.000Z`;
}

/** A column's value: text, or null for SQL NULL (written `xsi:nil="true"`). */
export type ColumnValue = string | null;

/** The columns of a row, in the order the adapter's schema declares them. */
export type Row = ReadonlyArray<readonly [string, ColumnValue]>;

const DECIMAL_COLUMNS = new Set([
  'poHeaderId',
  'agentId',
  'lastUpdatedBy',
  'createdBy',
  'vendorId',
  'revisionNum',
  'poLineId',
  'lineTypeId',
  'lineNum',
  'itemId',
  'unitPrice',
  'quantity',
  'orgId',
  'lineLocationId',
  'shipmentNum',
]);
const DATE_COLUMNS = new Set(['lastUpdateDate', 'creationDate', 'approvedDate', 'closedDate', 'needByDate']);

/** A column's schema type (the same name has the same type in every table the sandbox writes). */
export function columnType(column: string): 'decimal' | 'dateTime' | 'string' {
  if (DECIMAL_COLUMNS.has(column)) return 'decimal';
  return DATE_COLUMNS.has(column) ? 'dateTime' : 'string';
}

function agentIdOf(buyer: string): string | null {
  const buyers: readonly string[] = BUYERS;
  const index = buyers.indexOf(buyer.trim());
  return index === -1 ? null : String(EBS_FIRST_AGENT_ID + index);
}

function blankToNull(text: string): string | null {
  const trimmed = text.trim();
  return trimmed === '' ? null : trimmed;
}

const ATTRIBUTE_COLUMNS = [
  'attribute1',
  'attribute2',
  'attribute3',
  'attribute4',
  'attribute5',
  'attribute6',
  'attribute7',
  'attribute8',
  'attribute9',
  'attribute10',
  'attribute11',
  'attribute12',
  'attribute13',
  'attribute14',
  'attribute15',
] as const;

/** The PO_HEADERS_ALL columns the sandbox writes, in the adapter schema's order. */
export const HEADER_COLUMNS = [
  'poHeaderId',
  'agentId',
  'typeLookupCode',
  'lastUpdateDate',
  'lastUpdatedBy',
  'segment1',
  'summaryFlag',
  'enabledFlag',
  'creationDate',
  'createdBy',
  'vendorId',
  'currencyCode',
  'authorizationStatus',
  'revisionNum',
  'approvedFlag',
  'approvedDate',
  'noteToVendor',
  'comments',
  'closedDate',
  'cancelFlag',
  'attributeCategory',
  ...ATTRIBUTE_COLUMNS,
  'closedCode',
] as const;
export type HeaderColumn = (typeof HEADER_COLUMNS)[number];

/** The PO_LINES_ALL columns the sandbox writes, in order. */
export const LINE_COLUMNS = [
  'poLineId',
  'lastUpdateDate',
  'lineTypeId',
  'lineNum',
  'creationDate',
  'itemId',
  'itemDescription',
  'unitMeasLookupCode',
  'unitPrice',
  'quantity',
  'closedCode',
  'orgId',
] as const;
type LineColumn = (typeof LINE_COLUMNS)[number];

/** The PO_LINE_LOCATIONS_ALL columns the sandbox writes, in order. */
export const LINE_LOCATION_COLUMNS = [
  'lineLocationId',
  'lastUpdateDate',
  'poHeaderId',
  'quantity',
  'needByDate',
  'shipmentNum',
  'closedCode',
  'shipmentType',
] as const;
type LineLocationColumn = (typeof LINE_LOCATION_COLUMNS)[number];

function rowOf<Column extends string>(columns: readonly Column[], values: Record<Column, ColumnValue>): Row {
  return columns.map((column) => [column, values[column]] as const);
}

function closedCodeOf(record: PurchaseOrderRecord): string {
  return record.status === 'OPEN' ? 'OPEN' : 'CLOSED';
}

/** The PO_HEADERS_ALL columns of an order by name. */
export function headerValues(record: PurchaseOrderRecord): Record<HeaderColumn, ColumnValue> {
  return {
    poHeaderId: String(poHeaderIdOf(record.po_number)),
    agentId: agentIdOf(record.buyer),
    typeLookupCode: 'STANDARD',
    lastUpdateDate: record.updated_at,
    lastUpdatedBy: String(EBS_USER_ID),
    segment1: String(Number(record.po_number)),
    summaryFlag: 'N',
    enabledFlag: 'Y',
    creationDate: ebsDateOf(record.order_date),
    createdBy: String(EBS_USER_ID),
    vendorId: String(Number(record.supplier_id)),
    currencyCode: record.currency,
    authorizationStatus: 'APPROVED',
    revisionNum: '0',
    approvedFlag: 'Y',
    approvedDate: ebsDateOf(record.order_date),
    noteToVendor: blankToNull(record.notes),
    comments: blankToNull(record.description),
    closedDate: null,
    cancelFlag: record.status === 'CANCELLED' ? 'Y' : 'N',
    attributeCategory: null,
    attribute1: record.priority,
    attribute2: null,
    attribute3: null,
    attribute4: null,
    attribute5: null,
    attribute6: null,
    attribute7: null,
    attribute8: null,
    attribute9: null,
    attribute10: null,
    attribute11: null,
    attribute12: null,
    attribute13: null,
    attribute14: null,
    attribute15: null,
    closedCode: closedCodeOf(record),
  };
}

/** The PO_HEADERS_ALL columns of an order, in order, without its lines. */
export function headerRow(record: PurchaseOrderRecord): Row {
  return rowOf(HEADER_COLUMNS, headerValues(record));
}

/** PO_LINE_ID of a line: the header id × 100 + LINE_NUM. */
export function poLineIdOf(record: PurchaseOrderRecord, line: PurchaseOrderLineRecord): number {
  return poHeaderIdOf(record.po_number) * 100 + lineIndexOf(line.line_no);
}

/** The PO_LINES_ALL columns of a line (its line location follows separately). */
export function lineRow(record: PurchaseOrderRecord, line: PurchaseOrderLineRecord): Row {
  const figures = lineFigures(line);
  const unit = line.uom.trim();
  const values: Record<LineColumn, ColumnValue> = {
    poLineId: String(poLineIdOf(record, line)),
    lastUpdateDate: record.updated_at,
    lineTypeId: '1',
    lineNum: String(lineIndexOf(line.line_no)),
    creationDate: ebsDateOf(record.order_date),
    itemId: String(Number(line.item_no)),
    itemDescription: line.description.trim(),
    unitMeasLookupCode: UNITS_OF_MEASURE[unit] ?? unit,
    unitPrice: canonicalDecimal(decimalOf(figures.priceCents, 2)),
    quantity: canonicalDecimal(decimalOf(figures.quantityMilli, 3)),
    closedCode: closedCodeOf(record),
    orgId: String(EBS_ORG_ID),
  };
  return rowOf(LINE_COLUMNS, values);
}

/** The PO_LINE_LOCATIONS_ALL columns of a line's one shipment: where NEED_BY_DATE lives. */
export function lineLocationRow(record: PurchaseOrderRecord, line: PurchaseOrderLineRecord): Row {
  const values: Record<LineLocationColumn, ColumnValue> = {
    lineLocationId: String(poLineIdOf(record, line) * 10 + 1),
    lastUpdateDate: record.updated_at,
    poHeaderId: String(poHeaderIdOf(record.po_number)),
    quantity: canonicalDecimal(decimalOf(lineFigures(line).quantityMilli, 3)),
    needByDate: ebsDateOf(line.need_by),
    shipmentNum: '1',
    closedCode: closedCodeOf(record),
    shipmentType: 'STANDARD',
  };
  return rowOf(LINE_LOCATION_COLUMNS, values);
}
