import { type Priority, PurchaseOrder, type PurchaseOrderLine } from '../../canonical/index.ts';
import type { RpcStruct } from '../../connectors/rpc/index.ts';
import { ErpError } from '../../errors/index.ts';
import type { EntityMapping } from '../contract.ts';
import { FormatError } from '../legacy-formats.ts';
import { type FieldReader, readCanonical, refuseOtherFields } from '../map-fields.ts';
import { needByOf, type PurchaseStates, purchaseOrderLines, purchaseStatus } from '../rpc-purchase-orders.ts';
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
} as const satisfies PurchaseStates;

const parseStatus = purchaseStatus(ODOO_PURCHASE_STATES, 'purchase order state');

/**
 * Odoo's own `priority` field on purchase orders: `'1'` Urgent (the star), `'0'` Normal. It has no
 * "high" or "low", so the odoo profile reads and writes urgent and normal only.
 */
export const ODOO_PRIORITY_CODES = { urgent: '1', normal: '0' } as const satisfies Partial<
  Record<Priority, string>
>;

function parsePriority(value: unknown): Priority | null {
  if (value === false || value === null || value === undefined) return null;
  if (value === ODOO_PRIORITY_CODES.urgent) return 'urgent';
  if (value === ODOO_PRIORITY_CODES.normal) return 'normal';
  throw new FormatError(`expected priority "0" (normal) or "1" (urgent), got ${JSON.stringify(value)}`);
}

/** Section and note rows are lines in Odoo too; only rows without a display type order something. */
function orderLine(
  reader: FieldReader,
  line: RpcStruct,
  index: number,
): Omit<PurchaseOrderLine, 'lineNumber'> | null {
  const displayType = line.display_type;
  if (displayType !== false && displayType !== undefined && displayType !== null) return null;
  const product = reader.read(line, 'product_id', relatedName, index);
  return {
    itemId: product || `line ${String(line.id)}`,
    description: reader.read(line, 'name', text, index),
    quantity: reader.read(line, 'product_qty', number, index),
    unitPrice: reader.read(line, 'price_unit', number, index),
    uom: reader.read(line, 'product_uom', relatedName, index),
    needBy: reader.read(line, 'date_planned', optionalDay, index),
  };
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
    return readCanonical(PurchaseOrder, 'PurchaseOrder', ENTITY, record, (reader) => {
      const lines = purchaseOrderLines(reader, data.order_line ?? [], 'order_line', (line, index) =>
        orderLine(reader, line, index),
      );
      const planned = reader.read(data, 'date_planned', optionalDay);
      return {
        id: record.key,
        supplierId: reader.read(data, 'partner_id', requiredRelatedId),
        orderDate: reader.read(data, 'date_order', day),
        needBy: reader.read(data, 'date_planned', () =>
          needByOf(planned, lines, 'neither the order nor its lines have a planned date'),
        ),
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
    });
  },

  toVendorKey: (id) => id,

  toVendorFields(fields) {
    const { priority, notes, ...others } = fields;
    refuseOtherFields(others, 'odoo', ENTITY);
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
