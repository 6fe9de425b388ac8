import { PRIORITIES, type Priority, PurchaseOrder, type PurchaseOrderLine } from '../../canonical/index.ts';
import type { VendorRecord } from '../../connectors/contract.ts';
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
import { readField } from '../map-fields.ts';

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

function parseLine(record: VendorRecord, raw: unknown, index: number): PurchaseOrderLine {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ErpError('validation', `line ${index + 1} is not an object`, {
      entity: ENTITY,
      key: record.key,
      field: `lines[${index}]`,
    });
  }
  const line = { key: record.key, data: Object.fromEntries(Object.entries(raw)) };
  const at = (field: string) => `lines[${index}].${field}`;
  return {
    lineNumber: readField(line, ENTITY, at('line_no'), () => Number(stripLeadingZeros(line.data.line_no))),
    itemId: readField(line, ENTITY, at('item_no'), () => stripLeadingZeros(line.data.item_no)),
    description: readField(line, ENTITY, at('description'), () => trimPadded(line.data.description)),
    quantity: readField(line, ENTITY, at('quantity'), () => parseDecimal(line.data.quantity)),
    unitPrice: readField(line, ENTITY, at('unit_price'), () => parseDecimal(line.data.unit_price)),
    uom: readField(line, ENTITY, at('uom'), () => trimPadded(line.data.uom)),
    needBy: readField(line, ENTITY, at('need_by'), () => parseOptionalDate(line.data.need_by)),
  };
}

/** Sandbox `purchase_orders` ⇄ canonical PurchaseOrder. */
export const sandboxPurchaseOrderMapping: EntityMapping<PurchaseOrder> = {
  vendorEntity: ENTITY,

  toCanonical(record) {
    const field = <T>(name: string, convert: (value: unknown) => T) =>
      readField(record, ENTITY, name, convert);
    const rawLines = record.data.lines ?? [];
    if (!Array.isArray(rawLines)) {
      throw new ErpError('validation', 'lines is not a list', {
        entity: ENTITY,
        key: record.key,
        field: 'lines',
      });
    }
    const order = {
      id: field('po_number', stripLeadingZeros),
      supplierId: field('supplier_id', stripLeadingZeros),
      orderDate: field('order_date', parseCompactDate),
      needBy: field('need_by', parseCompactDate),
      totalAmount: field('total_amount', parseDecimal),
      currency: field('currency', trimPadded),
      description: field('description', trimPadded),
      notes: field('notes', trimPadded),
      buyer: field('buyer', trimPadded),
      status: field('status', parseStatus),
      priority: field('priority', parsePriority),
      lines: rawLines.map((line, index) => parseLine(record, line, index)),
      version: record.version,
      updatedAt: field('updated_at', (value) =>
        value === undefined || value === null ? null : String(value),
      ),
    };
    const parsed = PurchaseOrder.safeParse(order);
    if (!parsed.success) {
      const [issue] = parsed.error.issues;
      throw new ErpError('validation', `record does not fit PurchaseOrder: ${issue?.message ?? 'invalid'}`, {
        entity: ENTITY,
        key: record.key,
        field: issue?.path.join('.') ?? '',
      });
    }
    return parsed.data;
  },

  toVendorKey: (id) => padWithZeros(id, 10),

  toVendorFields(fields) {
    const { priority, notes, ...others } = fields;
    const [readOnly] = Object.keys(others);
    if (readOnly !== undefined) {
      throw new ErpError('validation', `field ${readOnly} is not writable in the sandbox profile`, {
        entity: ENTITY,
        field: readOnly,
      });
    }
    const vendor: Record<string, unknown> = {};
    if (priority !== undefined) vendor.priority = priority === null ? '' : PRIORITY_CODES[priority];
    if (notes !== undefined) vendor.notes = notes;
    return vendor;
  },
};
