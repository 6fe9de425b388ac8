import { PriceReview, type PriceReviewLine } from '../../canonical/price-review.ts';
import { ErpError } from '../../errors/index.ts';
import type { EntityMapping } from '../contract.ts';
import {
  padWithZeros,
  parseCompactDate,
  parseDecimal,
  stripLeadingZeros,
  trimPadded,
} from '../legacy-formats.ts';
import { type FieldReader, lineRows, readCanonical, refuseOtherFields } from '../map-fields.ts';

const ENTITY = 'price_reviews';

/** The sandbox keeps 120 characters of a review note. */
const NOTE_WIDTH = 120;

function parseLine(reader: FieldReader, raw: Record<string, unknown>, index: number): PriceReviewLine {
  return {
    lineNumber: Number(reader.read(raw, 'line_no', stripLeadingZeros, index)),
    itemId: reader.read(raw, 'item_no', stripLeadingZeros, index),
    description: reader.read(raw, 'description', trimPadded, index),
    quantity: reader.read(raw, 'quantity', parseDecimal, index),
    uom: reader.read(raw, 'uom', trimPadded, index),
    unitPrice: reader.read(raw, 'unit_price', parseDecimal, index),
  };
}

function parseNote(value: unknown): string | null {
  const note = trimPadded(value);
  return note === '' ? null : note;
}

function parseTimestamp(value: unknown): string | null {
  return value === undefined || value === null ? null : String(value);
}

/** Sandbox `price_reviews` ⇄ canonical PriceReview. Writable: `anomalyNote` (at most 120 characters). */
export const sandboxPriceReviewMapping: EntityMapping<PriceReview> = {
  vendorEntity: ENTITY,

  toCanonical(record) {
    const { data } = record;
    const rows = lineRows(record, ENTITY, 'order line');
    return readCanonical(PriceReview, 'PriceReview', ENTITY, record, (reader) => ({
      id: reader.read(data, 'po_number', stripLeadingZeros),
      supplierId: reader.read(data, 'supplier_id', stripLeadingZeros),
      orderDate: reader.read(data, 'order_date', parseCompactDate),
      currency: reader.read(data, 'currency', trimPadded),
      lines: rows.map((row, index) => parseLine(reader, row, index)),
      anomalyNote: reader.read(data, 'review_note', parseNote),
      version: record.version,
      updatedAt: reader.read(data, 'updated_at', parseTimestamp),
    }));
  },

  toVendorKey: (id) => padWithZeros(id, 10),

  toVendorFields(fields) {
    const { anomalyNote, ...others } = fields;
    refuseOtherFields(others, 'sandbox', ENTITY);
    if (anomalyNote === undefined) return {};
    const note = anomalyNote ?? '';
    if (note.length > NOTE_WIDTH) {
      throw new ErpError(
        'validation',
        `anomalyNote is ${note.length} characters; the sandbox keeps ${NOTE_WIDTH}`,
        {
          entity: ENTITY,
          field: 'anomalyNote',
        },
      );
    }
    return { review_note: note };
  },
};
