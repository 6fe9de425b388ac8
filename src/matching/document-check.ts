import type { Invoice } from '../canonical/invoice.ts';
import type { InvoiceDocumentFields } from './document-fields.ts';
import { formatMoney, formatPrice, formatQuantity, type MatchFinding } from './findings.ts';
import { compactKey } from './invoice-number.ts';
import type { MatchTolerances } from './tolerances.ts';

function unpadded(id: string): string {
  return id.trim().replace(/^0+(?=\d)/, '');
}

/**
 * The invoice as recorded in the ERP against the invoice as its document reads: number, date,
 * order, currency, amounts and each line's quantity and price. Any difference is a finding — the
 * record was keyed wrong, or the document is not the one recorded. A field the document does not
 * show (null) is not compared; a document from which nothing could be read is a finding too.
 */
export function compareWithDocument(
  invoice: Invoice,
  document: InvoiceDocumentFields,
  tolerances: MatchTolerances,
): MatchFinding[] {
  const differences: string[] = [];
  const money = (value: number) => formatMoney(value);
  const amountDiffers = (recorded: number, read: number | null) =>
    read !== null && Math.abs(recorded - read) > tolerances.documentAbsolute + 1e-9;

  if (
    document.invoiceNumber !== null &&
    compactKey(document.invoiceNumber) !== compactKey(invoice.invoiceNumber)
  ) {
    differences.push(`number ${invoice.invoiceNumber} recorded, ${document.invoiceNumber} on the document`);
  }
  if (document.invoiceDate !== null && document.invoiceDate !== invoice.invoiceDate) {
    differences.push(`date ${invoice.invoiceDate} recorded, ${document.invoiceDate} on the document`);
  }
  if (
    document.purchaseOrderId !== null &&
    invoice.purchaseOrderId !== null &&
    unpadded(document.purchaseOrderId) !== unpadded(invoice.purchaseOrderId)
  ) {
    differences.push(
      `order ${invoice.purchaseOrderId} recorded, ${document.purchaseOrderId} on the document`,
    );
  }
  if (document.currency !== null && document.currency.toUpperCase() !== invoice.currency.toUpperCase()) {
    differences.push(`currency ${invoice.currency} recorded, ${document.currency} on the document`);
  }
  const amounts: [string, number, number | null][] = [
    ['gross', invoice.grossAmount, document.grossAmount],
    ['net', invoice.netAmount, document.netAmount],
    ['VAT', invoice.taxAmount, document.taxAmount],
  ];
  for (const [name, recorded, read] of amounts) {
    if (amountDiffers(recorded, read)) {
      differences.push(`${name} ${money(recorded)} recorded, ${money(read ?? 0)} on the document`);
    }
  }
  if (document.lines.length > 0 && document.lines.length !== invoice.lines.length) {
    differences.push(`${invoice.lines.length} lines recorded, ${document.lines.length} on the document`);
  } else {
    document.lines.forEach((read, index) => {
      const line = invoice.lines[index];
      if (!line) return;
      if (Math.abs(line.quantity - read.quantity) > 1e-6) {
        differences.push(
          `line ${line.lineNumber} quantity ${formatQuantity(line.quantity)} recorded, ${formatQuantity(read.quantity)} on the document`,
        );
      }
      if (Math.abs(line.unitPrice - read.unitPrice) > 0.00005) {
        differences.push(
          `line ${line.lineNumber} price ${formatPrice(line.unitPrice)} recorded, ${formatPrice(read.unitPrice)} on the document`,
        );
      }
    });
  }
  if (differences.length === 0) return [];
  return [
    {
      label: 'document_mismatch',
      confidence: 0.95,
      reason: `record differs from the document: ${differences.join('; ')}`,
    },
  ];
}
