import { type Priority, PurchaseOrder, type PurchaseOrderLine } from '../../canonical/index.ts';
import { isRpcStruct } from '../../connectors/rpc/index.ts';
import { ErpError } from '../../errors/index.ts';
import type { EntityMapping } from '../contract.ts';
import { FormatError } from '../legacy-formats.ts';
import { FieldReader, validateCanonical } from '../map-fields.ts';
import {
  day,
  number,
  optionalDateTime,
  optionalDay,
  plainText,
  relatedName,
  requiredRelatedId,
  text,
} from './odoo-values.ts';

const ENTITY = 'purchase_orders';

/**
 * Which `purchase.order` states count as what: requests for quotation (draft, sent, waiting for
 * approval) and confirmed orders are open; an order Odoo locked when everything was received and
 * billed is closed (`done`); `cancel` is cancelled.
 */
export const ODOO_PURCHASE_STATES = {
  open: ['draft', 'sent', 'to approve', 'purchase'],
  closed: ['done'],
  cancelled: ['cancel'],
} as const satisfies Record<PurchaseOrder['status'], readonly string[]>;

const STATUS_BY_STATE = new Map<string, PurchaseOrder['status']>(
  Object.entries(ODOO_PURCHASE_STATES).flatMap(([status, states]) =>
    states.map((state): [string, PurchaseOrder['status']] => [
      state,
      PurchaseOrder.shape.status.parse(status),
    ]),
  ),
);

/**
 * Odoo's own `priority` field on purchase orders: `'1'` Urgent (the star), `'0'` Normal. It has no
 * "high" or "low", so the odoo profile reads and writes urgent and normal only.
 */
export const ODOO_PRIORITY_CODES = { urgent: '1', normal: '0' } as const satisfies Partial<
  Record<Priority, string>
>;

function parseStatus(value: unknown): PurchaseOrder['status'] {
  const status = typeof value === 'string' ? STATUS_BY_STATE.get(value) : undefined;
  if (status === undefined) {
    throw new FormatError(
      `expected a purchase order state (${[...STATUS_BY_STATE.keys()].join(', ')}), got ${JSON.stringify(value)}`,
    );
  }
  return status;
}

function parsePriority(value: unknown): Priority | null {
  if (value === false || value === null || value === undefined) return null;
  if (value === ODOO_PRIORITY_CODES.urgent) return 'urgent';
  if (value === ODOO_PRIORITY_CODES.normal) return 'normal';
  throw new FormatError(`expected priority "0" (normal) or "1" (urgent), got ${JSON.stringify(value)}`);
}

/** Section and note rows are lines in Odoo too; only rows without a display type order something. */
function orderLines(reader: FieldReader, raw: unknown): PurchaseOrderLine[] {
  if (!Array.isArray(raw)) {
    throw new ErpError('validation', 'order_line is not a list; is the order_line child read configured?', {
      entity: ENTITY,
      key: reader.key,
      field: 'order_line',
    });
  }
  const lines: PurchaseOrderLine[] = [];
  raw.forEach((line, index) => {
    if (!isRpcStruct(line)) {
      throw new ErpError('validation', `line ${index + 1} is not a record`, {
        entity: ENTITY,
        key: reader.key,
        field: `lines[${index}]`,
      });
    }
    if (line.display_type !== false && line.display_type !== undefined && line.display_type !== null) return;
    const product = reader.read(line, 'product_id', relatedName, index);
    lines.push({
      lineNumber: lines.length + 1,
      itemId: product || `line ${String(line.id)}`,
      description: reader.read(line, 'name', text, index),
      quantity: reader.read(line, 'product_qty', number, index),
      unitPrice: reader.read(line, 'price_unit', number, index),
      uom: reader.read(line, 'product_uom', relatedName, index),
      needBy: reader.read(line, 'date_planned', optionalDay, index),
    });
  });
  return lines;
}

/**
 * Odoo `purchase.order` (lines from `purchase.order.line` under `order_line`) ⇄ canonical
 * PurchaseOrder. The canonical id is Odoo's record id; supplier the partner's id; need-by the
 * expected arrival (`date_planned`), else the earliest line's; description the first line's;
 * notes the terms (`notes`, HTML in Odoo 16+, read as text); priority Odoo's own star.
 */
export const odooPurchaseOrderMapping: EntityMapping<PurchaseOrder> = {
  vendorEntity: ENTITY,

  toCanonical(record) {
    const { data } = record;
    const reader = new FieldReader(ENTITY, record.key);
    let order: PurchaseOrder;
    try {
      const lines = orderLines(reader, data.order_line ?? []);
      const lineDates = lines.flatMap((line) => (line.needBy === null ? [] : [line.needBy])).sort();
      const planned = reader.read(data, 'date_planned', optionalDay);
      order = {
        id: record.key,
        supplierId: reader.read(data, 'partner_id', requiredRelatedId),
        orderDate: reader.read(data, 'date_order', day),
        needBy: reader.read(data, 'date_planned', () => {
          const needBy = planned ?? lineDates[0];
          if (needBy === undefined)
            throw new FormatError('neither the order nor its lines have a planned date');
          return needBy;
        }),
        totalAmount: reader.read(data, 'amount_total', number),
        currency: reader.read(data, 'currency_id', relatedName),
        description: lines[0]?.description ?? '',
        notes: reader.read(data, 'notes', plainText),
        buyer: reader.read(data, 'user_id', relatedName),
        status: reader.read(data, 'state', parseStatus),
        priority: reader.read(data, 'priority', parsePriority),
        lines,
        version: record.version,
        updatedAt: reader.read(data, 'write_date', optionalDateTime),
      };
    } catch (error) {
      throw reader.failure(error);
    }
    return validateCanonical(PurchaseOrder, 'PurchaseOrder', order, { entity: ENTITY, key: record.key });
  },

  toVendorKey: (id) => id,

  toVendorFields(fields) {
    const { priority, notes, ...others } = fields;
    const [readOnly] = Object.keys(others);
    if (readOnly !== undefined) {
      throw new ErpError('validation', `field ${readOnly} is not writable in the odoo profile`, {
        entity: ENTITY,
        field: readOnly,
      });
    }
    const vendor: Record<string, unknown> = {};
    if (priority !== undefined) {
      // Odoo cannot leave priority unset: "no priority" is Normal there.
      const label = priority ?? 'normal';
      if (label !== 'urgent' && label !== 'normal') {
        throw new ErpError(
          'validation',
          `Odoo's purchase priority knows urgent and normal only; "${label}" cannot be written`,
          { entity: ENTITY, field: 'priority' },
        );
      }
      vendor.priority = ODOO_PRIORITY_CODES[label];
    }
    if (notes !== undefined) vendor.notes = notes;
    return vendor;
  },
};
