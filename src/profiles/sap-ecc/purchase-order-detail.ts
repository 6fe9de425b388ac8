import { createHash } from 'node:crypto';
import type { VendorRecord } from '../../connectors/contract.ts';
import { NOTE_TEXT_ID } from './purchase-order-change.ts';
import { type RawRfcRow, type RfcRow, rfcParameter, rfcStructure, rfcTable, rfcText } from './rfc-values.ts';

/** The entity name purchase orders go by in the sap-ecc binding and profile (SAP's BOR object BUS2012). */
export const PURCHASE_ORDER_ENTITY = 'PurchaseOrder';

/**
 * A purchase order as the sap-ecc profile reads it: the record's `data`, in BAPI_PO_GETDETAIL1's
 * parameter and field names (so a person can hold it against SE37), with the fields the profile
 * reads and nothing else (of the texts: the header note, F01). The binding builds it from GETDETAIL1 (`HEADER_TEXT = X`) or, reading
 * pages, from BAPI_PO_GETITEMS's header and item rows, EKET's schedule lines and the F01 header
 * texts (`fromListedParts`): the same order gives the same detail, and the same version, either way.
 */
export interface PurchaseOrderDetail {
  POHEADER: RfcRow;
  POITEM: RfcRow[];
  POSCHEDULE: RfcRow[];
  POTEXTHEADER: RfcRow[];
}

/** The fields kept, per parameter (BAPIMEPOHEADER, BAPIMEPOITEM, BAPIMEPOSCHEDULE, BAPIMEPOTEXTHEADER). */
const HEADER_FIELDS = [
  'PO_NUMBER',
  'VENDOR',
  'DOC_DATE',
  'CURRENCY',
  'CURRENCY_ISO',
  'CREATED_BY',
  'DELETE_IND',
  'OUR_REF',
] as const;
const ITEM_FIELDS = [
  'PO_ITEM',
  'DELETE_IND',
  'SHORT_TEXT',
  'MATERIAL',
  'QUANTITY',
  'PO_UNIT',
  'NET_PRICE',
  'PRICE_UNIT',
  'NO_MORE_GR',
] as const;
const SCHEDULE_FIELDS = ['PO_ITEM', 'SCHED_LINE', 'STAT_DATE'] as const;
const TEXT_FIELDS = ['PO_ITEM', 'TEXT_ID', 'TEXT_LINE'] as const;

/** NUMC and packed fields: the version compares their value, not how many digits a BAPI wrote. */
const NUMERIC_FIELDS = new Set(['PO_ITEM', 'SCHED_LINE', 'QUANTITY', 'NET_PRICE', 'PRICE_UNIT']);

/** GETITEMS's names (BAPIEKPOC) for the GETDETAIL1 item fields that are named differently. */
const LISTED_ITEM_NAMES: Readonly<Record<string, string>> = { PO_UNIT: 'UNIT', NO_MORE_GR: 'DEL_COMPL' };

/** The `fields` of `row`, each read from its name in `names` when it has one there. */
function pick(
  row: RawRfcRow,
  fields: readonly string[],
  names: Readonly<Record<string, string>> = {},
): RfcRow {
  const picked: Record<string, string> = {};
  for (const field of fields) picked[field] = rfcText(row[names[field] ?? field]);
  return picked;
}

/**
 * The version of an order: a digest of everything the profile reads of it. SAP has no ETag and
 * its PO header no change timestamp (EKKO keeps only the creation date; EKPO-AEDAT is a date, and
 * only on items), so the version is the content itself — any change to a field the profile reads,
 * by anyone, gives another version. Numbers count by value (`12.3400` from GETITEMS is
 * `12.340000000` from GETDETAIL1) and texts without trailing blanks, so the way an order was
 * read does not change its version.
 */
