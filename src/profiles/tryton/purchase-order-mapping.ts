import { PurchaseOrder, type PurchaseOrderLine } from '../../canonical/index.ts';
import type { RpcStruct } from '../../connectors/rpc/index.ts';
import type { EntityMapping } from '../contract.ts';
import { FormatError } from '../legacy-formats.ts';
import { type FieldReader, readCanonical, refuseOtherFields } from '../map-fields.ts';
import { needByOf, type PurchaseStates, purchaseOrderLines, purchaseStatus } from '../rpc-purchase-orders.ts';
import {
  decimalNumber,
  optionalDateTime,
  optionalIsoDate,
  requiredText,
  text,
  urgencyLabel,
  withRelatedFields,
} from './tryton-values.ts';

const ENTITY = 'purchase_orders';

/**
 * Which Tryton purchase states count as what: a purchase is open from draft until Tryton marks it
 * done (all received and invoiced), closed when done, and cancelled when cancelled.
 */
export const TRYTON_PURCHASE_STATES = {
  open: ['draft', 'quotation', 'confirmed', 'processing'],
  closed: ['done'],
  cancelled: ['cancelled'],
} as const satisfies PurchaseStates;

const parseStatus = purchaseStatus(TRYTON_PURCHASE_STATES, 'purchase state');

/** The Tryton field erpbridge keeps urgency in: Tryton lets a person edit it in every state. */
export const TRYTON_URGENCY_FIELD = 'reference';

/** The date part of Tryton's create_date (a datetime). */
function createdOn(value: unknown): string {
  const created = optionalDateTime(value);
  if (created === null) throw new FormatError('expected the creation date and time');
  return created.slice(0, 10);
}

/** Tryton keeps comment, title and subtotal lines among the order lines; only `line` lines are goods or services. */
function orderLine(
  reader: FieldReader,
  line: RpcStruct,
  index: number,
): Omit<PurchaseOrderLine, 'lineNumber'> | null {
  const data = withRelatedFields(line);
  if ((data.type ?? 'line') !== 'line') return null;
  const product = reader.read(data, 'product.code', text, index);
  return {
    itemId: product || `line ${String(data.id)}`,
    description: reader.read(data, 'description', text, index),
    quantity: reader.read(data, 'quantity', decimalNumber, index),
    // A draft line may have no price yet; it counts as nothing until a buyer sets one.
    unitPrice: reader.read(data, 'unit_price', (value) => (value === null ? 0 : decimalNumber(value)), index),
    uom: reader.read(data, 'unit.symbol', text, index),
    needBy: reader.read(data, 'delivery_date', optionalIsoDate, index),
  };
}

/**
 * Tryton `purchase.purchase` (with its `purchase.line` records under `lines`) ⇄ canonical
 * PurchaseOrder. The canonical id is Tryton's record id (drafts have no number yet); the number,
 * when there is one, stays in the record as read.
 *
 * - supplier: the party's code; need-by: the purchase's delivery date, else the earliest line's;
 *   order date: the purchase date, else the day it was created.
 * - priority: the urgency label in `reference` (see {@link TRYTON_URGENCY_FIELD}); notes: `comment`.
 * - total: `total_amount`, an exact Decimal in Tryton, a number here.
 */
export const trytonPurchaseOrderMapping: EntityMapping<PurchaseOrder> = {
  vendorEntity: ENTITY,

  toCanonical(record) {
    const data = withRelatedFields(record.data);
    return readCanonical(PurchaseOrder, 'PurchaseOrder', ENTITY, record, (reader) => {
      const lines = purchaseOrderLines(reader, data.lines ?? [], 'lines', (line, index) =>
        orderLine(reader, line, index),
      );
      const headerNeedBy = reader.read(data, 'delivery_date', optionalIsoDate);
      const purchaseDate = reader.read(data, 'purchase_date', optionalIsoDate);
      return {
        id: record.key,
        supplierId: reader.read(data, 'party.code', requiredText),
        orderDate: purchaseDate ?? reader.read(data, 'create_date', createdOn),
        // Tryton plans receipts from the purchase's delivery date, else from its lines'.
        needBy: reader.read(data, 'delivery_date', () =>
          needByOf(headerNeedBy, lines, 'neither the purchase nor its lines have a delivery date'),
        ),
        totalAmount: reader.read(data, 'total_amount', decimalNumber),
        currency: reader.read(data, 'currency.code', requiredText),
        description: reader.read(data, 'description', text),
        notes: reader.read(data, 'comment', text),
        buyer: reader.read(data, 'create_uid.login', text),
        status: reader.read(data, 'state', parseStatus),
        priority: reader.read(data, TRYTON_URGENCY_FIELD, urgencyLabel),
        lines,
        version: record.version,
        updatedAt:
          reader.read(data, 'write_date', optionalDateTime) ??
          reader.read(data, 'create_date', optionalDateTime),
      };
    });
  },

  toVendorKey: (id) => id,

  toVendorFields(fields) {
    const { priority, notes, ...others } = fields;
    refuseOtherFields(others, 'tryton', ENTITY);
    const vendor: Record<string, unknown> = {};
    if (priority !== undefined) vendor[TRYTON_URGENCY_FIELD] = priority;
    if (notes !== undefined) vendor.comment = notes;
    return vendor;
  },
};
