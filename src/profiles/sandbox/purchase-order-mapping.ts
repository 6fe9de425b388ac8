import { PRIORITIES, type Priority, PurchaseOrder, type PurchaseOrderLine } from '../../canonical/index.ts';
import { ErpError } from '../../errors/index.ts';
import type { EntityMapping } from '../contract.ts';
import {
  FormatError,
  padWithZeros,
  parseCompactDate,
  parseDecimal,
  stripLeadingZeros,
  trimPadded,
} from '../legacy-formats.ts';
import { type FieldReader, readCanonical, refuseOtherFields } from '../map-fields.ts';

const ENTITY = 'purchase_orders';

/** The sandbox codes priority like many legacy ERPs: 1 urgent … 4 low, blank for none. */
const PRIORITY_CODES = { urgent: '1', high: '2', normal: '3', low: '4' } as const satisfies Record<
  Priority,
  string
>;
const PRIORITY_BY_CODE = new Map<string, Priority>(
  PRIORITIES.map((priority) => [PRIORITY_CODES[priority], priority]),
);

const STATUS_BY_CODE = new Map<string, PurchaseOrder['status']>([
  ['OPEN', 'open'],
  ['CLOSED', 'closed'],
  ['CANCELLED', 'cancelled'],
]);

function parsePriority(value: unknown): Priority | null {
  const code = trimPadded(value);
  if (code === '') return null;
  const priority = PRIORITY_BY_CODE.get(code);
  if (!priority) throw new FormatError(`expected a priority code 1-4 or blank, got ${JSON.stringify(value)}`);
  return priority;
}

function parseStatus(value: unknown): PurchaseOrder['status'] {
  const status = STATUS_BY_CODE.get(trimPadded(value).toUpperCase());
  if (status) return status;
  throw new FormatError(`expected OPEN, CLOSED or CANCELLED, got ${JSON.stringify(value)}`);
}

function parseOptionalDate(value: unknown): string | null {
  return trimPadded(value) === '' ? null : parseCompactDate(value);
}

function parseLine(reader: FieldReader, raw: unknown, index: number): PurchaseOrderLine {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ErpError('validation', `line ${index + 1} is not an object`, {
      entity: ENTITY,
      key: reader.key,
      field: `lines[${index}]`,
    });
  }
  return {
    lineNumber: Number(reader.read(raw, 'line_no', stripLeadingZeros, index)),
    itemId: reader.read(raw, 'item_no', stripLeadingZeros, index),
    description: reader.read(raw, 'description', trimPadded, index),
    quantity: reader.read(raw, 'quantity', parseDecimal, index),
    unitPrice: reader.read(raw, 'unit_price', parseDecimal, index),
    uom: reader.read(raw, 'uom', trimPadded, index),
    needBy: reader.read(raw, 'need_by', parseOptionalDate, index),
  };
}

function parseTimestamp(value: unknown): string | null {
  return value === undefined || value === null ? null : String(value);
}

/** Sandbox `purchase_orders` ⇄ canonical PurchaseOrder. */
export const sandboxPurchaseOrderMapping: EntityMapping<PurchaseOrder> = {
  vendorEntity: ENTITY,

  toCanonical(record) {
    const { data } = record;
    const rawLines = data.lines ?? [];
    if (!Array.isArray(rawLines)) {
      throw new ErpError('validation', 'lines is not a list', {
        entity: ENTITY,
        key: record.key,
        field: 'lines',
      });
    }
    return readCanonical(PurchaseOrder, 'PurchaseOrder', ENTITY, record, (reader) => ({
      id: reader.read(data, 'po_number', stripLeadingZeros),
      supplierId: reader.read(data, 'supplier_id', stripLeadingZeros),
      orderDate: reader.read(data, 'order_date', parseCompactDate),
      needBy: reader.read(data, 'need_by', parseCompactDate),
      totalAmount: reader.read(data, 'total_amount', parseDecimal),
      currency: reader.read(data, 'currency', trimPadded),
      description: reader.read(data, 'description', trimPadded),
      notes: reader.read(data, 'notes', trimPadded),
      buyer: reader.read(data, 'buyer', trimPadded),
      status: reader.read(data, 'status', parseStatus),
      priority: reader.read(data, 'priority', parsePriority),
      lines: rawLines.map((line, index) => parseLine(reader, line, index)),
      version: record.version,
      updatedAt: reader.read(data, 'updated_at', parseTimestamp),
    }));
  },

  toVendorKey: (id) => padWithZeros(id, 10),

  toVendorFields(fields) {
    const { priority, notes, ...others } = fields;
    refuseOtherFields(others, 'sandbox', ENTITY);
    const vendor: Record<string, unknown> = {};
    if (priority !== undefined) vendor.priority = priority === null ? '' : PRIORITY_CODES[priority];
    if (notes !== undefined) vendor.notes = notes;
    return vendor;
  },
};
