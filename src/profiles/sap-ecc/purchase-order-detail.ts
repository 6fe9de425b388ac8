import { hash } from 'node:crypto';
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

/** The BAPIEKKOL fields `fromListedParts` reads of a GETITEMS header row. */
export const LISTED_HEADER_FIELDS: readonly string[] = HEADER_FIELDS;
/** The BAPIEKPOC fields `fromListedParts` reads of a GETITEMS item row (in GETITEMS's names). */
export const LISTED_ITEM_FIELDS: readonly string[] = ITEM_FIELDS.map(
  (field) => LISTED_ITEM_NAMES[field] ?? field,
);

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
  // The note as the profile reads it: a missing text and a text of one empty line are the same.
  let note = '';
  for (const row of detail.POTEXTHEADER) {
    if (!isNoteLine(row)) continue;
    const line = (row.TEXT_LINE ?? '').trim();
    note = note === '' ? line : `${note} ${line}`;
  }
  // One text, hashed in one call: ten thousand orders a read.
  const text = `${canonicalRow(detail.POHEADER, HEADER_LAYOUT)}\u0003${sortedRows(detail.POITEM, ITEM_LAYOUT)}\u0003${sortedRows(detail.POSCHEDULE, SCHEDULE_LAYOUT)}\u0003${note.trim()}`;
  return hash('sha256', text, 'hex').slice(0, 32);
}

/** A parameter's fields in the version's order, and which of them count by value. */
interface VersionLayout {
  fields: readonly string[];
  numeric: readonly boolean[];
}

function versionLayout(fields: readonly string[]): VersionLayout {
  return { fields, numeric: fields.map((field) => NUMERIC_FIELDS.has(field)) };
}

const HEADER_LAYOUT = versionLayout(HEADER_FIELDS);
const ITEM_LAYOUT = versionLayout(ITEM_FIELDS);
const SCHEDULE_LAYOUT = versionLayout(SCHEDULE_FIELDS);

/** A row as text: fields and rows apart by characters XML cannot carry (so no value holds them). */
function canonicalRow(row: RfcRow, layout: VersionLayout): string {
  let text = '';
  for (let index = 0; index < layout.fields.length; index++) {
    const value = (row[layout.fields[index] ?? ''] ?? '').trim();
    text += `${layout.numeric[index] ? numericValue(value) : value}\u0001`;
  }
  return text;
}

/** Rows as text in a fixed order, whatever order they were read in. */
function sortedRows(rows: readonly RfcRow[], layout: VersionLayout): string {
  const [only] = rows;
  if (rows.length === 1 && only !== undefined) return canonicalRow(only, layout);
  return rows
    .map((row) => canonicalRow(row, layout))
    .sort((left, right) => (left < right ? -1 : left > right ? 1 : 0))
    .join('\u0002');
}

/**
 * A number as its value reads: `00010` → `10`, `12.3400` → `12.34`, `1.000` → `1`, `-0.50` →
 * `-0.5`; anything that is not `-?digits[.digits]` as it is. One pass, no pattern: it runs for
 * five fields of every item of every order read.
 */
export function numericValue(value: string): string {
  const length = value.length;
  const digitsFrom = value.charCodeAt(0) === 0x2d /* - */ ? 1 : 0;
  let at = digitsFrom;
  while (at < length && isDigit(value.charCodeAt(at))) at++;
  const wholeEnd = at;
  if (wholeEnd === digitsFrom) return value;
  let end = wholeEnd;
  if (at < length) {
    if (value.charCodeAt(at) !== 0x2e /* . */) return value;
    at++;
    while (at < length && isDigit(value.charCodeAt(at))) at++;
    if (at < length) return value;
    end = length;
    // Trailing zeros of the fraction, then a point left alone.
    while (end > wholeEnd + 1 && value.charCodeAt(end - 1) === 0x30) end--;
    if (end === wholeEnd + 1) end = wholeEnd;
  }
  let wholeFrom = digitsFrom;
  while (wholeFrom < wholeEnd - 1 && value.charCodeAt(wholeFrom) === 0x30) wholeFrom++;
  if (wholeFrom === digitsFrom && end === length) return value;
  return `${digitsFrom === 1 ? '-' : ''}${value.slice(wholeFrom, end)}`;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
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
