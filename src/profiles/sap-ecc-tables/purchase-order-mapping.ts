import { PRIORITIES, type Priority, PurchaseOrder, type PurchaseOrderLine } from '../../canonical/index.ts';
import { readDecimal, readScaled, readText } from '../../connectors/sql/column-values.ts';
import { ErpError } from '../../errors/index.ts';
import type { EntityMapping } from '../contract.ts';
import {
  FormatError,
  padWithZeros,
  parseCompactDate,
  stripLeadingZeros,
  trimPadded,
} from '../legacy-formats.ts';
import { type FieldReader, lineRows, readCanonical } from '../map-fields.ts';

const ENTITY = 'purchase_orders';

/** EKKO-UNSEZ ("Our Reference") holds the priority the buyers set: 1 urgent … 4 low, blank for none. */
const PRIORITY_BY_CODE = new Map<string, Priority>(
  PRIORITIES.map((priority, index) => [String(index + 1), priority]),
);

/** SAP's internal units back to the sandbox's: a piece is `ST` (Stück) inside SAP. */
const UNIT_BY_MEINS: Readonly<Record<string, string>> = { ST: 'PC' };

function parsePriority(value: unknown): Priority | null {
  const code = trimPadded(value);
  if (code === '') return null;
  const priority = PRIORITY_BY_CODE.get(code);
  if (priority === undefined)
    throw new FormatError(`expected a priority code 1-4 or blank, got ${JSON.stringify(value)}`);
  return priority;
}

/** A DATS value; `00000000` (SAP's initial date) is none. */
function parseOptionalDats(value: unknown): string | null {
  const text = trimPadded(value);
  return text === '' || /^0+$/.test(text) ? null : parseCompactDate(text);
}

/** `20261104101530` (CDHDR UDATE‖UTIME) → `2026-11-04T10:15:30Z`. */
function parseChangeTime(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = trimPadded(value);
  const match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text);
  if (match === null)
    throw new FormatError(`expected UDATE and UTIME as YYYYMMDDHHMMSS, got ${JSON.stringify(value)}`);
  return `${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}Z`;
}

function parseLine(reader: FieldReader, line: Record<string, unknown>, index: number): PurchaseOrderLine {
  const meins = reader.read(line, 'MEINS', trimPadded, index);
  const priceUnit = reader.read(line, 'PEINH', readDecimal, index);
  return {
    lineNumber: Number(reader.read(line, 'EBELP', stripLeadingZeros, index)),
    itemId: reader.read(line, 'MATNR', stripLeadingZeros, index),
    description: reader.read(line, 'TXZ01', readText, index),
    quantity: reader.read(line, 'MENGE', readDecimal, index),
    unitPrice: reader.read(line, 'NETPR', readDecimal, index) / (priceUnit > 0 ? priceUnit : 1),
    uom: UNIT_BY_MEINS[meins] ?? meins,
    needBy: reader.read(line, 'EINDT', parseOptionalDats, index),
  };
}

/**
 * SAP ECC tables (EKKO with its EKPO items, each item's first EKET schedule line, the CDHDR change
 * time and the ZMM_PO_NOTE header note; see `sql-entities.ts`) → canonical PurchaseOrder. The
 * header has no need-by date, total or description of its own: they are the first item's delivery
 * date, the sum of the items' net values (exactly, in cents) and the first item's short text. An
 * order is cancelled when its deletion indicator is `L`, closed when every item is delivered
 * (ELIKZ `X`).
 */
export const sapEccTablesPurchaseOrderMapping: EntityMapping<PurchaseOrder> = {
  vendorEntity: ENTITY,

  toCanonical(record) {
    const { data } = record;
    const rows = lineRows(record, ENTITY, 'EKPO');
    return readCanonical(PurchaseOrder, 'PurchaseOrder', ENTITY, record, (reader) => {
      const lines = rows.map((line, index) => parseLine(reader, line, index));
      const netValues = rows.map((line, index) =>
        reader.read(line, 'NETWR', (value) => readScaled(value, 2), index),
      );
      const deliveredAll = rows.length > 0 && rows.every((line) => trimPadded(line.ELIKZ) === 'X');
      const [first] = lines;
      if (first?.needBy == null) throw new FormatError('the first item has no delivery date (EKET-EINDT)');
      return {
        id: reader.read(data, 'EBELN', stripLeadingZeros),
        supplierId: reader.read(data, 'LIFNR', stripLeadingZeros),
        orderDate: reader.read(data, 'BEDAT', parseCompactDate),
        needBy: first.needBy,
        totalAmount: netValues.reduce((sum, cents) => sum + cents, 0) / 100,
        currency: reader.read(data, 'WAERS', trimPadded),
        description: first.description,
        notes: reader.read(data, 'NOTE', readText),
        buyer: reader.read(data, 'ERNAM', trimPadded),
        status:
          reader.read(data, 'LOEKZ', trimPadded) === 'L' ? 'cancelled' : deliveredAll ? 'closed' : 'open',
        priority: reader.read(data, 'UNSEZ', parsePriority),
        lines,
        version: record.version,
        updatedAt: reader.read(data, 'CHANGED_AT', parseChangeTime),
      };
    });
  },

  toVendorKey: (id) => padWithZeros(id, 10),

  toVendorFields(fields) {
    const [field] = Object.keys(fields);
    throw new ErpError('validation', 'the sap-ecc-tables profile reads SAP tables and writes nothing', {
      entity: ENTITY,
      ...(field === undefined ? {} : { field }),
      hint: 'write a priority back through SAP itself (BAPI_PO_CHANGE over RFC or SOAP, field EKKO-UNSEZ)',
    });
  },
};
