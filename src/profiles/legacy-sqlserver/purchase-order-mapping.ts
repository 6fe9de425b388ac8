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
import { FormatError, stripLeadingZeros } from '../legacy-formats.ts';
import { type FieldReader, lineRows, readCanonical } from '../map-fields.ts';

const ENTITY = 'purchase_orders';

/** SQL Server's smallest DATETIME, which these tables write for "no date". */
const NULL_DATE = '1753-01-01';

/** ORDER_UD_FLAG holds the priority code: 1 urgent … 4 low, blank for none. */
const PRIORITY_BY_CODE = new Map<string, Priority>(
  PRIORITIES.map((priority, index) => [String(index + 1), priority]),
);

/** CLOSED_FLAG: blank open, Y closed, V voided. */
const STATUS_BY_FLAG = new Map<string, PurchaseOrder['status']>([
  ['', 'open'],
  ['Y', 'closed'],
  ['V', 'cancelled'],
]);

function parsePriority(value: unknown): Priority | null {
  const code = readText(value);
  if (code === '') return null;
  const priority = PRIORITY_BY_CODE.get(code);
  if (priority === undefined)
    throw new FormatError(`expected a priority code 1-4 or blank, got ${JSON.stringify(value)}`);
  return priority;
}

function parseStatus(value: unknown): PurchaseOrder['status'] {
  const status = STATUS_BY_FLAG.get(readText(value).toUpperCase());
  if (status === undefined)
    throw new FormatError(`expected CLOSED_FLAG blank, Y or V, got ${JSON.stringify(value)}`);
  return status;
}

function optionalDate(value: unknown): string | null {
  return readDate(value, NULL_DATE);
}

function requiredDate(value: unknown): string {
  const date = readDate(value, NULL_DATE);
  if (date === null) throw new FormatError(`expected a date, got ${JSON.stringify(value)} (no date)`);
  return date;
}

function parseLine(reader: FieldReader, line: Record<string, unknown>, index: number): PurchaseOrderLine {
  return {
    lineNumber: reader.read(line, 'LINE_#', readDecimal, index),
    itemId: reader.read(line, 'SPRNUM', stripLeadingZeros, index),
    description: reader.read(line, 'DESCRIPTION', readText, index),
    quantity: reader.read(line, 'QTY_ORD', readDecimal, index),
    unitPrice: reader.read(line, 'PRICE_EA', readDecimal, index),
    uom: reader.read(line, 'UOM_CODE', readText, index),
    needBy: reader.read(line, 'DELIV_DATE', optionalDate, index),
  };
}

/**
 * The legacy SQL Server tables (POHEADER with the vendor's CURRENCY, PODETAIL as `lines`; see
 * `sql-entities.ts`) → canonical PurchaseOrder. `1753-01-01` reads as no date; blank-padded text is
 * trimmed; the header has no description, so the first line's is used.
 */
export const legacySqlServerPurchaseOrderMapping: EntityMapping<PurchaseOrder> = {
  vendorEntity: ENTITY,

  toCanonical(record) {
    const { data } = record;
    const rows = lineRows(record, ENTITY, 'PODETAIL');
    return readCanonical(PurchaseOrder, 'PurchaseOrder', ENTITY, record, (reader) => {
      const lines = rows.map((line, index) => parseLine(reader, line, index));
      return {
        id: reader.read(data, 'PO_#', readText),
        supplierId: reader.read(data, 'VENDOR_ID', stripLeadingZeros),
        orderDate: reader.read(data, 'ORDER_DATE', requiredDate),
        needBy: reader.read(data, 'DATE_REQUIRED', requiredDate),
        totalAmount: reader.read(data, 'POTotal', (value) => readScaled(value, 2)) / 100,
        currency: reader.read(data, 'CURRENCY', readText),
        description: lines[0]?.description ?? '',
        notes: reader.read(data, 'Notes', readText),
        buyer: reader.read(data, 'REQUEST_BY', readText),
        status: reader.read(data, 'CLOSED_FLAG', parseStatus),
        priority: reader.read(data, 'ORDER_UD_FLAG', parsePriority),
        lines,
        version: record.version,
        updatedAt: reader.read(data, 'ChangedDate', readTimestamp),
      };
    });
  },

  toVendorKey: (id) => id,

  toVendorFields(fields) {
    const [field] = Object.keys(fields);
    throw new ErpError('validation', 'the legacy-sqlserver profile reads the tables and writes nothing', {
      entity: ENTITY,
      ...(field === undefined ? {} : { field }),
      hint: "write through the application's own import or API, so its business logic runs",
    });
  },
};
