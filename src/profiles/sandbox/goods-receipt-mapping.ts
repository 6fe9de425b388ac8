import { GoodsReceipt, type GoodsReceiptLine } from '../../canonical/goods-receipt.ts';
import { ErpError } from '../../errors/index.ts';
import type { EntityMapping } from '../contract.ts';
import {
  padWithZeros,
  parseCompactDate,
  parseDecimal,
  stripLeadingZeros,
  trimPadded,
} from '../legacy-formats.ts';
import { type FieldReader, lineRows, readCanonical } from '../map-fields.ts';

const ENTITY = 'goods_receipts';

function parseLine(reader: FieldReader, raw: Record<string, unknown>, index: number): GoodsReceiptLine {
  return {
    lineNumber: Number(reader.read(raw, 'line_no', stripLeadingZeros, index)),
    purchaseOrderLine: Number(reader.read(raw, 'po_line_no', stripLeadingZeros, index)),
    itemId: reader.read(raw, 'item_no', stripLeadingZeros, index),
    quantity: reader.read(raw, 'quantity', parseDecimal, index),
    uom: reader.read(raw, 'uom', trimPadded, index),
  };
}

/** Sandbox `goods_receipts` ⇄ canonical GoodsReceipt. Read-only: receipts are posted at the dock. */
export const sandboxGoodsReceiptMapping: EntityMapping<GoodsReceipt> = {
  vendorEntity: ENTITY,

  toCanonical(record) {
    const { data } = record;
    const rows = lineRows(record, ENTITY, 'receipt line');
    return readCanonical(GoodsReceipt, 'GoodsReceipt', ENTITY, record, (reader) => ({
      id: reader.read(data, 'receipt_id', stripLeadingZeros),
      purchaseOrderId: reader.read(data, 'po_number', stripLeadingZeros),
      receiptDate: reader.read(data, 'receipt_date', parseCompactDate),
      lines: rows.map((row, index) => parseLine(reader, row, index)),
      version: record.version,
    }));
  },

  toVendorKey: (id) => padWithZeros(id, 10),

  toVendorFields() {
    throw new ErpError('validation', 'goods receipts are read-only in the sandbox profile', {
      entity: ENTITY,
    });
  },
};
