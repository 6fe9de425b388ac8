import { describe, expect, it } from 'vitest';
import { ErpError } from '../../errors/index.ts';
import { sandboxGoodsReceiptMapping } from './goods-receipt-mapping.ts';
import { sandboxInvoiceMapping as mapping } from './invoice-mapping.ts';
import { sandboxPriceReviewMapping } from './price-review-mapping.ts';

const record = () => ({
  key: '5105600123',
  version: '"2026-08-22T10:00:00.000Z"',
  data: {
    invoice_id: '5105600123',
    invoice_number: 'RE2026-00815        ',
    supplier_id: '0000100042',
    invoice_date: '20260821',
    entry_date: '20260822',
    po_number: '0045000100',
    currency: 'EUR',
    net_amount: '706,00',
    tax_rate: '19,00',
    tax_amount: '134,14',
    gross_amount: '840,14',
    match_status: ' ',
    exception_reason: ' '.repeat(120),
    updated_at: '2026-08-22T10:00:00.000Z',
    lines: [
      {
        line_no: '00010',
        po_line_no: '00020',
        item_no: '000000000010000137',
        description: 'Hydraulic pump seal kit                 ',
        quantity: '20,000',
        uom: 'EA ',
        unit_price: 35.3,
        amount: '706,00',
      },
    ],
  } as Record<string, unknown>,
});

describe('sandbox invoice, goods receipt and price review mappings', () => {
  it('read the legacy formats into the canonical invoice', () => {
    expect(mapping.toCanonical(record())).toEqual({
      id: '5105600123',
      invoiceNumber: 'RE2026-00815',
      supplierId: '100042',
      invoiceDate: '2026-08-21',
      purchaseOrderId: '45000100',
      currency: 'EUR',
      netAmount: 706,
      taxRate: 19,
      taxAmount: 134.14,
      grossAmount: 840.14,
      lines: [
        {
          lineNumber: 10,
          purchaseOrderLine: 20,
          itemId: '10000137',
          description: 'Hydraulic pump seal kit',
          quantity: 20,
          uom: 'EA',
          unitPrice: 35.3,
          amount: 706,
        },
      ],
      matchStatus: null,
      exceptionReason: null,
      version: '"2026-08-22T10:00:00.000Z"',
      updatedAt: '2026-08-22T10:00:00.000Z',
    });
    const blocked = record();
    blocked.data.match_status = 'X';
    blocked.data.exception_reason = 'duplicate of invoice 5105600001'.padEnd(120);
    expect(mapping.toCanonical(blocked)).toMatchObject({
      matchStatus: 'exception',
      exceptionReason: 'duplicate of invoice 5105600001',
    });
  });

  it('write the match status back as the ERP codes it, and nothing else', () => {
    expect(mapping.toVendorKey('5105600123')).toBe('5105600123');
    expect(mapping.toVendorFields({ matchStatus: 'matched', exceptionReason: null })).toEqual({
      match_status: 'M',
      exception_reason: '',
    });
    expect(mapping.toVendorFields({ matchStatus: 'exception', exceptionReason: 'tax error' })).toEqual({
      match_status: 'X',
      exception_reason: 'tax error',
    });
    expect(() => mapping.toVendorFields({ grossAmount: 1 })).toThrow(/grossAmount is not writable/);
    expect(() => mapping.toVendorFields({ exceptionReason: 'x'.repeat(121) })).toThrow(/121 characters/);
  });

  it('name the record and field they cannot read', () => {
    const bad = record();
    bad.data.match_status = 'Q';
    let caught: unknown;
    try {
      mapping.toCanonical(bad);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ErpError);
    expect(caught).toMatchObject({
      kind: 'validation',
      context: { key: '5105600123', field: 'match_status' },
    });
  });

  it('read goods receipts and price reviews; only the review note is writable', () => {
    const receipt = sandboxGoodsReceiptMapping.toCanonical({
      key: '5000000001',
      version: null,
      data: {
        receipt_id: '5000000001',
        po_number: '0045000100',
        receipt_date: '20260819',
        lines: [
          {
            line_no: '0001',
            po_line_no: '00010',
            item_no: '000000000010000100',
            quantity: '60,000',
            uom: 'PC ',
          },
        ],
      },
    });
    expect(receipt).toEqual({
      id: '5000000001',
      purchaseOrderId: '45000100',
      receiptDate: '2026-08-19',
      lines: [{ lineNumber: 1, purchaseOrderLine: 10, itemId: '10000100', quantity: 60, uom: 'PC' }],
      version: null,
    });
    expect(() => sandboxGoodsReceiptMapping.toVendorFields({})).toThrow(/read-only/);
    expect(sandboxPriceReviewMapping.toVendorFields({ anomalyNote: 'PRICE CHECK' })).toEqual({
      review_note: 'PRICE CHECK',
    });
    expect(sandboxPriceReviewMapping.toVendorFields({ anomalyNote: null })).toEqual({ review_note: '' });
    expect(() => sandboxPriceReviewMapping.toVendorFields({ lines: [] })).toThrow(/lines is not writable/);
  });
});
