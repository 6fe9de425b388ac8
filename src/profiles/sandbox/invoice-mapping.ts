import { Invoice, type InvoiceLine, type InvoiceMatchStatus } from '../../canonical/invoice.ts';
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
import { type FieldReader, lineRows, readCanonical, refuseOtherFields } from '../map-fields.ts';

const ENTITY = 'invoices';

/** The sandbox codes the match status like SAP's blocking indicators: `M` matched, `X` exception, blank open. */
const STATUS_CODES = { matched: 'M', exception: 'X' } as const satisfies Record<InvoiceMatchStatus, string>;

function parseMatchStatus(value: unknown): InvoiceMatchStatus | null {
  const code = trimPadded(value).toUpperCase();
  if (code === '') return null;
  if (code === STATUS_CODES.matched) return 'matched';
  if (code === STATUS_CODES.exception) return 'exception';
  throw new FormatError(`expected a match status M, X or blank, got ${JSON.stringify(value)}`);
}

function parseOptionalText(value: unknown): string | null {
  const text = trimPadded(value);
  return text === '' ? null : text;
}

function parseOptionalKey(value: unknown): string | null {
  return trimPadded(value) === '' ? null : stripLeadingZeros(value);
}

function parseTimestamp(value: unknown): string | null {
  return value === undefined || value === null ? null : String(value);
}

function parseLine(reader: FieldReader, raw: Record<string, unknown>, index: number): InvoiceLine {
  const orderLine = reader.read(raw, 'po_line_no', parseOptionalKey, index);
  return {
    lineNumber: Number(reader.read(raw, 'line_no', stripLeadingZeros, index)),
    purchaseOrderLine: orderLine === null ? null : Number(orderLine),
    itemId: reader.read(raw, 'item_no', stripLeadingZeros, index),
    description: reader.read(raw, 'description', trimPadded, index),
    quantity: reader.read(raw, 'quantity', parseDecimal, index),
    uom: reader.read(raw, 'uom', trimPadded, index),
    unitPrice: reader.read(raw, 'unit_price', parseDecimal, index),
    amount: reader.read(raw, 'amount', parseDecimal, index),
  };
}

/**
 * Sandbox `invoices` ⇄ canonical Invoice: zero-padded document and order numbers, `YYYYMMDD`
 * dates, decimal-comma amounts and rate, the blank-padded supplier number as printed, and the match
 * status as a one-letter code. Writable: `matchStatus` and `exceptionReason` (at most 120 characters).
 */
export const sandboxInvoiceMapping: EntityMapping<Invoice> = {
  vendorEntity: ENTITY,

  toCanonical(record) {
    const { data } = record;
    const rows = lineRows(record, ENTITY, 'invoice line');
    return readCanonical(Invoice, 'Invoice', ENTITY, record, (reader) => ({
      id: reader.read(data, 'invoice_id', stripLeadingZeros),
      invoiceNumber: reader.read(data, 'invoice_number', trimPadded),
      supplierId: reader.read(data, 'supplier_id', stripLeadingZeros),
      invoiceDate: reader.read(data, 'invoice_date', parseCompactDate),
      purchaseOrderId: reader.read(data, 'po_number', parseOptionalKey),
      currency: reader.read(data, 'currency', trimPadded),
      netAmount: reader.read(data, 'net_amount', parseDecimal),
      taxRate: reader.read(data, 'tax_rate', parseDecimal),
      taxAmount: reader.read(data, 'tax_amount', parseDecimal),
      grossAmount: reader.read(data, 'gross_amount', parseDecimal),
      lines: rows.map((row, index) => parseLine(reader, row, index)),
      matchStatus: reader.read(data, 'match_status', parseMatchStatus),
      exceptionReason: reader.read(data, 'exception_reason', parseOptionalText),
      version: record.version,
      updatedAt: reader.read(data, 'updated_at', parseTimestamp),
    }));
  },

  toVendorKey: (id) => padWithZeros(id, 10),

  toVendorFields(fields) {
    const { matchStatus, exceptionReason, ...others } = fields;
    refuseOtherFields(others, 'sandbox', ENTITY);
    const vendor: Record<string, unknown> = {};
    if (matchStatus !== undefined)
      vendor.match_status = matchStatus === null ? ' ' : STATUS_CODES[matchStatus];
    if (exceptionReason !== undefined) {
      const reason = exceptionReason ?? '';
      if (reason.length > 120) {
        throw new ErpError(
          'validation',
          `exceptionReason is ${reason.length} characters; the sandbox keeps 120`,
          {
            entity: ENTITY,
            field: 'exceptionReason',
          },
        );
      }
      vendor.exception_reason = reason;
    }
    return vendor;
  },
};
