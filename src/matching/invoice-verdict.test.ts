import { describe, expect, it } from 'vitest';
import type { InvoiceDocumentFields } from './document-fields.ts';
import { InvoiceLedger } from './invoice-ledger.ts';
import { type DocumentReading, matchInvoice } from './invoice-verdict.ts';
import { invoice, order, receipt, withPrice } from './test-fixtures.ts';
import { DEFAULT_TOLERANCES, MatchTolerances } from './tolerances.ts';

function ledgerOf(
  data: Partial<ConstructorParameters<typeof InvoiceLedger>[0]> = {},
  tolerances = DEFAULT_TOLERANCES,
) {
  return new InvoiceLedger(
    {
      invoices: data.invoices ?? [invoice()],
      orders: data.orders ?? [order()],
      receipts: data.receipts ?? [receipt()],
    },
    tolerances,
  );
}

/** The document as printed for the fixture invoice. */
function printed(overrides: Partial<InvoiceDocumentFields> = {}): DocumentReading {
  return {
    fields: {
      invoiceNumber: 'INV-004711',
      invoiceDate: '2026-08-21',
      purchaseOrderId: '45000100',
      currency: 'EUR',
      netAmount: 706,
      taxRate: 19,
      taxAmount: 134.14,
      grossAmount: 840.14,
      lines: [
        {
          itemId: '10000100',
          description: 'Bearings',
          quantity: 100,
          uom: 'PC',
          unitPrice: 4.56,
          amount: 456,
        },
        {
          itemId: '10000137',
          description: 'Seal kit',
          quantity: 20,
          uom: 'EA',
          unitPrice: 12.5,
          amount: 250,
        },
      ],
      ...overrides,
    },
    confidence: 1,
    note: null,
  };
}

