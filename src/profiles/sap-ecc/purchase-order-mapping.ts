import { PRIORITIES, type Priority, PurchaseOrder, type PurchaseOrderLine } from '../../canonical/index.ts';
import { ErpError } from '../../errors/index.ts';
import type { EntityMapping } from '../contract.ts';
import { FormatError, padWithZeros, stripLeadingZeros } from '../legacy-formats.ts';
import { refuseOtherFields, validateCanonical } from '../map-fields.ts';
import { HEADER_TEXT, NOTE_TEXT_ID, OUR_REF } from './purchase-order-change.ts';
import { PURCHASE_ORDER_ENTITY } from './purchase-order-detail.ts';
import { type RfcRow, rfcStructure, rfcTable } from './rfc-values.ts';
import {
  parseOptionalSapDate,
  parseSapDate,
  parseSapDecimal,
  sapDecimalUnits,
  sapFlag,
  sapText,
} from './sap-formats.ts';

/**
 * SAP ECC purchase order (BAPI_PO_GETDETAIL1: POHEADER, POITEM, POSCHEDULE, POTEXTHEADER) ⇄
 * canonical PurchaseOrder. docs/erp/sap-ecc.md has the table; the choices that are not obvious:
 *
 * - **priority** lives in POHEADER-OUR_REF ("Our reference", EKKO-UNSEZ) as `1` urgent … `4` low:
 *   SAP's PO header has no priority, and OUR_REF is a free header field BAPI_PO_CHANGE can set.
 * - **notes** are header text F01, its lines joined with a space.
 * - **need-by** is the earliest STAT_DATE of the order's schedule lines (a line's: of its own).
 *   STAT_DATE is a DATS; DELIVERY_DATE is text in the logon user's date format.
 * - **total** is Σ QUANTITY × NET_PRICE / PRICE_UNIT over the items, in exact decimal arithmetic
 *   rounded to cents; deleted items count only when the whole order is deleted.
 * - **status**: `cancelled` when the header or every item carries a deletion indicator; `closed`
 *   when every remaining item is delivery-completed (NO_MORE_GR); otherwise `open`.
 * - **updatedAt** is null: GETDETAIL1 has no change timestamp (the version is a content digest).
 */

const PRIORITY_CODES = { urgent: '1', high: '2', normal: '3', low: '4' } as const satisfies Record<
  Priority,
  string
>;
const PRIORITY_BY_CODE = new Map<string, Priority>(
  PRIORITIES.map((priority) => [PRIORITY_CODES[priority], priority]),
);

/** Reads SAP fields and remembers where, so a bad value names `POITEM[2]-QUANTITY` and the order. */
class RfcFieldReader {
  // The field being read, kept as parts: its name is only written out for a failure.
  #parameter = '';
  #name = '';
  #index: number | undefined;

  constructor(readonly key: string) {}

  read<T>(row: RfcRow, parameter: string, name: string, convert: (value: unknown) => T, index?: number): T {
    this.#parameter = parameter;
    this.#name = name;
    this.#index = index;
    return convert(row[name]);
  }

  failure(error: unknown): unknown {
    if (!(error instanceof FormatError)) return error;
    const field =
      this.#index === undefined
        ? `${this.#parameter}-${this.#name}`
        : `${this.#parameter}[${this.#index}]-${this.#name}`;
    return new ErpError('validation', `cannot read ${field}: ${error.message}`, {
      entity: PURCHASE_ORDER_ENTITY,
      key: this.key,
      field,
      cause: error,
    });
  }
}

function parsePriority(value: unknown): Priority | null {
  const code = sapText(value);
  if (code === '') return null;
  const priority = PRIORITY_BY_CODE.get(code);
  if (!priority)
    throw new FormatError(`expected a priority code 1-4 or blank in OUR_REF, got ${JSON.stringify(value)}`);
  return priority;
}

function itemNumber(value: unknown): number {
  const text = sapText(value);
  if (!/^\d+$/.test(text) || Number(text) === 0)
    throw new FormatError(`expected an item number, got ${JSON.stringify(value)}`);
  return Number(text);
}

/** PRICE_UNIT (DEC 5,0): how many units NET_PRICE is for; an initial 0 means 1. */
function priceUnitOf(value: unknown): bigint {
  const units = sapDecimalUnits(sapText(value) === '' ? '1' : value, 0);
  return units === 0n ? 1n : units;
}

/** Rounds a non-negative rational `numerator / denominator` half up. */
function roundedDivision(numerator: bigint, denominator: bigint): bigint {
  return (numerator * 2n + denominator) / (denominator * 2n);
}

/** The note: header text F01 (on the header, not an item), lines joined with a space. */
function noteOf(rows: readonly RfcRow[]): string {
  return rows
    .filter((row) => sapText(row.TEXT_ID) === NOTE_TEXT_ID && /^0*$/.test(sapText(row.PO_ITEM)))
    .map((row) => sapText(row.TEXT_LINE))
    .join(' ')
    .trim();
}

interface ItemFigures {
  line: PurchaseOrderLine;
  deleted: boolean;
  delivered: boolean;
  /** QUANTITY × NET_PRICE / PRICE_UNIT in cents. */
  amountCents: bigint;
}

/** The order's schedule lines, each read once: its item and statistical delivery date. */
interface ScheduleDate {
  item: number;
  date: string | null;
}

function readSchedules(reader: RfcFieldReader, schedules: readonly RfcRow[]): ScheduleDate[] {
  return schedules.map((schedule, position) => ({
    item: reader.read(schedule, 'POSCHEDULE', 'PO_ITEM', itemNumber, position),
    date: reader.read(schedule, 'POSCHEDULE', 'STAT_DATE', parseOptionalSapDate, position),
  }));
}

