import { PRIORITIES, type Priority, PurchaseOrder, type PurchaseOrderLine } from '../../canonical/index.ts';
import { ErpError } from '../../errors/index.ts';
import type { EntityMapping } from '../contract.ts';
import { FormatError, padWithZeros, stripLeadingZeros } from '../legacy-formats.ts';
import { type FieldReader, readCanonical } from '../map-fields.ts';
import {
  axCents,
  axDate,
  axDecimal,
  axEntities,
  axOptionalDate,
  axRequiredText,
  axText,
} from './ax-values.ts';

/**
 * Dynamics AX 2012 purchase orders (the AIF PurchaseOrder document: a `PurchTable` entity with its
 * `PurchLine` and `DocuRefHeader` children) ⇄ canonical PurchaseOrder. See docs/erp/dynamics-ax.md.
 */

/** The AX table the binding reads and writes purchase orders as. */
export const AX_PURCHASE_ORDER_ENTITY = 'PurchTable';

/**
 * AX 2012 has no purchase order priority. Urgency lives in the order's purchase order pool
 * (`PurchPoolId`): pools are AX's own way to group orders for follow-up, a buyer can change an
 * order's pool at any time, and the field is in the standard PurchaseOrder document. One pool per
 * priority, created under Procurement and sourcing > Setup > Purchase orders > Purchase order pools.
 */
export const AX_URGENCY_POOLS = {
  urgent: 'URGENT',
  high: 'HIGH',
  normal: 'NORMAL',
  low: 'LOW',
} as const satisfies Record<Priority, string>;

const PRIORITY_BY_POOL = new Map<string, Priority>(
  PRIORITIES.map((priority) => [AX_URGENCY_POOLS[priority], priority]),
);

/**
 * PurchStatus (enum PurchStatus) → canonical status: an order is open until received, closed once
 * received or invoiced, cancelled when canceled. `None` is AX's "Open order" (not yet confirmed).
 */
export const AX_PURCH_STATUSES = {
  open: ['None', 'Backorder'],
  closed: ['Received', 'Invoiced'],
  cancelled: ['Canceled'],
} as const satisfies Record<PurchaseOrder['status'], readonly string[]>;

const STATUS_BY_PURCH_STATUS = new Map<string, PurchaseOrder['status']>(
  Object.entries(AX_PURCH_STATUSES).flatMap(([status, values]) =>
    values.map((value): [string, PurchaseOrder['status']] => [
      value.toLowerCase(),
      PurchaseOrder.shape.status.parse(status),
    ]),
  ),
);

/**
 * AX unit symbols (UnitOfMeasure) → the unit codes canonical lines carry (those of the sandbox's
 * REST API and SAP: EA, PC, KG, M). Symbols not listed are upper-cased.
 */
export const AX_UNIT_CODES: Readonly<Record<string, string>> = { ea: 'EA', pcs: 'PC', kg: 'KG', m: 'M' };

/**
 * Canonical line numbers are SAP-style item numbers (10, 20, …), as the REST sandbox and SAP
 * number lines; AX numbers its lines 1, 2, 3 (`LineNumber`, a real). Line n is item 10·n.
 */
export const AX_LINE_NUMBER_STEP = 10;

/** Numeric PurchIds are kept zero-padded to this width (the number sequence's format). */
const PURCH_ID_WIDTH = 10;

/** The vendor field names `toVendorFields` writes; `DocuRefHeader.Notes` is the header note's text. */
export const AX_NOTES_FIELD = 'DocuRefHeader.Notes';

function parsePool(value: unknown): Priority | null {
  const pool = axText(value).toUpperCase();
  if (pool === '') return null;
  const priority = PRIORITY_BY_POOL.get(pool);
  if (priority === undefined) {
    throw new FormatError(
      `purchase order pool ${JSON.stringify(value)} is none of the urgency pools ${Object.values(AX_URGENCY_POOLS).join(', ')}`,
    );
  }
  return priority;
}

function parseStatus(value: unknown): PurchaseOrder['status'] {
  const status = STATUS_BY_PURCH_STATUS.get(axText(value).toLowerCase());
  if (status === undefined) {
    const known = Object.values(AX_PURCH_STATUSES).flat().join(', ');
    throw new FormatError(`expected a PurchStatus (${known}), got ${JSON.stringify(value)}`);
  }
  return status;
}

