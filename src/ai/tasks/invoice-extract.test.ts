import { describe, expect, it } from 'vitest';
import { renderInvoicePdf, renderInvoiceText } from '../../../sandbox/invoices/invoice-document.ts';
import type { DocumentLayout, InvoiceDocumentContent } from '../../../sandbox/invoices/records.ts';
import { invoiceDocumentText } from './invoice-document-text.ts';
import {
  extractInvoiceFields,
  invoiceExtractTask,
  parseDocumentDate,
  parseDocumentNumber,
} from './invoice-extract.ts';

function content(layout: DocumentLayout): InvoiceDocumentContent {
  return {
    layout,
    supplierName: 'Mueller Antriebstechnik GmbH & Co. KG',
    supplierCountry: 'DE',
    invoiceNumber: 'RE2026-00815 COPY',
    invoiceDate: '2026-03-06',
    poNumber: '45004781',
    currency: 'EUR',
    lines: [
      {
        position: 1,
        itemNo: '10002357',
        description: 'Hex bolt M12x50 8.8 zinc plated',
        quantityMilli: 12_000_000,
        uom: 'PC',
        unitPriceMicro: 2150,
        amountCents: 258_000,
      },
      {
        position: 2,
        itemNo: '10000100',
        description: 'Round bar 42CrMo4 D50',
        quantityMilli: 108_500,
        uom: 'KG',
        unitPriceMicro: 21_400,
        amountCents: 23_219,
      },
    ],
    netCents: 281_219,
    taxRateBasis: 1900,
    taxCents: 53_432,
    grossCents: 334_651,
  };
}

const EXPECTED = {
  invoiceNumber: 'RE2026-00815 COPY',
  invoiceDate: '2026-03-06',
  purchaseOrderId: '45004781',
  currency: 'EUR',
  netAmount: 2812.19,
  taxRate: 19,
  taxAmount: 534.32,
  grossAmount: 3346.51,
  lines: [
    {
      itemId: '10002357',
      description: 'Hex bolt M12x50 8.8 zinc plated',
      quantity: 12000,
      uom: 'PC',
      unitPrice: 0.215,
      amount: 2580,
    },
    {
      itemId: '10000100',
      description: 'Round bar 42CrMo4 D50',
      quantity: 108.5,
      uom: 'KG',
      unitPrice: 2.14,
      amount: 232.19,
    },
  ],
};

describe('extractInvoiceFields', () => {
  it.each(['en', 'de', 'plain'] as const)('reads every field of the %s layout as printed', (layout) => {
    const found = extractInvoiceFields(renderInvoiceText(content(layout)));
    const expected =
      layout === 'plain'
        ? {
            ...EXPECTED,
            lines: EXPECTED.lines.map((line) => ({ ...line, description: line.description.toUpperCase() })),
          }
        : EXPECTED;
    expect(found.fields).toEqual(expected);
    expect(found.confidence).toBe(1);
    expect(found.explanation).toMatch(
      /found invoice number, invoice date, order, currency, net amount, VAT, total; 2 lines$/,
    );
  });

  it.each(['en', 'de', 'plain'] as const)(
    'reads the same fields from the PDF of the %s layout (unpdf)',
    async (layout) => {
      const pdf = await renderInvoicePdf(content(layout));
      const text = await invoiceDocumentText({
        id: '5105600001',
        fileName: 'invoice.pdf',
        mediaType: 'application/pdf',
        content: Buffer.from(pdf).toString('base64'),
        version: null,
      });
      expect(extractInvoiceFields(text).fields).toEqual(
        extractInvoiceFields(renderInvoiceText(content(layout))).fields,
      );
    },
  );

  it('says what it could not find and lowers its confidence', () => {
    const found = extractInvoiceFields('Invoice No: 4711\nTotal due: EUR 12.50\n');
    expect(found.fields).toMatchObject({
      invoiceNumber: '4711',
      grossAmount: 12.5,
      currency: 'EUR',
      lines: [],
    });
    expect(found.confidence).toBeLessThan(0.2);
    expect(found.explanation).toMatch(
      /missing invoice date, order, currency, net amount, VAT; 0 lines; no table lines found/,
    );
  });

  it('is what the extract task runs offline, and shows an LLM only the text', () => {
    const text = renderInvoiceText(content('de'));
    expect(invoiceExtractTask.rules?.({ invoiceId: '1', text }).fields).toEqual(EXPECTED);
    expect(invoiceExtractTask.describe({ invoiceId: '1', text })).toEqual({ text });
    expect(invoiceExtractTask.schema.safeParse(EXPECTED).success).toBe(true);
  });

  it('refuses a PDF it cannot read with the invoice named', async () => {
    await expect(
      invoiceDocumentText({
        id: '77',
        fileName: 'broken.pdf',
        mediaType: 'application/pdf',
        content: 'bm90IGEgcGRm',
        version: null,
      }),
    ).rejects.toThrow(/cannot read the PDF broken\.pdf of invoice 77/);
  });
});

describe('document numbers and dates', () => {
  it.each([
    ['1.234,56', 'comma-decimal', 1234.56],
    ['1234,5', 'comma-decimal', 1234.5],
    ['1,234.56', 'dot-decimal', 1234.56],
    ['12,000', 'dot-decimal', 12000],
    ['12,000', 'comma-decimal', 12],
    ['0.2150', 'dot-decimal', 0.215],
    ['1.2.3', 'dot-decimal', null],
    ['abc', 'comma-decimal', null],
  ] as const)('%s (%s) → %s', (text, style, value) => {
    expect(parseDocumentNumber(text, style)).toBe(value);
  });

  it.each([
    ['2026-03-06', '2026-03-06'],
    ['06.03.2026', '2026-03-06'],
    ['06 Mar 2026', '2026-03-06'],
    ['6. März 2026', '2026-03-06'],
    ['20260306', '2026-03-06'],
    ['31.02.2026', null],
    ['next Tuesday', null],
  ])('%s → %s', (text, iso) => {
    expect(parseDocumentDate(text)).toBe(iso);
  });
});