/** A packed number read once: exactly, in units of 10^-decimals, and as a JS number. */
interface SapNumber {
  units: bigint;
  value: number;
}

const quantityOf = (value: unknown): SapNumber => sapNumber(value, 3);
const priceOf = (value: unknown): SapNumber => sapNumber(value, 9);

function sapNumber(value: unknown, decimals: number): SapNumber {
  // sapDecimalUnits accepts exactly what parseSapDecimal does (-?digits[.digits]), with a bound on decimals.
  const units = sapDecimalUnits(value, decimals);
  return { units, value: parseSapDecimal(value) };
}

function readItem(
  reader: RfcFieldReader,
  item: RfcRow,
  index: number,
  schedules: readonly ScheduleDate[],
): ItemFigures {
  const lineNumber = reader.read(item, 'POITEM', 'PO_ITEM', itemNumber, index);
  const quantity = reader.read(item, 'POITEM', 'QUANTITY', quantityOf, index);
  const price = reader.read(item, 'POITEM', 'NET_PRICE', priceOf, index);
  const priceUnit = reader.read(item, 'POITEM', 'PRICE_UNIT', priceUnitOf, index);
  let needBy: string | null = null;
  for (const schedule of schedules) {
    if (schedule.item !== lineNumber) continue;
    if (schedule.date !== null && (needBy === null || schedule.date < needBy)) needBy = schedule.date;
  }
  // 10^-3 × 10^-9 = 10^-12; to cents: / 10^10.
  const amountCents = roundedDivision(quantity.units * price.units, priceUnit * 10n ** 10n);
  return {
    line: {
      lineNumber,
      itemId: reader.read(item, 'POITEM', 'MATERIAL', stripLeadingZeros, index),
      description: reader.read(item, 'POITEM', 'SHORT_TEXT', sapText, index),
      quantity: quantity.value,
      unitPrice: price.value / Number(priceUnit),
      uom: reader.read(item, 'POITEM', 'PO_UNIT', sapText, index),
      needBy,
    },
    deleted: reader.read(item, 'POITEM', 'DELETE_IND', sapText, index) !== '',
    delivered: reader.read(item, 'POITEM', 'NO_MORE_GR', sapFlag, index),
    amountCents,
  };
}

function statusOf(headerDeleted: boolean, items: readonly ItemFigures[]): PurchaseOrder['status'] {
  if (headerDeleted || (items.length > 0 && items.every((item) => item.deleted))) return 'cancelled';
  const remaining = items.filter((item) => !item.deleted);
  return remaining.length > 0 && remaining.every((item) => item.delivered) ? 'closed' : 'open';
}

function earliest(dates: readonly (string | null)[]): string {
  const known = dates.filter((date): date is string => date !== null).sort();
  const [first] = known;
  if (first === undefined) throw new FormatError('no schedule line has a delivery date (STAT_DATE)');
  return first;
}

/** SAP ECC `PurchaseOrder` (GETDETAIL1's parameters) ⇄ canonical PurchaseOrder. */
export const sapPurchaseOrderMapping: EntityMapping<PurchaseOrder> = {
  vendorEntity: PURCHASE_ORDER_ENTITY,

  toCanonical(record) {
    const { data } = record;
    const header = rfcStructure(data.POHEADER);
    const items = rfcTable(data.POITEM);
    const schedules = rfcTable(data.POSCHEDULE);
    const reader = new RfcFieldReader(record.key);
    let order: PurchaseOrder;
    try {
      const dates = readSchedules(reader, schedules);
      const figures = items.map((item, index) => readItem(reader, item, index, dates));
      const headerDeleted = reader.read(header, 'POHEADER', 'DELETE_IND', sapText) !== '';
      const status = statusOf(headerDeleted, figures);
      const counted = status === 'cancelled' ? figures : figures.filter((item) => !item.deleted);
      const totalCents = counted.reduce((sum, item) => sum + item.amountCents, 0n);
      const currency =
        reader.read(header, 'POHEADER', 'CURRENCY', sapText) ||
        reader.read(header, 'POHEADER', 'CURRENCY_ISO', sapText);
      order = {
        id: reader.read(header, 'POHEADER', 'PO_NUMBER', stripLeadingZeros),
        supplierId: reader.read(header, 'POHEADER', 'VENDOR', stripLeadingZeros),
        orderDate: reader.read(header, 'POHEADER', 'DOC_DATE', parseSapDate),
        needBy: reader.read(header, 'POSCHEDULE', 'STAT_DATE', () =>
          earliest(figures.map((item) => item.line.needBy)),
        ),
        totalAmount: Number(totalCents) / 100,
        currency,
        description: figures[0]?.line.description ?? '',
        notes: noteOf(rfcTable(data.POTEXTHEADER)),
        buyer: reader.read(header, 'POHEADER', 'CREATED_BY', sapText),
        status,
        priority: reader.read(header, 'POHEADER', OUR_REF, parsePriority),
        lines: figures.map((item) => item.line),
        version: record.version,
        updatedAt: null,
      };
    } catch (error) {
      throw reader.failure(error);
    }
    return validateCanonical(PurchaseOrder, 'PurchaseOrder', order, {
      entity: PURCHASE_ORDER_ENTITY,
      key: record.key,
    });
  },

  toVendorKey: (id) => padWithZeros(id, 10),

  toVendorFields(fields) {
    const { priority, notes, ...others } = fields;
    refuseOtherFields(others, 'sap-ecc', PURCHASE_ORDER_ENTITY);
    const vendor: Record<string, unknown> = {};
    if (priority !== undefined) vendor[OUR_REF] = priority === null ? '' : PRIORITY_CODES[priority];
    if (notes !== undefined) vendor[HEADER_TEXT] = notes;
    return vendor;
  },
};
