import { PurchaseOrder, type PurchaseOrderLine } from '../../canonical/index.ts';
import { isRpcStruct } from '../../connectors/rpc/index.ts';
import { ErpError } from '../../errors/index.ts';
import type { EntityMapping } from '../contract.ts';
import { FormatError } from '../legacy-formats.ts';
import { FieldReader, validateCanonical } from '../map-fields.ts';
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
} as const satisfies Record<PurchaseOrder['status'], readonly string[]>;

const STATUS_BY_STATE = new Map<string, PurchaseOrder['status']>(
  Object.entries(TRYTON_PURCHASE_STATES).flatMap(([status, states]) =>
    states.map((state): [string, PurchaseOrder['status']] => [
      state,
      PurchaseOrder.shape.status.parse(status),
    ]),
  ),
);

/** The Tryton field erpbridge keeps urgency in: Tryton lets a person edit it in every state. */
export const TRYTON_URGENCY_FIELD = 'reference';

function parseStatus(value: unknown): PurchaseOrder['status'] {
  const status = typeof value === 'string' ? STATUS_BY_STATE.get(value) : undefined;
  if (status === undefined) {
    throw new FormatError(
      `expected a purchase state (${[...STATUS_BY_STATE.keys()].join(', ')}), got ${JSON.stringify(value)}`,
    );
  }
  return status;
}

/** The purchase's delivery date, else its earliest line's: Tryton plans receipts from either. */
function needByOf(header: string | null, earliestLine: string | undefined): string {
  const needBy = header ?? earliestLine;
  if (needBy === undefined) throw new FormatError('neither the purchase nor its lines have a delivery date');
  return needBy;
}

/** The date part of Tryton's create_date (a datetime). */
function createdOn(value: unknown): string {
  const created = optionalDateTime(value);
  if (created === null) throw new FormatError('expected the creation date and time');
  return created.slice(0, 10);
}

/** Tryton keeps comment, title and subtotal lines among the order lines; only `line` lines are goods or services. */
function orderLines(reader: FieldReader, raw: unknown): PurchaseOrderLine[] {
  if (!Array.isArray(raw)) {
    throw new ErpError('validation', 'lines is not a list; is the lines child read configured?', {
      entity: ENTITY,
      key: reader.key,
      field: 'lines',
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
    const data = withRelatedFields(line);
    if ((data.type ?? 'line') !== 'line') return;
    const product = reader.read(data, 'product.code', text, index);
    lines.push({
      lineNumber: lines.length + 1,
      itemId: product || `line ${String(data.id)}`,
      description: reader.read(data, 'description', text, index),
      quantity: reader.read(data, 'quantity', decimalNumber, index),
      // A draft line may have no price yet; it counts as nothing until a buyer sets one.
      unitPrice: reader.read(
        data,
        'unit_price',
        (value) => (value === null ? 0 : decimalNumber(value)),
        index,
      ),
      uom: reader.read(data, 'unit.symbol', text, index),
      needBy: reader.read(data, 'delivery_date', optionalIsoDate, index),
    });
  });
  return lines;
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
    const reader = new FieldReader(ENTITY, record.key);
    let order: PurchaseOrder;
    try {
      const lines = orderLines(reader, data.lines ?? []);
      const lineDates = lines.flatMap((line) => (line.needBy === null ? [] : [line.needBy])).sort();
      const headerNeedBy = reader.read(data, 'delivery_date', optionalIsoDate);
      const purchaseDate = reader.read(data, 'purchase_date', optionalIsoDate);
      order = {
        id: record.key,
        supplierId: reader.read(data, 'party.code', requiredText),
        orderDate: purchaseDate ?? reader.read(data, 'create_date', createdOn),
        needBy: reader.read(data, 'delivery_date', () => needByOf(headerNeedBy, lineDates[0])),
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
      throw new ErpError('validation', `field ${readOnly} is not writable in the tryton profile`, {
        entity: ENTITY,
        field: readOnly,
      });
    }
    const vendor: Record<string, unknown> = {};
    if (priority !== undefined) vendor[TRYTON_URGENCY_FIELD] = priority;
    if (notes !== undefined) vendor.comment = notes;
    return vendor;
  },
};
