import { PRIORITIES, type Priority, PurchaseOrder, type PurchaseOrderLine } from '../../canonical/index.ts';
import { ErpError } from '../../errors/index.ts';
import type { EntityMapping } from '../contract.ts';
import { FormatError } from '../legacy-formats.ts';
import { type FieldReader, readCanonical } from '../map-fields.ts';
import {
  type ExactDecimal,
  ebsKey,
  ebsText,
  field,
  parseEbsDate,
  parseEbsNumber,
  parseExactDecimal,
  parseOptionalEbsDate,
  rowsOf,
  sumOfProducts,
  toNumber,
} from './ebs-values.ts';

/**
 * Oracle EBS `PO_HEADERS_ALL` (with PO_LINES_ALL and PO_LINE_LOCATIONS_ALL, as SOA Suite's
 * database adapter nests them) ⇄ canonical PurchaseOrder. Records carry the adapter's element
 * names (`segment1`, `poLinesAllCollection`, `needByDate`); docs/erp/oracle-ebs.md has the table.
 *
 * - the order's id is its number, SEGMENT1 (what buyers and suppliers quote); PO_HEADER_ID is the
 *   row's surrogate key and travels in the version (`PO_HEADER_ID@LAST_UPDATE_DATE`);
 * - EBS keeps no order total: it is Σ QUANTITY × UNIT_PRICE over the lines, computed exactly;
 * - the order's need-by date is the earliest NEED_BY_DATE of its shipments (line locations);
 * - EBS has no priority column: the urgency lives in the header's descriptive flexfield segment
 *   ATTRIBUTE1 ("Priority", codes 1 urgent … 4 low), the one field erpbridge writes, with
 *   NOTE_TO_VENDOR (the buyer's note).
 */

/** The vendor entity: the table the adapter's query starts from. */
export const EBS_PURCHASE_ORDER_ENTITY = 'PO_HEADERS_ALL';

/** The header column that carries the priority: descriptive flexfield segment ATTRIBUTE1. */
export const EBS_PRIORITY_COLUMN = 'attribute1';
/** The header column of the buyer's note to the supplier. */
export const EBS_NOTE_COLUMN = 'noteToVendor';

/** The "Priority" segment's value set: 1 urgent … 4 low (NULL for none). */
export const EBS_PRIORITY_CODES = { urgent: '1', high: '2', normal: '3', low: '4' } as const satisfies Record<
  Priority,
  string
>;
const PRIORITY_BY_CODE = new Map<string, Priority>(
  PRIORITIES.map((priority) => [EBS_PRIORITY_CODES[priority], priority]),
);

/**
 * CLOSED_CODE → canonical status, for purchasing workflows: is delivery still expected? NULL is
 * OPEN (older EBS data leaves it empty). CLOSED FOR INVOICE (billed, not yet received) is open;
 * CLOSED FOR RECEIVING (received, not yet billed) is closed. CANCEL_FLAG `Y` wins over all.
 */
const STATUS_BY_CLOSED_CODE = new Map<string, PurchaseOrder['status']>([
  ['', 'open'],
  ['OPEN', 'open'],
  ['CLOSED FOR INVOICE', 'open'],
  ['CLOSED FOR RECEIVING', 'closed'],
  ['CLOSED', 'closed'],
  ['FINALLY CLOSED', 'closed'],
]);

/** A line without ITEM_ID (a one-time item, described only) still needs an item id canonically. */
export const ONE_TIME_ITEM = '(one-time)';

function parsePriority(value: unknown): Priority | null {
  const code = ebsText(value);
  if (code === '') return null;
  const priority = PRIORITY_BY_CODE.get(code);
  if (!priority) {
    throw new FormatError(
      `expected a Priority code 1-4 in the DFF segment, or none; got ${JSON.stringify(value)}`,
    );
  }
  return priority;
}

function parseClosedCode(value: unknown): PurchaseOrder['status'] {
  const status = STATUS_BY_CLOSED_CODE.get(ebsText(value).toUpperCase());
  if (status) return status;
  throw new FormatError(
    `expected a CLOSED_CODE (OPEN, CLOSED, FINALLY CLOSED, CLOSED FOR RECEIVING, CLOSED FOR INVOICE), got ${JSON.stringify(value)}`,
  );
}

/** The earliest NEED_BY_DATE among a line's shipments (one element, a collection, or none). */
function earliestNeedBy(line: unknown): string | null {
  const shipments = [
    ...rowsOf(field(line, 'poLineLocationsAll')),
    ...rowsOf(field(field(line, 'poLineLocationsAllCollection'), 'PoLineLocationsAll')),
  ];
  let earliest: string | null = null;
  for (const shipment of shipments) {
    const needBy = parseOptionalEbsDate(field(shipment, 'needByDate'));
    if (needBy !== null && (earliest === null || needBy < earliest)) earliest = needBy;
  }
  return earliest;
}

