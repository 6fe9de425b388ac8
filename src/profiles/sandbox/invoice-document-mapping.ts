import { InvoiceDocument, InvoiceDocumentType } from '../../canonical/invoice.ts';
import { ErpError } from '../../errors/index.ts';
import type { EntityMapping } from '../contract.ts';
import { FormatError, padWithZeros, stripLeadingZeros } from '../legacy-formats.ts';
import { readCanonical } from '../map-fields.ts';

const ENTITY = 'invoice_documents';

function parseMediaType(value: unknown): InvoiceDocumentType {
  const parsed = InvoiceDocumentType.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new FormatError(`expected application/pdf or text/plain, got ${JSON.stringify(value)}`);
}

function parseText(value: unknown): string {
  if (typeof value !== 'string') throw new FormatError(`expected text, got ${typeof value}`);
  return value;
}

/**
 * Sandbox `invoice_documents` ⇄ canonical InvoiceDocument: the invoice as the supplier sent it, a
 * PDF (base64) or its text print, read a page at a time beside the invoices. Read-only.
 */
export const sandboxInvoiceDocumentMapping: EntityMapping<InvoiceDocument> = {
  vendorEntity: ENTITY,

  toCanonical(record) {
    return readCanonical(InvoiceDocument, 'InvoiceDocument', ENTITY, record, (reader) => ({
      id: reader.read(record.data, 'invoice_id', stripLeadingZeros),
      fileName: reader.read(record.data, 'file_name', parseText),
      mediaType: reader.read(record.data, 'media_type', parseMediaType),
      content: reader.read(record.data, 'content', parseText),
      version: record.version,
    }));
  },

  toVendorKey: (id) => padWithZeros(id, 10),

  toVendorFields() {
    throw new ErpError('validation', 'invoice documents are read-only in the sandbox profile', {
      entity: ENTITY,
    });
  },
};