function parseLineNumber(value: unknown): number {
  const number = Math.round(axDecimal(value) * AX_LINE_NUMBER_STEP * 1000) / 1000;
  if (!Number.isInteger(number) || number <= 0) {
    throw new FormatError(`expected a LineNumber such as 1 or 2.5, got ${JSON.stringify(value)}`);
  }
  return number;
}

function parseUnit(value: unknown): string {
  const symbol = axText(value);
  return AX_UNIT_CODES[symbol.toLowerCase()] ?? symbol.toUpperCase();
}

/** The internal note of the order header: the first DocuRefHeader of type Note. */
function headerNote(value: unknown): string {
  const notes = axEntities(value).filter((entry) => axText(entry.TypeId).toLowerCase() === 'note');
  return axText(notes[0]?.Notes);
}

function parseLines(reader: FieldReader, value: unknown): PurchaseOrderLine[] {
  const lines = axEntities(value).map((line, index) => ({
    lineNumber: reader.read(line, 'LineNumber', parseLineNumber, index),
    itemId: reader.read(line, 'ItemId', (item) => stripLeadingZeros(axRequiredText(item)), index),
    description: reader.read(line, 'Name', axText, index),
    quantity: reader.read(line, 'PurchQty', axDecimal, index),
    unitPrice: reader.read(line, 'PurchPrice', axDecimal, index),
    uom: reader.read(line, 'PurchUnit', parseUnit, index),
    needBy: reader.read(line, 'DeliveryDate', axOptionalDate, index),
  }));
  return lines.sort((left, right) => left.lineNumber - right.lineNumber);
}

/** Σ LineAmount, in cents, so the total is exact. */
function totalOf(reader: FieldReader, value: unknown): number {
  let cents = 0;
  axEntities(value).forEach((line, index) => {
    cents += reader.read(line, 'LineAmount', axCents, index);
  });
  return cents / 100;
}

/** Dynamics AX `PurchTable` ⇄ canonical PurchaseOrder. */
export const dynamicsAxPurchaseOrderMapping: EntityMapping<PurchaseOrder> = {
  vendorEntity: AX_PURCHASE_ORDER_ENTITY,

  toCanonical(record) {
    const { data } = record;
    return readCanonical(PurchaseOrder, 'PurchaseOrder', AX_PURCHASE_ORDER_ENTITY, record, (reader) => {
      const lines = parseLines(reader, data.PurchLine);
      return {
        id: reader.read(data, 'PurchId', (value) => stripLeadingZeros(axRequiredText(value))),
        supplierId: reader.read(data, 'OrderAccount', (value) => stripLeadingZeros(axRequiredText(value))),
        orderDate: reader.read(data, 'AccountingDate', axDate),
        needBy: reader.read(data, 'DeliveryDate', axDate),
        totalAmount: totalOf(reader, data.PurchLine),
        currency: reader.read(data, 'CurrencyCode', axText),
        // AX's header has no description; the first line's name is the order's, as in the REST sandbox.
        description: lines[0]?.description ?? '',
        notes: reader.read(data, 'DocuRefHeader', headerNote),
        buyer: reader.read(data, 'WorkerPurchPlacer', axText),
        status: reader.read(data, 'PurchStatus', parseStatus),
        priority: reader.read(data, 'PurchPoolId', parsePool),
        lines,
        version: record.version,
        updatedAt: null,
      };
    });
  },

  toVendorKey: (id) => padWithZeros(id, PURCH_ID_WIDTH),

  toVendorFields(fields) {
    const { priority, notes, ...others } = fields;
    const [readOnly] = Object.keys(others);
    if (readOnly !== undefined) {
      throw new ErpError('validation', `field ${readOnly} is not writable in the dynamics-ax profile`, {
        entity: AX_PURCHASE_ORDER_ENTITY,
        field: readOnly,
        hint: 'the profile writes priority (PurchPoolId) and notes (the header note)',
      });
    }
    const vendor: Record<string, unknown> = {};
    if (priority !== undefined) vendor.PurchPoolId = priority === null ? '' : AX_URGENCY_POOLS[priority];
    if (notes !== undefined) vendor[AX_NOTES_FIELD] = notes;
    return vendor;
  },
};
