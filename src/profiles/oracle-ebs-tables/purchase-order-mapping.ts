import { PRIORITIES, type Priority, PurchaseOrder, type PurchaseOrderLine } from '../../canonical/index.ts';
import {
  readDate,
  readDecimal,
  readScaled,
  readText,
  readTimestamp,
} from '../../connectors/sql/column-values.ts';
import { ErpError } from '../../errors/index.ts';
import type { EntityMapping } from '../contract.ts';
import { FormatError } from '../legacy-formats.ts';
import { type FieldReader, lineRows, readCanonical } from '../map-fields.ts';

const ENTITY = 'purchase_orders';

/** PO_HEADERS_ALL.ATTRIBUTE1, the "Priority" flexfield segment: 1 urgent … 4 low, none for none. */
const PRIORITY_BY_CODE = new Map<string, Priority>(
  PRIORITIES.map((priority, index) => [String(index + 1), priority]),
);

/** EBS unit of measure names → the codes canonical lines carry. */
const UNIT_BY_NAME: Readonly<Record<string, string>> = {
  Each: 'EA',
  Kilogram: 'KG',
  Meter: 'M',
  Piece: 'PC',
};

/** CLOSED_CODE values; a cancelled document (CANCEL_FLAG Y) is cancelled whatever its closed code. */
const OPEN_CODES = new Set(['OPEN', 'CLOSED FOR INVOICE', 'CLOSED FOR RECEIVING']);
const CLOSED_CODES = new Set(['CLOSED', 'FINALLY CLOSED']);

function parsePriority(value: unknown): Priority | null {
  const text = readText(value);
  if (text === '') return null;
  const priority = PRIORITY_BY_CODE.get(text);
  if (priority === undefined) {
    throw new FormatError(`expected a priority code 1-4 or none, got ${JSON.stringify(value)}`);
  }
  return priority;
}

function parseClosedCode(value: unknown): 'open' | 'closed' {
  const code = readText(value).toUpperCase();
  if (OPEN_CODES.has(code)) return 'open';
  if (CLOSED_CODES.has(code)) return 'closed';
  throw new FormatError(`expected a CLOSED_CODE such as OPEN or CLOSED, got ${JSON.stringify(value)}`);
}

function requiredDate(value: unknown): string {
  const date = readDate(value);
  if (date === null) throw new FormatError('expected a date, got none');
  return date;
}

function parseLine(reader: FieldReader, line: Record<string, unknown>, index: number): PurchaseOrderLine {
  const unit = reader.read(line, 'UNIT_MEAS_LOOKUP_CODE', readText, index);
  return {
    lineNumber: reader.read(line, 'LINE_NUM', readDecimal, index),
    itemId: reader.read(line, 'ITEM_ID', readText, index),
    description: reader.read(line, 'ITEM_DESCRIPTION', readText, index),
    quantity: reader.read(line, 'QUANTITY', readDecimal, index),
    unitPrice: reader.read(line, 'UNIT_PRICE', readDecimal, index),
    uom: UNIT_BY_NAME[unit] ?? unit,
    needBy: reader.read(line, 'NEED_BY_DATE', readDate, index),
  };
}

/**
 * Oracle EBS tables (PO_HEADERS_ALL with the supplier number from AP_SUPPLIERS and the buyer's
 * user name from FND_USER; PO_LINES_ALL with the first shipment's NEED_BY_DATE as `lines`; see
 * `sql-entities.ts`) → canonical PurchaseOrder. The order number is SEGMENT1; the total is the sum
 * of quantity × unit price over the lines, computed exactly; need-by is the first line's.
 */
export const oracleEbsTablesPurchaseOrderMapping: EntityMapping<PurchaseOrder> = {
  vendorEntity: ENTITY,

  toCanonical(record) {
    const { data } = record;
    const rows = lineRows(record, ENTITY, 'PO_LINES_ALL');
    return readCanonical(PurchaseOrder, 'PurchaseOrder', ENTITY, record, (reader) => {
      const lines = rows.map((line, index) => parseLine(reader, line, index));
      const amounts = rows.map((line, index) => {
        const quantityMilli = reader.read(line, 'QUANTITY', (value) => readScaled(value, 3), index);
        const priceCents = reader.read(line, 'UNIT_PRICE', (value) => readScaled(value, 2), index);
        return Math.round((quantityMilli * priceCents) / 1000);
      });
      const [first] = lines;
      if (first?.needBy == null) throw new FormatError('the first line has no NEED_BY_DATE');
      const cancelled = reader.read(data, 'CANCEL_FLAG', readText) === 'Y';
      const closedCode = reader.read(data, 'CLOSED_CODE', parseClosedCode);
      return {
        id: reader.read(data, 'SEGMENT1', readText),
        supplierId: reader.read(data, 'VENDOR_NUM', readText),
        orderDate: reader.read(data, 'CREATION_DATE', requiredDate),
        needBy: first.needBy,
        totalAmount: amounts.reduce((sum, cents) => sum + cents, 0) / 100,
        currency: reader.read(data, 'CURRENCY_CODE', readText),
        description: reader.read(data, 'COMMENTS', readText),
        notes: reader.read(data, 'NOTE_TO_VENDOR', readText),
        buyer: reader.read(data, 'BUYER_USER_NAME', readText),
        status: cancelled ? 'cancelled' : closedCode,
        priority: reader.read(data, 'ATTRIBUTE1', parsePriority),
        lines,
        version: record.version,
        updatedAt: reader.read(data, 'LAST_UPDATE_DATE', readTimestamp),
      };
    });
  },

  toVendorKey: (id) => id,

  toVendorFields(fields) {
    const [field] = Object.keys(fields);
    throw new ErpError('validation', 'the oracle-ebs-tables profile reads EBS tables and writes nothing', {
      entity: ENTITY,
      ...(field === undefined ? {} : { field }),
      hint: 'write through EBS itself: its PO change API or the purchasing open interface',
    });
  },
};