function itemIdOf(value: unknown): string {
  const text = ebsText(value);
  return text === '' ? ONE_TIME_ITEM : text;
}

interface ReadLine {
  line: PurchaseOrderLine;
  quantity: ExactDecimal;
  unitPrice: ExactDecimal;
}

function readLine(reader: FieldReader, row: unknown, index: number): ReadLine {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) {
    throw new ErpError('validation', `PO_LINES_ALL row ${index + 1} is not a row`, {
      entity: EBS_PURCHASE_ORDER_ENTITY,
      key: reader.key,
      field: `lines[${index}]`,
    });
  }
  const quantity = reader.read(row, 'quantity', parseExactDecimal, index);
  const unitPrice = reader.read(row, 'unitPrice', parseExactDecimal, index);
  return {
    quantity,
    unitPrice,
    line: {
      lineNumber: reader.read(row, 'lineNum', parseEbsNumber, index),
      itemId: reader.read(row, 'itemId', itemIdOf, index),
      description: reader.read(row, 'itemDescription', ebsText, index),
      quantity: toNumber(quantity),
      unitPrice: toNumber(unitPrice),
      uom: reader.read(row, 'unitMeasLookupCode', ebsText, index),
      needBy: reader.read(row, 'poLineLocationsAll', () => earliestNeedBy(row), index),
    },
  };
}

/** The header's need-by date: the earliest of its lines'. */
function orderNeedBy(lines: readonly PurchaseOrderLine[]): string {
  let earliest: string | null = null;
  for (const { needBy } of lines)
    if (needBy !== null && (earliest === null || needBy < earliest)) earliest = needBy;
  if (earliest === null) throw new FormatError('no shipment (PO_LINE_LOCATIONS_ALL) has a NEED_BY_DATE');
  return earliest;
}

function optionalText(value: unknown): string | null {
  return value === undefined || value === null ? null : ebsText(value) || null;
}

/** EBS `PO_HEADERS_ALL` ⇄ canonical PurchaseOrder. */
export const oracleEbsPurchaseOrderMapping: EntityMapping<PurchaseOrder> = {
  vendorEntity: EBS_PURCHASE_ORDER_ENTITY,

  toCanonical(record) {
    const { data } = record;
    return readCanonical(PurchaseOrder, 'PurchaseOrder', EBS_PURCHASE_ORDER_ENTITY, record, (reader) => {
      const rows = reader.read(data, 'poLinesAllCollection', (collection) =>
        rowsOf(field(collection, 'PoLinesAll')),
      );
      const read = rows.map((row, index) => readLine(reader, row, index));
      read.sort((a, b) => a.line.lineNumber - b.line.lineNumber);
      const lines = read.map((entry) => entry.line);
      return {
        id: reader.read(data, 'segment1', ebsKey),
        supplierId: reader.read(data, 'vendorId', ebsKey),
        orderDate: reader.read(data, 'creationDate', parseEbsDate),
        needBy: reader.read(data, 'poLinesAllCollection', () => orderNeedBy(lines)),
        totalAmount: toNumber(sumOfProducts(read.map((entry) => [entry.quantity, entry.unitPrice] as const))),
        currency: reader.read(data, 'currencyCode', ebsText),
        description: reader.read(data, 'comments', ebsText),
        notes: reader.read(data, EBS_NOTE_COLUMN, ebsText),
        buyer: reader.read(data, 'agentId', ebsText),
        status:
          reader.read(data, 'cancelFlag', ebsText).toUpperCase() === 'Y'
            ? 'cancelled'
            : reader.read(data, 'closedCode', parseClosedCode),
        priority: reader.read(data, EBS_PRIORITY_COLUMN, parsePriority),
        lines,
        version: record.version,
        updatedAt: reader.read(data, 'lastUpdateDate', optionalText),
      };
    });
  },

  /** The order number is SEGMENT1 as EBS writes it: no padding to add or strip. */
  toVendorKey: (id) => id,

  toVendorFields(fields) {
    const { priority, notes, ...others } = fields;
    const [readOnly] = Object.keys(others);
    if (readOnly !== undefined) {
      throw new ErpError(
        'validation',
        `field ${readOnly} is not writable in the oracle-ebs profile; UPDATE_PO_HEADER sets the priority (ATTRIBUTE1) and notes (NOTE_TO_VENDOR)`,
        { entity: EBS_PURCHASE_ORDER_ENTITY, field: readOnly },
      );
    }
    const vendor: Record<string, unknown> = {};
    if (priority !== undefined)
      vendor[EBS_PRIORITY_COLUMN] = priority === null ? '' : EBS_PRIORITY_CODES[priority];
    if (notes !== undefined) vendor[EBS_NOTE_COLUMN] = notes;
    return vendor;
  },
};