describe('matchInvoice', () => {
  it('matches an invoice that agrees with its order, receipt and document', () => {
    const verdict = matchInvoice(invoice(), printed(), ledgerOf(), DEFAULT_TOLERANCES);
    expect(verdict).toMatchObject({ label: 'matched', findings: [] });
    expect(verdict.confidence).toBeGreaterThan(0.95);
    expect(verdict.reason).toBe('matches order 45000100 and its goods receipts within tolerance');
  });

  it('accepts sub-cent pricing and a cent of VAT rounding, a little less surely', () => {
    const noisy = withPrice(invoice({ taxAmount: 134.15, grossAmount: 840.15 }), 0, 4.5712);
    const verdict = matchInvoice(noisy, null, ledgerOf({ invoices: [noisy] }), DEFAULT_TOLERANCES);
    expect(verdict.label).toBe('matched');
    expect(verdict.confidence).toBeLessThan(0.9);
    expect(verdict.reason).toMatch(/\(no document read\)$/);
  });

  it('flags a price above the order beyond the tolerance, with the line and both prices', () => {
    const dear = withPrice(invoice(), 1, 13.75);
    const verdict = matchInvoice(dear, null, ledgerOf({ invoices: [dear] }), DEFAULT_TOLERANCES);
    expect(verdict.label).toBe('price_variance');
    expect(verdict.reason).toBe('line 20 (item 10000137): unit price 13.75, order price 12.50 (+10.0 %)');
    const lenient = MatchTolerances.parse({ pricePct: 12 });
    expect(matchInvoice(dear, null, ledgerOf({ invoices: [dear] }, lenient), lenient).label).toBe('matched');
  });

  it('flags billing more than was received, counting what earlier invoices billed', () => {
    const firstPart = receipt({
      lines: [{ lineNumber: 1, purchaseOrderLine: 10, itemId: '10000100', quantity: 60, uom: 'PC' }],
    });
    const first = invoice({
      id: '5105600001',
      netAmount: 273.6,
      taxAmount: 51.98,
      grossAmount: 325.58,
      lines: [
        {
          lineNumber: 10,
          purchaseOrderLine: 10,
          itemId: '10000100',
          description: 'Bearings',
          quantity: 60,
          uom: 'PC',
          unitPrice: 4.56,
          amount: 273.6,
        },
      ],
    });
    const second = invoice({
      id: '5105600002',
      invoiceNumber: 'INV-004712',
      netAmount: 182.4,
      taxAmount: 34.66,
      grossAmount: 217.06,
      lines: [
        {
          lineNumber: 10,
          purchaseOrderLine: 10,
          itemId: '10000100',
          description: 'Bearings',
          quantity: 40,
          uom: 'PC',
          unitPrice: 4.56,
          amount: 182.4,
        },
      ],
    });
    const onlyFirstReceived = ledgerOf({ invoices: [first, second], receipts: [firstPart] });
    expect(matchInvoice(first, null, onlyFirstReceived, DEFAULT_TOLERANCES).label).toBe('matched');
    const verdict = matchInvoice(second, null, onlyFirstReceived, DEFAULT_TOLERANCES);
    expect(verdict.label).toBe('quantity_variance');
    expect(verdict.reason).toBe('line 10 (item 10000100): billed 40 (60 billed before), received 60 PC');

    const secondPart = receipt({
      id: '5000000002',
      lines: [{ lineNumber: 1, purchaseOrderLine: 10, itemId: '10000100', quantity: 40, uom: 'PC' }],
    });
    const bothReceived = ledgerOf({ invoices: [first, second], receipts: [firstPart, secondPart] });
    expect(matchInvoice(second, null, bothReceived, DEFAULT_TOLERANCES).label).toBe('matched');
  });

  it('flags an order without goods receipt, and an invoice for an order the ERP lacks', () => {
    const missing = matchInvoice(invoice(), null, ledgerOf({ receipts: [] }), DEFAULT_TOLERANCES);
    expect(missing.label).toBe('missing_receipt');
    expect(missing.reason).toBe(
      'no goods receipt for order 45000100: billed 706.00 EUR net for goods not received',
    );
    const stranger = invoice({ purchaseOrderId: '45999999' });
    const noOrder = matchInvoice(stranger, null, ledgerOf({ invoices: [stranger] }), DEFAULT_TOLERANCES);
    expect(noOrder.label).toBe('no_order');
  });

  it('flags VAT that is not the stated rate of the net amount', () => {
    const wrongRate = invoice({ taxAmount: 112.96, grossAmount: 818.96 });
    const verdict = matchInvoice(wrongRate, null, ledgerOf({ invoices: [wrongRate] }), DEFAULT_TOLERANCES);
    expect(verdict.label).toBe('tax_error');
    expect(verdict.reason).toBe('VAT 112.96 is not 19 % of 706.00 (134.14)');
  });

  it('finds a copy entered later however its number was re-typed, and names the original', () => {
    const original = invoice();
    for (const number of ['INV-004711', 'INV-4711', 'inv 004711', 'INV-004711-DUP', 'INV-OO4711']) {
      const copy = invoice({ id: '5105600009', invoiceNumber: number, invoiceDate: '2026-08-23' });
      const ledger = ledgerOf({ invoices: [original, copy] });
      const verdict = matchInvoice(copy, null, ledger, DEFAULT_TOLERANCES);
      expect(verdict.label, number).toBe('duplicate');
      expect(verdict.reason).toMatch(
        /^duplicate of invoice 5105600001 \(INV-004711 of 2026-08-21, 840\.14 EUR\): .*, dated 2 days apart, same amount/,
      );
      expect(matchInvoice(original, null, ledger, DEFAULT_TOLERANCES).label).toBe('matched');
    }
  });

  it('takes a one-character number change for a copy only when the goods were billed already', () => {
    const half = (id: string, number: string, receiptId: string) => ({
      invoice: invoice({
        id,
        invoiceNumber: number,
        netAmount: 228,
        taxAmount: 43.32,
        grossAmount: 271.32,
        lines: [
          {
            lineNumber: 10,
            purchaseOrderLine: 10,
            itemId: '10000100',
            description: 'Bearings',
            quantity: 50,
            uom: 'PC',
            unitPrice: 4.56,
            amount: 228,
          },
        ],
      }),
      receipt: receipt({
        id: receiptId,
        lines: [{ lineNumber: 1, purchaseOrderLine: 10, itemId: '10000100', quantity: 50, uom: 'PC' }],
      }),
    });
    const first = half('5105600001', 'INV-004711', '5000000001');
    const second = half('5105600002', 'INV-004712', '5000000002');
    // Two deliveries of 50, two invoices of the same amount with consecutive numbers: both genuine.
    const split = ledgerOf({
      invoices: [first.invoice, second.invoice],
      receipts: [first.receipt, second.receipt],
    });
    expect(matchInvoice(second.invoice, null, split, DEFAULT_TOLERANCES).label).toBe('matched');
    // Only one delivery: the second "invoice" bills the same goods again — a re-typed copy.
    const once = ledgerOf({ invoices: [first.invoice, second.invoice], receipts: [first.receipt] });
    const verdict = matchInvoice(second.invoice, null, once, DEFAULT_TOLERANCES);
    expect(verdict.label).toBe('duplicate');
    expect(verdict.reason).toMatch(/its number with one character changed, for goods already billed/);
  });

  it('finds a copy of the same number even when a date was keyed weeks off', () => {
    const original = invoice({ invoiceDate: '2026-07-30' });
    const copy = invoice({ id: '5105600009', invoiceDate: '2026-08-23' });
    expect(matchInvoice(copy, null, ledgerOf({ invoices: [original, copy] }), DEFAULT_TOLERANCES).label).toBe(
      'duplicate',
    );
  });

  it('finds a copy when the original’s gross was keyed wrong, by its net amount', () => {
    const original = invoice({ grossAmount: 804.14 });
    const copy = invoice({ id: '5105600009', invoiceNumber: 'INV-4711' });
    expect(matchInvoice(copy, null, ledgerOf({ invoices: [original, copy] }), DEFAULT_TOLERANCES).label).toBe(
      'duplicate',
    );
  });

  it('does not call invoices of another supplier, far apart in time or amount duplicates', () => {
    const original = invoice();
    for (const other of [
      invoice({ id: '5105600009', supplierId: '100007' }),
      invoice({ id: '5105600009', invoiceNumber: 'INV-004712', invoiceDate: '2026-09-15' }),
      invoice({ id: '5105600009', netAmount: 760, grossAmount: 904.4, taxAmount: 144.4 }),
    ]) {
      const verdict = matchInvoice(
        other,
        null,
        ledgerOf({ invoices: [original, other] }),
        DEFAULT_TOLERANCES,
      );
      expect(verdict.label).not.toBe('duplicate');
    }
  });

  it('flags a record that differs from its document, naming each difference', () => {
    const verdict = matchInvoice(
      invoice(),
      printed({ invoiceDate: '2026-08-12', grossAmount: 804.14 }),
      ledgerOf(),
      DEFAULT_TOLERANCES,
    );
    expect(verdict.label).toBe('document_mismatch');
    expect(verdict.reason).toBe(
      'record differs from the document: date 2026-08-21 recorded, 2026-08-12 on the document; gross 840.14 recorded, 804.14 on the document',
    );
    const unreadable = matchInvoice(
      invoice(),
      { fields: null, confidence: 0, note: 'not a PDF' },
      ledgerOf(),
      DEFAULT_TOLERANCES,
    );
    expect(unreadable).toMatchObject({
      label: 'document_mismatch',
      reason: 'the document could not be read: not a PDF',
    });
  });

  it('leads with the most serious finding and lists the others', () => {
    const copy = invoice({ id: '5105600009', taxAmount: 100, grossAmount: 806 });
    const original = invoice({ taxAmount: 100, grossAmount: 806 });
    const verdict = matchInvoice(copy, null, ledgerOf({ invoices: [original, copy] }), DEFAULT_TOLERANCES);
    expect(verdict.label).toBe('duplicate');
    expect(verdict.reason).toMatch(/; also quantity variance, tax error$/);
  });

  it('refuses tolerances out of range, naming the key', () => {
    expect(() => MatchTolerances.parse({ pricePct: -1 })).toThrow(/pricePct/);
    expect(() => MatchTolerances.parse({ duplicates: { dateWindowDays: 1.5 } })).toThrow(/dateWindowDays/);
  });
});
