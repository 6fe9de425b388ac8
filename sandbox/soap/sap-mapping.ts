/**
 * A sandbox purchase order as SAP ECC holds it (EKKO/EKPO/EKET and the header text), field by
 * field; sandbox/README.md has the table. The order's priority lives in the header field OUR_REF
 * ("Our Reference", EKKO-UNSEZ), a free 12-character field purchasing departments commonly put to
 * such use; SAP's PO header has no priority of its own. The buyer's note is header text F01. A
 * closed order's items are "delivery completed" and "final invoice"; a cancelled order carries
 * deletion indicator L.
 */
import type { PurchaseOrderLineRecord, PurchaseOrderRecord } from '../records.ts';
import { decimalOf, fitText, isoDateOf, lineFigures, rescale } from './record-formats.ts';
import type { StructureValues } from './sap-rfc-xml.ts';

/** Organisational constants of the simulated client 100: company code, purchasing org and group, plant. */
export const SAP_ORGANISATION = {
  companyCode: '1000',
  purchasingOrg: '1000',
  purchasingGroup: '001',
  plant: '1000',
  documentType: 'NB',
} as const;

/** The text id of the header note (Header text) in the PO text determination. */
export const HEADER_NOTE_TEXT_ID = 'F01';

const ISO_UNITS: Readonly<Record<string, string>> = { EA: 'EA', KG: 'KGM', M: 'MTR', PC: 'PCE' };

/** `20250615` → `15.06.2025`: BAPIMEPOSCHEDULE-DELIVERY_DATE is CHAR 10 in the user's date format. */
export function externalDate(compact: string): string {
  return `${compact.slice(6, 8)}.${compact.slice(4, 6)}.${compact.slice(0, 4)}`;
}

function deletionIndicator(record: PurchaseOrderRecord): string {
  return record.status === 'CANCELLED' ? 'L' : '';
}

function completed(record: PurchaseOrderRecord): string {
  return record.status === 'CLOSED' ? 'X' : '';
}

/** The header (BAPIMEPOHEADER) of an order; `ourRef` overrides OUR_REF (an uncommitted change). */
export function poHeader(record: PurchaseOrderRecord, ourRef: string = record.priority): StructureValues {
  const orderDate = isoDateOf(record.order_date);
  return {
    PO_NUMBER: record.po_number,
    COMP_CODE: SAP_ORGANISATION.companyCode,
    DOC_TYPE: SAP_ORGANISATION.documentType,
    DELETE_IND: deletionIndicator(record),
    CREAT_DATE: orderDate,
    CREATED_BY: record.buyer.trim(),
    ITEM_INTVL: '10',
    VENDOR: record.supplier_id,
    LANGU: 'E',
    PURCH_ORG: SAP_ORGANISATION.purchasingOrg,
    PUR_GROUP: SAP_ORGANISATION.purchasingGroup,
    CURRENCY: record.currency,
    CURRENCY_ISO: record.currency,
    EXCH_RATE: '1.00000',
    DOC_DATE: orderDate,
    OUR_REF: ourRef,
  };
}

/** An item (BAPIMEPOITEM): quantity with 3 decimals, NET_PRICE with the BAPI's 9. */
export function poItem(record: PurchaseOrderRecord, line: PurchaseOrderLineRecord): StructureValues {
  const figures = lineFigures(line);
  const unitOfMeasure = line.uom.trim();
  return {
    PO_ITEM: line.line_no,
    DELETE_IND: deletionIndicator(record),
    SHORT_TEXT: fitText(line.description, 40),
    MATERIAL: line.item_no,
    PLANT: SAP_ORGANISATION.plant,
    QUANTITY: decimalOf(figures.quantityMilli, 3),
    PO_UNIT: unitOfMeasure,
    PO_UNIT_ISO: ISO_UNITS[unitOfMeasure] ?? unitOfMeasure,
    NET_PRICE: decimalOf(rescale(figures.priceCents, 2, 9), 9),
    PRICE_UNIT: '1',
    NO_MORE_GR: completed(record),
    FINAL_INV: completed(record),
    ITEM_CAT: '0',
    GR_IND: 'X',
    IR_IND: 'X',
  };
}

/** An item's one schedule line (BAPIMEPOSCHEDULE): its need-by date. */
export function poSchedule(record: PurchaseOrderRecord, line: PurchaseOrderLineRecord): StructureValues {
  return {
    PO_ITEM: line.line_no,
    SCHED_LINE: '1',
    DEL_DATCAT_EXT: 'D',
    DELIVERY_DATE: externalDate(line.need_by),
    QUANTITY: decimalOf(lineFigures(line).quantityMilli, 3),
    STAT_DATE: isoDateOf(line.need_by),
    PO_DATE: isoDateOf(record.order_date),
  };
}

/** The header note as POTEXTHEADER rows (none when the note is blank). */
export function poTextHeader(record: PurchaseOrderRecord, notes: string = record.notes): StructureValues[] {
  const text = notes.trim();
  if (text === '') return [];
  return [
    {
      PO_NUMBER: record.po_number,
      PO_ITEM: '0',
      TEXT_ID: HEADER_NOTE_TEXT_ID,
      TEXT_FORM: '*',
      TEXT_LINE: text,
    },
  ];
}

/** The header row of BAPI_PO_GETITEMS (BAPIEKKOL). */
export function itemListHeader(record: PurchaseOrderRecord, vendorName: string | null): StructureValues {
  const orderDate = isoDateOf(record.order_date);
  return {
    PO_NUMBER: record.po_number,
    CO_CODE: SAP_ORGANISATION.companyCode,
    DOC_CAT: 'F',
    DOC_TYPE: SAP_ORGANISATION.documentType,
    DELETE_IND: deletionIndicator(record),
    CREATED_ON: orderDate,
    CREATED_BY: record.buyer.trim(),
    VENDOR: record.supplier_id,
    LANGUAGE: 'E',
    PURCH_ORG: SAP_ORGANISATION.purchasingOrg,
    PUR_GROUP: SAP_ORGANISATION.purchasingGroup,
    CURRENCY: record.currency,
    DOC_DATE: orderDate,
    OUR_REF: record.priority,
    VEND_NAME: vendorName ?? '',
    CURRENCY_ISO: record.currency,
  };
}

/** An item row of BAPI_PO_GETITEMS (BAPIEKPOC): prices and values with 4 decimals. */
export function itemListItem(record: PurchaseOrderRecord, line: PurchaseOrderLineRecord): StructureValues {
  const figures = lineFigures(line);
  const value = decimalOf(rescale(figures.amountCents, 2, 4), 4);
  return {
    PO_NUMBER: record.po_number,
    PO_ITEM: line.line_no,
    DELETE_IND: deletionIndicator(record),
    CHANGED_ON: record.updated_at.slice(0, 10),
    SHORT_TEXT: fitText(line.description, 40),
    MATERIAL: line.item_no,
    CO_CODE: SAP_ORGANISATION.companyCode,
    PLANT: SAP_ORGANISATION.plant,
    QUANTITY: decimalOf(figures.quantityMilli, 3),
    UNIT: line.uom.trim(),
    NET_PRICE: decimalOf(rescale(figures.priceCents, 2, 4), 4),
    PRICE_UNIT: '1',
    NET_VALUE: value,
    GROS_VALUE: value,
    DEL_COMPL: completed(record),
    FINAL_INV: completed(record),
    ITEM_CAT: '0',
    PREQ_NAME: record.buyer.trim(),
  };
}