export function detailVersion(detail: PurchaseOrderDetail): string {
  // Rows as text, fields and rows apart by characters XML cannot carry (so no value holds them).
  const canonical = (row: RfcRow, fields: readonly string[]) => {
    let text = '';
    for (const field of fields) {
      const value = (row[field] ?? '').trim();
      text += `${NUMERIC_FIELDS.has(field) ? numericValue(value) : value}\u0001`;
    }
    return text;
  };
  const sorted = (rows: readonly RfcRow[], fields: readonly string[]) =>
    rows
      .map((row) => canonical(row, fields))
      .sort((left, right) => (left < right ? -1 : left > right ? 1 : 0))
      .join('\u0002');
  // The note as the profile reads it: a missing text and a text of one empty line are the same.
  const note = detail.POTEXTHEADER.filter(isNoteLine)
    .map((row) => (row.TEXT_LINE ?? '').trim())
    .join(' ')
    .trim();
  return createHash('sha256')
    .update(canonical(detail.POHEADER, HEADER_FIELDS))
    .update('\u0003')
    .update(sorted(detail.POITEM, ITEM_FIELDS))
    .update('\u0003')
    .update(sorted(detail.POSCHEDULE, SCHEDULE_FIELDS))
    .update('\u0003')
    .update(note)
    .digest('hex')
    .slice(0, 32);
}

/** `00010` → `10`, `12.3400` → `12.34`, `1.000` → `1`; anything else as it is. */
function numericValue(value: string): string {
  // Most values are already canonical: no leading zero, no fraction ending in zero.
  if (value !== '' && value[0] !== '0' && value[0] !== '-' && !value.includes('.')) return value;
  const match = /^(-?)0*(\d*?)(\d)(?:\.(\d*?)0*)?$/.exec(value);
  if (match === null) return value;
  const [, sign, head = '', last = '', fraction = ''] = match;
  return `${sign}${head}${last}${fraction === '' ? '' : `.${fraction}`}`;
}

/** The detail of a GETDETAIL1 answer (whose RETURN was checked). Pure. */
export function purchaseOrderDetail(result: unknown): PurchaseOrderDetail {
  return {
    POHEADER: pick(rfcStructure(rfcParameter(result, 'POHEADER')), HEADER_FIELDS),
    POITEM: rfcTable(rfcParameter(result, 'POITEM')).map((row) => pick(row, ITEM_FIELDS)),
    POSCHEDULE: rfcTable(rfcParameter(result, 'POSCHEDULE')).map((row) => pick(row, SCHEDULE_FIELDS)),
    POTEXTHEADER: rfcTable(rfcParameter(result, 'POTEXTHEADER'))
      .filter(isNoteLine)
      .map((row) => pick(row, TEXT_FIELDS)),
  };
}

/** A line of the header note: text F01 on the header (PO_ITEM 0 or blank), not an item's. */
function isNoteLine(row: RfcRow): boolean {
  return (row.TEXT_ID ?? '').trim() === NOTE_TEXT_ID && /^0*$/.test((row.PO_ITEM ?? '').trim());
}

/**
 * The detail of an order read in a page: its BAPI_PO_GETITEMS header (BAPIEKKOL) and item rows
 * (BAPIEKPOC), its schedule lines (already in BAPIMEPOSCHEDULE's names) and header text lines.
 * GETITEMS names two item fields differently: UNIT is PO_UNIT, DEL_COMPL (EKPO-ELIKZ) NO_MORE_GR. Pure.
 */
export function fromListedParts(parts: {
  header: RawRfcRow;
  items: readonly RawRfcRow[];
  schedules: readonly RfcRow[];
  texts: readonly RfcRow[];
}): PurchaseOrderDetail {
  return {
    POHEADER: pick(parts.header, HEADER_FIELDS),
    POITEM: parts.items.map((item) => pick(item, ITEM_FIELDS, LISTED_ITEM_NAMES)),
    POSCHEDULE: parts.schedules.map((row) => pick(row, SCHEDULE_FIELDS)),
    POTEXTHEADER: parts.texts.filter(isNoteLine).map((row) => pick(row, TEXT_FIELDS)),
  };
}

/** The vendor record of a detail, keyed by its PO number, versioned by its content. Pure. */
export function purchaseOrderRecord(key: string, detail: PurchaseOrderDetail): VendorRecord {
  return { key, version: detailVersion(detail), data: { ...detail } };
}
